import PlumbModel

/// Networks and their endpoints.
extension StateStore {
    private static let networkColumns = "name, driver, subnet, gateway, ip_range, mtu, internal, options, created_at, host_cookie, host_inode"

    /// Stores a new network after checking it: subnet a network address, gateway a host inside it, ip-range
    /// inside it. Values are stored as their canonical text ("fd13::/64").
    public func createNetwork(_ n: NetworkRecord) throws {
        let (subnet, gateway, range) = try Self.validate(n)
        try transaction {
            if try network(named: n.name) != nil { throw StoreError.networkExists(n.name) }
            try db.run("INSERT INTO networks (\(Self.networkColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [n.name, n.driver.rawValue, subnet.description, gateway.description, range?.description, n.mtu,
                        n.internal, try Self.json(n.options), n.createdAt,
                        n.hostNamespace.cookie.map { Int64(bitPattern: $0) }, n.hostNamespace.inode.map { Int64(bitPattern: $0) }], "creating network \(n.name)")
        }
    }

    /// The checks `createNetwork` makes, for callers that want them before changing the kernel: returns the
    /// parsed subnet, gateway and ip-range, or throws StoreError.invalidNetwork saying what is wrong.
    public static func validate(_ n: NetworkRecord) throws -> (subnet: IPPrefix, gateway: IPAddress, ipRange: IPPrefix?) {
        func invalid(_ reason: String) -> StoreError { .invalidNetwork(n.name, reason: reason) }
        if n.name.isEmpty { throw invalid("its name is empty") }
        if let mtu = n.mtu, !(68...65535).contains(mtu) { throw invalid("MTU \(mtu) is not 68-65535") }
        do {
            let subnet = n.subnet, gateway = n.gateway, range = n.ipRange
            var subnet6: IPPrefix?
            if case .bridge(let c) = n.config { subnet6 = c.subnet6 }
            for p in [subnet, range, subnet6].compactMap({ $0 }) where !p.isNetworkAddress {
                throw AddressError.notNetworkAddress(p.description, suggestion: p.canonical.description)
            }
            try subnet.checkHost(gateway, role: "gateway")
            if let range { try subnet.checkRange(range) }
            if case .bridge(let c) = n.config, let subnet6 = c.subnet6 {
                guard subnet6.isIPv6, !subnet.isIPv6 else { throw invalid("its second subnet \(subnet6) must be IPv6 beside an IPv4 one") }
                guard let gateway6 = c.gateway6 else { throw invalid("its second subnet \(subnet6) has no gateway") }
                try subnet6.checkHost(gateway6, role: "gateway")
            }
            return (subnet, gateway, range)
        } catch let e as AddressError {
            throw invalid(e.description)
        }
    }

    public func network(named name: String) throws -> NetworkRecord? {
        try read {
            try db.query("SELECT \(Self.networkColumns) FROM networks WHERE name = ?", [name], "reading network \(name)",
                         row: networkRecord).first
        }
    }

    /// All networks, by name.
    public func networks() throws -> [NetworkRecord] {
        try read {
            try db.query("SELECT \(Self.networkColumns) FROM networks ORDER BY name", [], "listing networks",
                         row: networkRecord)
        }
    }

    private func networkRecord(_ r: SQLRow) throws -> NetworkRecord {
        let name = r.text(0)
        let options = try decodeJSON([String: String].self, r.text(7), "options of network \(name)")
        let config: DriverConfig
        do {
            config = try DriverConfig(driver: r.text(1), storedOptions: options)
        } catch {
            throw StoreError.corrupt(path: path, detail: "network \(name) has \(error)")
        }
        /// The text columns become values here, once; a row that does not parse names its network.
        func parsed<T>(_ column: String, _ text: String, _ parse: (String) throws -> T) throws -> T {
            do { return try parse(text) } catch {
                throw StoreError.corrupt(path: path, detail: "network \(name) has \(column) '\(text)': \(error)")
            }
        }
        return NetworkRecord(name: name, config: config,
                             subnet: try parsed("subnet", r.text(2)) { try IPPrefix.parse($0) },
                             gateway: try parsed("gateway", r.text(3)) { try IPAddress.parse($0) },
                             ipRange: try r.optionalText(4).map { t in try parsed("ip-range", t) { try IPPrefix.parse($0) } }, mtu: r.optionalInt(5).map { Int($0) }, internal: r.int(6) != 0,
                             hostNamespace: NamespaceRef(encoded: options["hostNamespace"] ?? "host",
                                                         cookie: r.optionalInt(9).map { UInt64(bitPattern: $0) },
                                                         inode: r.optionalInt(10).map { UInt64(bitPattern: $0) }),
                             createdAt: r.double(8))
    }

    /// Deletes a network and its allocations. Refuses while endpoints remain: remove them first, so no
    /// endpoint record outlives the network it joined.
    public func deleteNetwork(named name: String) throws {
        try transaction {
            guard try network(named: name) != nil else { throw StoreError.networkNotFound(name) }
            let eps = try endpoints(network: name)
            if !eps.isEmpty { throw StoreError.networkHasEndpoints(name, sandboxes: eps.map(\.sandbox)) }
            try db.run("DELETE FROM networks WHERE name = ?", [name], "deleting network \(name)")
        }
    }

    // MARK: endpoints

    private static let endpointColumns = "network, sandbox, ifname, host_ifname, address, mac, ports, created_at, driver_state, cookie, address6"
    /// An endpoint's key (`EndpointRecord.key`) in SQL.
    private static let endpointKey = "(CASE WHEN cookie IS NULL THEN sandbox ELSE sandbox || '-c' || cookie END)"

    /// Stores an endpoint. Its address, when it has one, is recorded as allocated to its key: taken over
    /// from an allocation made for it (`allocate(..., sandbox: key)`), or allocated now when there was none.
    public func addEndpoint(_ e: EndpointRecord) throws {
        try transaction {
            guard try network(named: e.network) != nil else { throw StoreError.networkNotFound(e.network) }
            // The same namespace twice: the same cookie, or (rows without one) the same inode.
            let same = e.cookie == nil ? "cookie IS NULL AND sandbox = ?" : "cookie = ?"
            let id: any SQLBindable = e.cookie.map { Int64(bitPattern: $0) } ?? e.sandbox
            if try db.query("SELECT 1 FROM endpoints WHERE network = ? AND \(same)", [e.network, id],
                            "looking up endpoint \(e.sandbox)", row: { _ in true }).first != nil {
                throw StoreError.endpointExists(network: e.network, sandbox: e.sandbox)
            }
            for a in [e.address, e.address6].compactMap({ $0 }) { try claim(network: e.network, address: a, sandbox: e.key) }
            try db.run("INSERT INTO endpoints (\(Self.endpointColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [e.network, e.sandbox, e.ifname, e.hostIfname, e.address?.description, e.mac, try Self.json(e.ports), e.createdAt,
                        e.driverState, e.cookie.map { Int64(bitPattern: $0) }, e.address6?.description],
                       "adding endpoint \(e.sandbox) to network \(e.network)")
        }
    }

    /// The endpoints of a network (none when there is no such network), oldest first.
    public func endpoints(network: String) throws -> [EndpointRecord] {
        try read {
            try db.query("SELECT \(Self.endpointColumns) FROM endpoints WHERE network = ? ORDER BY created_at, sandbox",
                         [network], "listing endpoints of network \(network)", row: endpointRecord)
        }
    }

    public func allEndpoints() throws -> [EndpointRecord] {
        try read {
            try db.query("SELECT \(Self.endpointColumns) FROM endpoints ORDER BY network, created_at, sandbox", [],
                         "listing endpoints", row: endpointRecord)
        }
    }

    private func endpointRecord(_ r: SQLRow) throws -> EndpointRecord {
        let network = r.text(0), sandbox = r.text(1)
        /// The address columns become values here, once; one that does not parse names its endpoint and network.
        func address(_ column: Int32) throws -> IPAddress? {
            guard let text = r.optionalText(column) else { return nil }
            do { return try IPAddress.parse(text) } catch {
                throw StoreError.corrupt(path: path, detail: "endpoint \(sandbox) of network \(network) has address '\(text)': \(error)")
            }
        }
        return EndpointRecord(network: network, sandbox: sandbox, ifname: r.text(2), hostIfname: r.optionalText(3),
                              address: try address(4), mac: r.optionalText(5),
                              ports: try decodeJSON([PortMapping].self, r.text(6), "ports of endpoint \(sandbox) on \(network)"),
                              createdAt: r.double(7), driverState: r.optionalText(8),
                              cookie: r.optionalInt(9).map { UInt64(bitPattern: $0) }, address6: try address(10))
    }

    /// Removes an endpoint, named by its key (`EndpointRecord.key`), and releases the addresses allocated to it
    /// on that network.
    public func removeEndpoint(network: String, key: String) throws {
        try transaction {
            let address = try db.query("SELECT address FROM endpoints WHERE network = ? AND \(Self.endpointKey) = ?",
                                       [network, key], "looking up endpoint \(key)") { $0.optionalText(0) }
            guard let first = address.first else { throw StoreError.endpointNotFound(network: network, sandbox: key) }
            try db.run("DELETE FROM endpoints WHERE network = ? AND \(Self.endpointKey) = ?", [network, key],
                       "removing endpoint \(key) from network \(network)")
            try db.run("DELETE FROM allocations WHERE network = ? AND (sandbox = ? OR address = ?)", [network, key, first],
                       "releasing the addresses of endpoint \(key)")
        }
    }
}
