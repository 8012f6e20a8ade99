import PlumbModel

/// IPAM: which addresses of each network are taken. Every decision reads and writes inside one BEGIN
/// IMMEDIATE transaction, so two plumbs allocating at once never get the same address.
extension StateStore {
    /// Takes an address on `network` for `sandbox` and returns it.
    /// - `requested`: that address, which must be a host of the subnet (and of the ip-range when the network
    ///   has one), not the gateway, and free; otherwise the lowest free host of the ip-range (or subnet),
    ///   skipping the network, broadcast and gateway addresses.
    /// - `family`: IPv6 takes from a dual-stack network's IPv6 subnet.
    public func allocate(network: String, requested: IPAddress?, sandbox: String?, family: IPAddress.Family? = nil) throws -> IPAddress {
        try transaction {
            let pool = try addressPool(network, family: family)
            let taken = try allocationRows(network)
            let address: IPAddress
            if let requested {
                address = requested
                try pool.check(address)
                if let row = taken.first(where: { $0.address == address }) {
                    throw StoreError.addressTaken(address.description, network: network, by: row.sandbox)
                }
            } else {
                guard let free = pool.lowestFree(taken: Set(taken.map(\.address))) else {
                    throw StoreError.poolExhausted(network, range: (pool.range ?? pool.subnet).description)
                }
                address = free
            }
            try db.run("INSERT INTO allocations (network, address, sandbox) VALUES (?, ?, ?)",
                       [network, address.description, sandbox], "allocating \(address) on network \(network)")
            return address
        }
    }

    /// The addresses `allocate` would give `count` new endpoints now, allocating nothing: what a dry run shows
    /// (a concurrent connect may still take one before the real run).
    public func previewAllocations(network: String, count: Int, requested: IPAddress?,
                                   family: IPAddress.Family? = nil) throws -> [IPAddress] {
        let pool = try addressPool(network, family: family)
        let rows = try allocationRows(network)
        var taken = Set(rows.map(\.address))
        return try (0..<count).map { _ in
            if let address = requested {
                try pool.check(address)
                if let row = rows.first(where: { $0.address == address }) {
                    throw StoreError.addressTaken(address.description, network: network, by: row.sandbox)
                }
                return address
            }
            guard let free = pool.lowestFree(taken: taken) else {
                throw StoreError.poolExhausted(network, range: (pool.range ?? pool.subnet).description)
            }
            taken.insert(free)
            return free
        }
    }

    /// The lowest address of the network's pool (ip-range, or subnet) that is not in `taken`, allocating
    /// nothing: a shared network's candidate for its next cluster lease. Nil when full.
    func lowestFree(network: String, taken: Set<IPAddress>) throws -> IPAddress? {
        try addressPool(network).lowestFree(taken: taken)
    }

    /// Frees an address. Releasing one that is not allocated does nothing (a retried disconnect); releasing
    /// one an endpoint still uses is refused: remove the endpoint, which releases it. Returns whether an
    /// allocation was freed.
    @discardableResult
    public func release(network: String, address a: IPAddress) throws -> Bool {
        try transaction {
            guard try self.network(named: network) != nil else { throw StoreError.networkNotFound(network) }
            if let holder = try db.query("SELECT sandbox FROM endpoints WHERE network = ? AND address = ?",
                                         [network, a.description], "looking up the endpoint of \(a)", row: { $0.text(0) }).first {
                throw StoreError.addressInUse(a.description, network: network, sandbox: holder)
            }
            return try db.run("DELETE FROM allocations WHERE network = ? AND address = ?", [network, a.description],
                              "releasing \(a) on network \(network)") > 0
        }
    }

    /// The allocated addresses of a network in address order (none when there is no such network).
    public func allocations(network: String) throws -> [(address: IPAddress, sandbox: String?)] {
        try read { try allocationRows(network).sorted { $0.address < $1.address } }
    }

    /// Records `address` as allocated to `sandbox` for a new endpoint: takes over an allocation made for that
    /// sandbox (or for none), or allocates it now.
    func claim(network: String, address: IPAddress, sandbox: String) throws {
        let pool = try addressPool(network, family: address.family)
        if let row = try allocationRows(network).first(where: { $0.address == address }) {
            guard row.sandbox == nil || row.sandbox == sandbox else {
                throw StoreError.addressTaken(address.description, network: network, by: row.sandbox)
            }
            try db.run("UPDATE allocations SET sandbox = ? WHERE network = ? AND address = ?",
                       [sandbox, network, address.description], "assigning \(address) to \(sandbox)")
        } else {
            try pool.check(address)
            try db.run("INSERT INTO allocations (network, address, sandbox) VALUES (?, ?, ?)",
                       [network, address.description, sandbox], "allocating \(address) on network \(network)")
        }
    }

    private func allocationRows(_ network: String) throws -> [(address: IPAddress, sandbox: String?)] {
        try db.query("SELECT address, sandbox FROM allocations WHERE network = ?", [network],
                     "reading the allocations of network \(network)") { r in
            let text = r.text(0)
            guard let a = IPAddress(text) else {
                throw StoreError.corrupt(path: path, detail: "allocation '\(text)' of network \(network) is not an address")
            }
            return (a, r.optionalText(1))
        }
    }

    /// The parsed subnet, gateway and ip-range of a stored network; with `family` IPv6 on a dual-stack bridge
    /// network, its IPv6 subnet and gateway (no ip-range).
    private func addressPool(_ network: String, family: IPAddress.Family? = nil) throws -> AddressPool {
        guard let n = try self.network(named: network) else { throw StoreError.networkNotFound(network) }
        if let family, case .bridge(let c) = n.config, let subnet = c.subnet6, let gateway = c.gateway6,
           subnet.family == family, n.subnet.family != family {
            return AddressPool(network: network, subnet: subnet, gateway: gateway, range: nil)
        }
        return AddressPool(network: network, subnet: n.subnet, gateway: n.gateway, range: n.ipRange)
    }
}

/// What a network may give out: hosts of its subnet, within its ip-range when set, except the gateway.
struct AddressPool {
    let network: String
    let subnet: IPPrefix
    let gateway: IPAddress
    let range: IPPrefix?

    /// Throws StoreError.addressNotAllowed when `a` may not be given out.
    func check(_ a: IPAddress) throws {
        do {
            try subnet.checkHost(a, role: "address")
        } catch let e as AddressError {
            throw StoreError.addressNotAllowed(network: network, reason: e.description)
        }
        if a == gateway {
            throw StoreError.addressNotAllowed(network: network, reason: "address \(a) is its gateway: pick another, or leave the address out to get the next free one")
        }
        if let range, !range.contains(a) {
            let (first, last) = (Swift.max(range.network, subnet.firstHost), Swift.min(range.last, subnet.lastHost))
            throw StoreError.addressNotAllowed(network: network, reason: "address \(a) is outside its ip-range \(range): pick one from \(first) to \(last)")
        }
    }

    /// The lowest address that `check` allows and `taken` lacks. Walks from the bottom; it stops after at most
    /// `taken.count + 2` steps unless the range is full, so even a huge IPv6 range is cheap.
    func lowestFree(taken: Set<IPAddress>) -> IPAddress? {
        let area = range ?? subnet
        var a = Swift.max(area.network, subnet.firstHost)
        let end = Swift.min(area.last, subnet.lastHost)
        while a <= end {
            if a != gateway && !taken.contains(a) { return a }
            guard let next = a.next else { return nil }
            a = next
        }
        return nil
    }
}
