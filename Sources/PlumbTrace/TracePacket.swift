import PlumbModel

/// The packet a trace follows: the first packet of a new connection (conntrack state NEW), as NAT rewrites it
/// along the way. Its addresses are values, parsed once where they enter (the CLI's arguments, the kernel's
/// answers); the JSON writes their text.
public struct TracePacket: Codable, Sendable, Equatable {
    public var family: AddressFamily
    public var source: IPAddress
    public var destination: IPAddress
    /// tcp, udp, icmp (IPv4 echo request) or icmpv6 (IPv6 echo request).
    public var proto: String
    public var sourcePort: UInt16?
    public var destinationPort: UInt16?
    /// Bytes of the IP packet (header included); sent with Don't Fragment.
    public var size: Int
    /// The fwmark MARK rules set (0: none).
    public var mark: UInt32
    /// Conntrack states beyond NEW that NAT added: DNAT, SNAT.
    public var natStates: Set<String>

    public init(family: AddressFamily, source: IPAddress, destination: IPAddress, proto: String,
                sourcePort: UInt16? = nil, destinationPort: UInt16? = nil, size: Int, mark: UInt32 = 0,
                natStates: Set<String> = []) {
        self.family = family; self.source = source; self.destination = destination; self.proto = proto
        self.sourcePort = sourcePort; self.destinationPort = destinationPort; self.size = size; self.mark = mark
        self.natStates = natStates
    }

    /// As synthesized, except that `natStates` is written sorted: a Set's order changes from run to run, and the
    /// JSON of the same trace must not.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(family, forKey: .family)
        try c.encode(source, forKey: .source)
        try c.encode(destination, forKey: .destination)
        try c.encode(proto, forKey: .proto)
        try c.encodeIfPresent(sourcePort, forKey: .sourcePort)
        try c.encodeIfPresent(destinationPort, forKey: .destinationPort)
        try c.encode(size, forKey: .size)
        try c.encode(mark, forKey: .mark)
        try c.encode(natStates.sorted(), forKey: .natStates)
    }

    /// IANA protocol number.
    public var protocolNumber: UInt8 {
        switch proto {
        case "tcp": return 6
        case "udp": return 17
        case "icmpv6": return 58
        default: return 1
        }
    }

    /// "tcp 10.0.0.2:40000 → 10.0.0.3:80", "icmp 10.0.0.2 → 10.0.0.3".
    public var summary: String {
        "\(proto) \(NetfilterEvaluator.endpoint(source, sourcePort)) → \(NetfilterEvaluator.endpoint(destination, destinationPort))"
    }
}

/// The chains of one netfilter hook, in the order the kernel calls them (by table priority).
public enum NetfilterHook: String, Codable, Sendable, CaseIterable {
    case prerouting = "PREROUTING", input = "INPUT", forward = "FORWARD", output = "OUTPUT"
    case postrouting = "POSTROUTING"

    /// raw (-300), mangle (-150), nat DNAT (-100), filter (0), security (50), nat SNAT (100).
    public var tables: [String] {
        switch self {
        case .prerouting: return ["raw", "mangle", "nat"]
        case .input: return ["mangle", "filter", "security", "nat"]
        case .forward: return ["mangle", "filter", "security"]
        case .output: return ["raw", "mangle", "nat", "filter", "security"]
        case .postrouting: return ["mangle", "nat"]
        }
    }

    /// The nft hook name (`nft` base chains say `hook forward`).
    public var nftHook: String { rawValue.lowercased() }
}
