/// The entry's status bits (enum ip_conntrack_status), named as conntrack-tools names them.
public struct ConntrackStatus: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let expected = ConntrackStatus(rawValue: 1 << 0)
    public static let seenReply = ConntrackStatus(rawValue: 1 << 1)
    public static let assured = ConntrackStatus(rawValue: 1 << 2)
    public static let confirmed = ConntrackStatus(rawValue: 1 << 3)
    public static let srcNAT = ConntrackStatus(rawValue: 1 << 4)
    public static let dstNAT = ConntrackStatus(rawValue: 1 << 5)
    public static let seqAdjust = ConntrackStatus(rawValue: 1 << 6)
    public static let srcNATDone = ConntrackStatus(rawValue: 1 << 7)
    public static let dstNATDone = ConntrackStatus(rawValue: 1 << 8)
    public static let dying = ConntrackStatus(rawValue: 1 << 9)
    public static let fixedTimeout = ConntrackStatus(rawValue: 1 << 10)
    public static let template = ConntrackStatus(rawValue: 1 << 11)
    public static let natClash = ConntrackStatus(rawValue: 1 << 12)
    public static let helper = ConntrackStatus(rawValue: 1 << 13)
    public static let offload = ConntrackStatus(rawValue: 1 << 14)
    public static let hwOffload = ConntrackStatus(rawValue: 1 << 15)

    /// The names of bits 0…15, in bit order (the kernel's IPS_* names without the prefix).
    public static let bitNames: [StaticString] = [
        "EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED", "SRC_NAT", "DST_NAT", "SEQ_ADJUST", "SRC_NAT_DONE",
        "DST_NAT_DONE", "DYING", "FIXED_TIMEOUT", "TEMPLATE", "NAT_CLASH", "HELPER", "OFFLOAD", "HW_OFFLOAD",
    ]

    /// The set bits' names in bit order (unknown bits as BIT_N).
    public var names: [String] {
        (0..<32).compactMap { bit in
            guard rawValue & (1 << UInt32(bit)) != 0 else { return nil }
            return bit < Self.bitNames.count ? Self.bitNames[bit].description : "BIT_\(bit)"
        }
    }
}

/// The TCP tracker's state (enum tcp_conntrack), named as `conntrack -L` prints it.
public enum ConntrackTCPState: UInt8, Sendable, Hashable, CaseIterable {
    case none = 0, synSent, synRecv, established, finWait, closeWait, lastAck, timeWait, close, synSent2

    public var name: String {
        switch self {
        case .none: return "NONE"
        case .synSent: return "SYN_SENT"
        case .synRecv: return "SYN_RECV"
        case .established: return "ESTABLISHED"
        case .finWait: return "FIN_WAIT"
        case .closeWait: return "CLOSE_WAIT"
        case .lastAck: return "LAST_ACK"
        case .timeWait: return "TIME_WAIT"
        case .close: return "CLOSE"
        case .synSent2: return "SYN_SENT2"
        }
    }

    public init?(name: String) {
        guard let s = Self.allCases.first(where: { $0.name == name.uppercased() }) else { return nil }
        self = s
    }
}

/// IP protocol numbers and the names `conntrack` uses for them.
public enum ConntrackProtocol {
    static let names: [UInt8: String] = [
        1: "icmp", 2: "igmp", 6: "tcp", 17: "udp", 33: "dccp", 47: "gre", 58: "icmpv6", 132: "sctp", 136: "udplite",
    ]

    public static func name(of number: UInt8) -> String { names[number] ?? "unknown(\(number))" }

    /// A protocol given by name (tcp, udp, icmp, icmpv6, sctp, dccp, gre, udplite) or by number.
    public static func number(named text: String) -> UInt8? {
        let t = text.lowercased()
        if let n = UInt8(t) { return n }
        if t == "ipv6-icmp" { return 58 }
        return names.first(where: { $0.value == t })?.key
    }
}
