/// What a link is: IFLA_INFO_KIND as the kernel names it, or "loopback"/"device" for links without one.
/// Known kinds are cases so code tests them by value; any other kind (a newer kernel's, an out-of-tree
/// driver's) is kept as `.other` with its name, so nothing the kernel reports is lost. Encodes as the name.
public enum LinkKind: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    case loopback
    /// A physical (or otherwise kind-less) device.
    case device
    case veth
    case bridge
    case bond
    case vlan
    case macvlan
    case macvtap
    case ipvlan
    case ipvtap
    case vxlan
    case geneve
    case gre
    case gretap
    case ip6gretap
    case ipip
    case wireguard
    case tun
    case dummy
    case other(String)

    private static let known: [String: LinkKind] = [
        "loopback": .loopback, "device": .device, "veth": .veth, "bridge": .bridge, "bond": .bond, "vlan": .vlan,
        "macvlan": .macvlan, "macvtap": .macvtap, "ipvlan": .ipvlan, "ipvtap": .ipvtap, "vxlan": .vxlan,
        "geneve": .geneve, "gre": .gre, "gretap": .gretap, "ip6gretap": .ip6gretap, "ipip": .ipip,
        "wireguard": .wireguard, "tun": .tun, "dummy": .dummy,
    ]

    /// The kind the kernel calls `name`; a name without a case becomes `.other(name)`, never a wrong case.
    public init(_ name: String) { self = Self.known[name] ?? .other(name) }

    public init(stringLiteral value: String) { self.init(value) }

    /// The kernel's name for it (what the JSON and the text output print).
    public var name: String {
        switch self {
        case .loopback: return "loopback"
        case .device: return "device"
        case .veth: return "veth"
        case .bridge: return "bridge"
        case .bond: return "bond"
        case .vlan: return "vlan"
        case .macvlan: return "macvlan"
        case .macvtap: return "macvtap"
        case .ipvlan: return "ipvlan"
        case .ipvtap: return "ipvtap"
        case .vxlan: return "vxlan"
        case .geneve: return "geneve"
        case .gre: return "gre"
        case .gretap: return "gretap"
        case .ip6gretap: return "ip6gretap"
        case .ipip: return "ipip"
        case .wireguard: return "wireguard"
        case .tun: return "tun"
        case .dummy: return "dummy"
        case .other(let name): return name
        }
    }

    public var description: String { name }

    /// Macvlan and macvtap: children of a parent interface with their own MACs.
    public var isMacvlanFamily: Bool { self == .macvlan || self == .macvtap }

    /// Kinds whose IFLA_LINK names a peer (veth) or a parent device (stacked devices); elsewhere it is noise.
    public var hasLowerLink: Bool {
        switch self {
        case .veth, .macvlan, .macvtap, .vxlan, .vlan, .ipvlan, .ipvtap: return true
        default: return false
        }
    }

    /// Encapsulating tunnels: each costs header bytes on its path's MTU.
    public var isTunnel: Bool {
        switch self {
        case .vxlan, .geneve, .gre, .gretap, .ip6gretap, .wireguard, .ipip: return true
        default: return false
        }
    }
}

extension LinkKind: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(name)
    }
}

/// The IFF_* flags code tests by name. `Link.flags` keeps every flag the kernel reported, as the lower-case
/// names the JSON prints, in the kernel's bit order; these are the ones Plumb reasons about.
public enum LinkFlag: String, Sendable, CaseIterable {
    case up
    case broadcast
    case loopback
    case pointToPoint = "pointopoint"
    case running
    case noArp = "noarp"
    case promisc
    case multicast
    case lowerUp = "lower_up"
    case dormant
}

extension Link {
    /// Whether the kernel reported `flag` on this link.
    public func has(_ flag: LinkFlag) -> Bool { flags.contains(flag.rawValue) }
}
