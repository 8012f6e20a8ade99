import PlumbModel

/// A network as stored: what `plumb net create` decided, so later commands need not re-derive it.
public struct NetworkRecord: Sendable, Equatable {
    public var name: String
    /// The driver and its typed settings.
    public var config: DriverConfig
    /// The subnet, a network address ("10.213.0.0/24"). The state database keeps the text; the store parses it
    /// when it reads the row, so the rest of Plumb gets values (a row that does not parse is an error naming
    /// the network).
    public var subnet: IPPrefix
    public var gateway: IPAddress
    /// Sub-range endpoints get their addresses from, when not the whole subnet.
    public var ipRange: IPPrefix?
    public var mtu: Int?
    public var `internal`: Bool
    /// Where the network's own devices live: the host, or a namespace standing in for it (labs, tests). For a
    /// namespace, the handle carries the cookie and inode read when the network was created (schema 5), so a
    /// namespace re-created under the same name is known as another one (`NetworkService.hostView`).
    public var hostNamespace: NamespaceRef
    /// Seconds since 1970.
    public var createdAt: Double

    public init(name: String, config: DriverConfig, subnet: IPPrefix, gateway: IPAddress, ipRange: IPPrefix? = nil,
                mtu: Int? = nil, internal: Bool = false, hostNamespace: NamespaceRef = .host, createdAt: Double) {
        self.name = name; self.config = config; self.subnet = subnet; self.gateway = gateway
        self.ipRange = ipRange; self.mtu = mtu; self.internal = `internal`; self.hostNamespace = hostNamespace
        self.createdAt = createdAt
    }

    public var driver: NetworkDriver { config.driver }

    /// The settings as the state database's `options` column and `--json` have always held them: one string
    /// per driver option, plus where the network lives.
    public var options: [String: String] {
        var o = config.storedOptions
        o["hostNamespace"] = hostNamespace.encoded
        return o
    }
}

extension NetworkRecord: Codable {
    enum CodingKeys: String, CodingKey {
        case name, driver, subnet, gateway, ipRange, mtu, `internal`, options, createdAt, hostNamespaceInode, hostNamespaceCookie
    }

    // The JSON keeps the shape it had when the settings were a string map: `driver` a string, `options` an object.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(driver.rawValue, forKey: .driver)
        try c.encode(subnet, forKey: .subnet)
        try c.encode(gateway, forKey: .gateway)
        try c.encodeIfPresent(ipRange, forKey: .ipRange)
        try c.encodeIfPresent(mtu, forKey: .mtu)
        try c.encode(`internal`, forKey: .internal)
        try c.encode(options, forKey: .options)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encodeIfPresent(hostNamespace.inode, forKey: .hostNamespaceInode)
        try c.encodeIfPresent(hostNamespace.cookie, forKey: .hostNamespaceCookie)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let options = try c.decode([String: String].self, forKey: .options)
        do {
            config = try DriverConfig(driver: try c.decode(String.self, forKey: .driver), storedOptions: options)
        } catch let e as DriverConfig.StoredOptionsError {
            throw DecodingError.dataCorruptedError(forKey: .options, in: c, debugDescription: e.description)
        }
        name = try c.decode(String.self, forKey: .name)
        subnet = try c.decode(IPPrefix.self, forKey: .subnet)
        gateway = try c.decode(IPAddress.self, forKey: .gateway)
        ipRange = try c.decodeIfPresent(IPPrefix.self, forKey: .ipRange)
        mtu = try c.decodeIfPresent(Int.self, forKey: .mtu)
        `internal` = try c.decode(Bool.self, forKey: .internal)
        hostNamespace = NamespaceRef(encoded: options["hostNamespace"] ?? "host",
                                     cookie: try c.decodeIfPresent(UInt64.self, forKey: .hostNamespaceCookie),
                                     inode: try c.decodeIfPresent(UInt64.self, forKey: .hostNamespaceInode))
        createdAt = try c.decode(Double.self, forKey: .createdAt)
    }
}

/// One sandbox (network namespace) joined to a network.
public struct EndpointRecord: Codable, Sendable, Equatable {
    public var network: String
    /// The namespace's nsfs inode as text, for people (`net:[ID]`): the kernel reuses inodes, so it says which
    /// namespace this is only together with `cookie`.
    public var sandbox: String
    /// Interface name inside the sandbox.
    public var ifname: String
    /// The host-side device, when the driver makes one (veth peer).
    public var hostIfname: String?
    /// Its address (without prefix length; the network's subnet gives that).
    public var address: IPAddress?
    public var mac: String?
    public var ports: [PortMapping]
    public var createdAt: Double
    /// What the driver needs later to undo the endpoint (the CNI driver: the chain's ADD result, handed to DEL
    /// and CHECK as prevResult).
    public var driverState: String?
    /// The namespace's netns cookie (SO_NETNS_COOKIE), its identity: never reused within a boot. nil for rows
    /// stored before cookies were (schema 2), which are matched by inode with evidence (`EndpointIdentity`).
    public var cookie: UInt64?
    /// The IPv6 address of an endpoint of a dual-stack bridge network (without prefix); `address` is its IPv4 one.
    public var address6: IPAddress?

    public init(network: String, sandbox: String, ifname: String, hostIfname: String? = nil, address: IPAddress? = nil,
                mac: String? = nil, ports: [PortMapping] = [], createdAt: Double, driverState: String? = nil,
                cookie: UInt64? = nil, address6: IPAddress? = nil) {
        self.network = network; self.sandbox = sandbox; self.ifname = ifname; self.hostIfname = hostIfname
        self.address = address; self.mac = mac; self.ports = ports; self.createdAt = createdAt
        self.driverState = driverState; self.cookie = cookie; self.address6 = address6
    }

    /// Its addresses: IPv4 (or the only one), then IPv6 on a dual-stack network.
    public var addresses: [IPAddress] { [address, address6].compactMap { $0 } }

    /// What tells this endpoint from any other of its network: the inode and the cookie
    /// (`4026532384-c4099`), or the inode alone for a row without a cookie. It tags the endpoint's firewall
    /// rules (`plumb:NET:KEY`), names its CNI container id and its address allocation, so a newcomer with a
    /// reused inode never shares them with its predecessor.
    public var key: String { Self.key(sandbox: sandbox, cookie: cookie) }

    public static func key(sandbox: String, cookie: UInt64?) -> String {
        cookie.map { "\(sandbox)-c\($0)" } ?? sandbox
    }
}

/// Where a journaled plan stands. `planned` entries left behind by a crash are what `plumb gc` undoes.
public enum JournalState: String, Codable, Sendable, CaseIterable {
    case planned
    case applied
    case rolledBack = "rolled_back"
    /// Applying failed and so did undoing it: the kernel may hold part of the plan.
    case failed

    /// Allowed changes: a planned entry ends one way or another; an applied or failed one can still be undone
    /// later (gc); rolled_back is final. Setting the current state again is a no-op.
    func canBecome(_ next: JournalState) -> Bool {
        if next == self { return true }
        switch self {
        case .planned: return true
        case .applied, .failed: return next == .rolledBack
        case .rolledBack: return false
        }
    }
}

/// One journaled plan: the JSON of the Plan and where it stands.
public struct JournalEntry: Codable, Sendable, Equatable {
    public var id: Int64
    public var operation: String
    public var plan: String
    public var state: JournalState
    public var createdAt: Double
    public var updatedAt: Double
    /// The process that runs (or ran) the operation; nil for entries written before owners were recorded.
    public var owner: OperationOwner?
    /// The host ports the operation claims while it runs (a connect's -p), checked by later connects.
    public var claims: [PortMapping]

    public init(id: Int64, operation: String, plan: String, state: JournalState, createdAt: Double, updatedAt: Double,
                owner: OperationOwner? = nil, claims: [PortMapping] = []) {
        self.id = id; self.operation = operation; self.plan = plan; self.state = state
        self.createdAt = createdAt; self.updatedAt = updatedAt
        self.owner = owner; self.claims = claims
    }
}
