// A captured frame as stored in pcap/pcapng files: bytes plus record metadata.

/// Seconds and nanoseconds since the Unix epoch. Nanoseconds so that pcapng (tsresol 9) and nanosecond pcap
/// round-trip exactly; microsecond formats drop the last three digits.
public struct PacketTimestamp: Hashable, Sendable, Comparable {
    public var seconds: Int64
    public var nanoseconds: UInt32

    public init(seconds: Int64, nanoseconds: UInt32) {
        self.seconds = seconds &+ Int64(nanoseconds / 1_000_000_000)
        self.nanoseconds = nanoseconds % 1_000_000_000
    }

    public init(totalNanoseconds: UInt64) {
        self.init(seconds: Int64(totalNanoseconds / 1_000_000_000), nanoseconds: UInt32(totalNanoseconds % 1_000_000_000))
    }

    public var totalNanoseconds: UInt64 {
        UInt64(max(0, seconds)) &* 1_000_000_000 &+ UInt64(nanoseconds)
    }

    public static func < (a: PacketTimestamp, b: PacketTimestamp) -> Bool {
        (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
    }
}

public struct CapturedPacket: Hashable, Sendable {
    public var timestamp: PacketTimestamp
    /// Captured bytes (at most the snap length).
    public var data: [UInt8]
    /// Length on the wire (>= data.count).
    public var originalLength: Int
    /// Index of the pcapng interface (IDB) the packet was seen on; always 0 for classic pcap.
    public var interfaceID: Int
    /// pcapng per-packet comment (opt_comment on the EPB); not representable in classic pcap.
    public var comment: String?

    public init(timestamp: PacketTimestamp, data: [UInt8], originalLength: Int? = nil, interfaceID: Int = 0,
                comment: String? = nil) {
        self.timestamp = timestamp
        self.data = data
        self.originalLength = max(originalLength ?? data.count, data.count)
        self.interfaceID = interfaceID
        self.comment = comment
    }
}

/// An interface as described by a pcapng IDB (classic pcap files have exactly one, without names).
public struct CaptureInterface: Hashable, Sendable {
    public var linkType: LinkType
    public var snapLength: UInt32
    /// if_name: the interface name, e.g. `eth0` or `veth1a2b`.
    public var name: String?
    /// if_description: Plumb puts the namespace/container here, e.g. `netns cni-1234 (container web-1)`.
    public var description: String?
    /// opt_comment on the IDB.
    public var comment: String?
    /// if_tsresol exponent: 6 = microseconds (the pcapng default), 9 = nanoseconds.
    public var timestampResolution: UInt8

    public init(linkType: LinkType, snapLength: UInt32 = 262_144, name: String? = nil, description: String? = nil,
                comment: String? = nil, timestampResolution: UInt8 = 9) {
        self.linkType = linkType; self.snapLength = snapLength; self.name = name
        self.description = description; self.comment = comment; self.timestampResolution = timestampResolution
    }
}

public enum CaptureFileError: Error, Equatable, CustomStringConvertible {
    case notACaptureFile
    case malformed(String)

    public var description: String {
        switch self {
        case .notACaptureFile: return "not a pcap or pcapng file"
        case .malformed(let why): return "malformed capture file: \(why)"
        }
    }
}
