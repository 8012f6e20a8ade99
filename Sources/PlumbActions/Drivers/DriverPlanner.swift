import PlumbModel

/// A network as a driver sees it (Docker's vocabulary: a network holds endpoints, each joining one sandbox).
public struct NetworkSpec: Sendable, Equatable {
    public var name: String
    /// The driver and its settings.
    public var config: DriverConfig
    public var subnet: IPPrefix
    public var gateway: IPAddress
    public var mtu: Int?
    public var `internal`: Bool
    /// Where the network's own devices live: the host, or a namespace standing in for it (labs, tests).
    public var hostNamespace: NamespaceRef

    public init(name: String, config: DriverConfig, subnet: IPPrefix, gateway: IPAddress, mtu: Int? = nil,
                internal: Bool = false, hostNamespace: NamespaceRef = .host) {
        self.name = name; self.config = config; self.subnet = subnet; self.gateway = gateway; self.mtu = mtu
        self.internal = `internal`; self.hostNamespace = hostNamespace
    }

    public var driver: NetworkDriver { config.driver }

    /// The network's subnet and gateway of one family, when it has one: a dual-stack bridge network has both
    /// (its IPv6 half in `BridgeConfig.subnet6`), any other network only its subnet's.
    public func addressing(_ family: IPAddress.Family) -> (subnet: IPPrefix, gateway: IPAddress)? {
        if subnet.family == family { return (subnet, gateway) }
        guard family == .ipv6, case .bridge(let c) = config, let s = c.subnet6, let g = c.gateway6 else { return nil }
        return (s, g)
    }

    /// Whether IPv6 traffic leaving the bridge is masqueraded (`--nat66`).
    public var nat66: Bool {
        if case .bridge(let c) = config { return c.nat66 }
        return false
    }
}

/// One endpoint: a sandbox (namespace) joined to a network through an interface.
public struct EndpointSpec: Sendable, Equatable {
    public var sandbox: NamespaceRef
    /// The interface inside the sandbox (eth0, eth1, ...).
    public var ifname: String
    /// The host-side device (veth end), when the driver makes one.
    public var hostIfname: String?
    /// The endpoint's address (without prefix); nil when the driver's own IPAM picks it (a CNI plugin's, with
    /// no `--ip`) or a leaving endpoint never had one.
    public var address: IPAddress?
    /// Add a default route through the gateway (the sandbox's first network).
    public var defaultRoute: Bool
    /// Host ports published to this endpoint.
    public var ports: [PortMapping]
    /// Stable key of the sandbox, used to tag this endpoint's own firewall rules.
    public var key: String
    /// The endpoint's stored driver state (the CNI driver's ADD result), for leave.
    public var driverState: String?
    /// The IPv6 address of an endpoint of a dual-stack network (without prefix), and whether it gets an IPv6
    /// default route through the network's IPv6 gateway.
    public var address6: IPAddress? = nil
    public var defaultRoute6 = false
    /// Leave only: the sandbox namespace is gone (deleted, or its inode taken by a newcomer), so `sandbox` leads
    /// nowhere and the driver plans no step inside it; what was in it went with it.
    public var sandboxGone: Bool

    public init(sandbox: NamespaceRef, ifname: String, hostIfname: String?, address: IPAddress?, defaultRoute: Bool,
                ports: [PortMapping] = [], key: String = "", driverState: String? = nil, sandboxGone: Bool = false) {
        self.sandbox = sandbox; self.ifname = ifname; self.hostIfname = hostIfname; self.address = address
        self.defaultRoute = defaultRoute; self.ports = ports; self.key = key; self.driverState = driverState
        self.sandboxGone = sandboxGone
    }
}

/// The encoded form is the one of the type that held its addresses as text, byte for byte: `address` is always
/// present, "" when there is none; `address6` only when there is one. Text in `address` that is not an address
/// (older dry runs wrote a placeholder for a CNI plugin's pick) decodes as none.
extension EndpointSpec: Codable {
    enum CodingKeys: String, CodingKey {
        case sandbox, ifname, hostIfname, address, defaultRoute, ports, key, driverState, address6, defaultRoute6, sandboxGone
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sandbox = try c.decode(NamespaceRef.self, forKey: .sandbox)
        ifname = try c.decode(String.self, forKey: .ifname)
        hostIfname = try c.decodeIfPresent(String.self, forKey: .hostIfname)
        address = IPAddress(try c.decode(String.self, forKey: .address))
        defaultRoute = try c.decode(Bool.self, forKey: .defaultRoute)
        ports = try c.decode([PortMapping].self, forKey: .ports)
        key = try c.decode(String.self, forKey: .key)
        driverState = try c.decodeIfPresent(String.self, forKey: .driverState)
        address6 = try c.decodeIfPresent(IPAddress.self, forKey: .address6)
        defaultRoute6 = try c.decodeIfPresent(Bool.self, forKey: .defaultRoute6) ?? false
        sandboxGone = try c.decodeIfPresent(Bool.self, forKey: .sandboxGone) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sandbox, forKey: .sandbox)
        try c.encode(ifname, forKey: .ifname)
        try c.encodeIfPresent(hostIfname, forKey: .hostIfname)
        try c.encode(address?.description ?? "", forKey: .address)
        try c.encode(defaultRoute, forKey: .defaultRoute)
        try c.encode(ports, forKey: .ports)
        try c.encode(key, forKey: .key)
        try c.encodeIfPresent(driverState, forKey: .driverState)
        try c.encodeIfPresent(address6, forKey: .address6)
        try c.encode(defaultRoute6, forKey: .defaultRoute6)
        try c.encode(sandboxGone, forKey: .sandboxGone)
    }
}

/// A driver turns network and endpoint operations into Plans; it never touches the kernel itself, so every
/// operation can be shown with --dry-run, journaled and undone. A new driver is one case of `NetworkDriver`
/// and one type conforming to this.
public protocol DriverPlanner: Sendable {
    var driver: NetworkDriver { get }
    /// `firewall` is the current iptables view of the network's host namespace (to know which shared chains
    /// exist already).
    func create(_ net: NetworkSpec, firewall: Firewall) throws -> Plan
    func remove(_ net: NetworkSpec, firewall: Firewall) throws -> Plan
    func join(_ net: NetworkSpec, _ ep: EndpointSpec) throws -> Plan
    func leave(_ net: NetworkSpec, _ ep: EndpointSpec) throws -> Plan
}
