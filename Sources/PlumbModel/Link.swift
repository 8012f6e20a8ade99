/// A network interface inside one namespace, with the wiring that crosses namespaces.
public struct Link: Codable, Sendable, Equatable {
    public var index: Int
    public var name: String
    /// veth, bridge, macvlan, macvtap, vxlan, tun, loopback, device, ... (IFLA_INFO_KIND, or derived).
    public var kind: LinkKind
    public var mac: String?
    public var mtu: Int
    /// IFF_* flags in lower case: up, broadcast, loopback, running, lower_up, promisc, ...
    public var flags: [String]
    /// RFC 2863 operational state: up, down, lowerlayerdown, unknown, dormant, notpresent, testing.
    public var operState: String
    /// The bridge (or bond) this link is enslaved to, in the same namespace.
    public var master: LinkRef?
    /// The other end of a veth pair, possibly in another namespace.
    public var peer: RemoteLinkRef?
    /// The parent of a macvlan/macvtap/vxlan/vlan link, possibly in another namespace.
    public var parent: RemoteLinkRef?
    /// The link's addresses with their prefix lengths (10.0.0.2/24, fd13::2/64), in the kernel's dump order.
    public var addresses: [IPPrefix]
    public var stats: LinkStats
    public var vxlan: VxlanInfo?
    public var macvlanMode: String?
    /// Set when this link is a bridge port.
    public var bridgePort: BridgePortInfo?

    public init(index: Int, name: String, kind: LinkKind, mac: String? = nil, mtu: Int = 1500, flags: [String] = [],
                operState: String = "unknown", master: LinkRef? = nil, peer: RemoteLinkRef? = nil,
                parent: RemoteLinkRef? = nil, addresses: [IPPrefix] = [], stats: LinkStats = LinkStats(),
                vxlan: VxlanInfo? = nil, macvlanMode: String? = nil, bridgePort: BridgePortInfo? = nil) {
        self.index = index; self.name = name; self.kind = kind; self.mac = mac; self.mtu = mtu; self.flags = flags
        self.operState = operState; self.master = master; self.peer = peer; self.parent = parent
        self.addresses = addresses; self.stats = stats; self.vxlan = vxlan; self.macvlanMode = macvlanMode
        self.bridgePort = bridgePort
    }

    enum CodingKeys: String, CodingKey {
        case index, name, kind, mac, mtu, flags, operState, master, peer, parent, addresses, stats, vxlan
        case macvlanMode, bridgePort
    }

    // master/peer/parent/mac are always present (null when absent): scripts test them without key checks.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(name, forKey: .name)
        try c.encode(kind, forKey: .kind)
        try c.encode(mac, forKey: .mac)
        try c.encode(mtu, forKey: .mtu)
        try c.encode(flags, forKey: .flags)
        try c.encode(operState, forKey: .operState)
        try c.encode(master, forKey: .master)
        try c.encode(peer, forKey: .peer)
        try c.encode(parent, forKey: .parent)
        try c.encode(addresses, forKey: .addresses)
        try c.encode(stats, forKey: .stats)
        try c.encodeIfPresent(vxlan, forKey: .vxlan)
        try c.encodeIfPresent(macvlanMode, forKey: .macvlanMode)
        try c.encodeIfPresent(bridgePort, forKey: .bridgePort)
    }

    public var isUp: Bool { has(.up) }
    public var hasCarrier: Bool { has(.lowerUp) }
}

public struct LinkRef: Codable, Sendable, Equatable, Hashable {
    public var index: Int
    public init(index: Int) { self.index = index }
}

/// A link in some namespace: `namespace` is that namespace's `id` (nsfs inode); nil when it could not be
/// resolved (the peer's namespace is not visible, e.g. gone or owned by another user namespace).
public struct RemoteLinkRef: Codable, Sendable, Equatable, Hashable {
    public var namespace: UInt64?
    public var index: Int
    public init(namespace: UInt64?, index: Int) { self.namespace = namespace; self.index = index }

    enum CodingKeys: String, CodingKey { case namespace, index }
    // Encode a missing namespace as an explicit null: scripts read `peer.namespace` and must see the key.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(namespace, forKey: .namespace)
        try c.encode(index, forKey: .index)
    }
}

/// 64-bit interface counters (IFLA_STATS64).
public struct LinkStats: Codable, Sendable, Equatable {
    public var rxPackets: UInt64 = 0
    public var txPackets: UInt64 = 0
    public var rxBytes: UInt64 = 0
    public var txBytes: UInt64 = 0
    public var rxErrors: UInt64 = 0
    public var txErrors: UInt64 = 0
    public var rxDropped: UInt64 = 0
    public var txDropped: UInt64 = 0
    public init() {}
}

public struct VxlanInfo: Codable, Sendable, Equatable {
    public var vni: UInt32
    /// Unicast remote or multicast group.
    public var remote: IPAddress?
    public var local: IPAddress?
    public var port: Int?
    /// The remote VTEPs of its forwarding database (`bridge fdb` entries with `dst`), each address once, sorted;
    /// nil when not read (the FDB dump failed; PlumbKernel's VxlanFdbReader fills it). The map draws a tunnel to each.
    public var fdbRemotes: [IPAddress]?
    public init(vni: UInt32, remote: IPAddress? = nil, local: IPAddress? = nil, port: Int? = nil,
                fdbRemotes: [IPAddress]? = nil) {
        self.vni = vni; self.remote = remote; self.local = local; self.port = port; self.fdbRemotes = fdbRemotes
    }
}

public struct BridgePortInfo: Codable, Sendable, Equatable {
    /// STP port state: disabled, listening, learning, forwarding, blocking.
    public var state: String
    /// Hairpin mode (a frame may leave by the port it came in); nil when not read.
    public var hairpin: Bool?
    public init(state: String, hairpin: Bool? = nil) { self.state = state; self.hairpin = hairpin }
}
