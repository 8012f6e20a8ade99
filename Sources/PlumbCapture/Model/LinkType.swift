// Link-layer header types as used in pcap/pcapng files (LINKTYPE_* values from tcpdump.org).

/// A pcap LINKTYPE value. Kept open (a struct, not an enum) because files carry arbitrary values that must
/// round-trip even when Plumb cannot decode them.
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let ethernet = LinkType(rawValue: 1)
    /// DLT_RAW as some platforms write it into files (12); same meaning as `raw`.
    public static let rawLegacy = LinkType(rawValue: 12)
    /// LINKTYPE_RAW: the frame starts with an IPv4 or IPv6 header (tun devices, ipip tunnels).
    public static let raw = LinkType(rawValue: 101)
    /// LINKTYPE_LINUX_SLL: Linux "cooked" v1 header, what libpcap used for `-i any` before 1.10.
    public static let linuxSLL = LinkType(rawValue: 113)
    public static let ipv4 = LinkType(rawValue: 228)
    public static let ipv6 = LinkType(rawValue: 229)
    /// LINKTYPE_LINUX_SLL2: Linux "cooked" v2 header with the interface index, libpcap >= 1.10 on `any`.
    public static let linuxSLL2 = LinkType(rawValue: 276)

    public var description: String {
        switch self {
        case .ethernet: return "EN10MB"
        case .raw, .rawLegacy: return "RAW"
        case .linuxSLL: return "LINUX_SLL"
        case .linuxSLL2: return "LINUX_SLL2"
        case .ipv4: return "IPV4"
        case .ipv6: return "IPV6"
        default: return "LINKTYPE_\(rawValue)"
        }
    }

    /// Where decoding starts for frames of this link type, or nil if Plumb has no decoder for it.
    public var startLayer: StartLayer? {
        switch self {
        case .ethernet: return .ethernet
        case .raw, .rawLegacy: return .rawIP
        case .linuxSLL: return .linuxSLL
        case .linuxSLL2: return .linuxSLL2
        case .ipv4: return .ipv4
        case .ipv6: return .ipv6
        default: return nil
        }
    }
}

/// The protocol a decode starts at: a link type's first header, or any inner layer (useful for tests, for
/// payloads handed over by other code, and for the fuzzer, which drives every entry point).
public enum StartLayer: String, CaseIterable, Sendable {
    case ethernet, linuxSLL, linuxSLL2, rawIP, ipv4, ipv6, arp, icmp, icmpv6, tcp, udp, vxlan, dns, dhcp
}
