import PlumbModel

// Transport-level headers: ICMP, ICMPv6, TCP and UDP.

public struct ICMPMessage: Sendable, Equatable {
    public var type: UInt8
    public var code: UInt8
    public var checksum: UInt16
    /// Echo/timestamp identifier and sequence (the second 32-bit word; meaningless for other types).
    public var identifier: UInt16
    public var sequence: UInt16
    /// ICMP message length declared by the IP header (header + data).
    public var length: Int
    /// For errors (unreachable, time exceeded): the quoted datagram's addressing, when present.
    public var quoted: QuotedDatagram?

    public var isEcho: Bool { type == 0 || type == 8 }
}

/// The start of the datagram an ICMP error quotes back: enough to say which flow it concerns.
public struct QuotedDatagram: Sendable, Equatable {
    public var protocolNumber: UInt8
    public var source: IPAddress
    public var destination: IPAddress
    public var sourcePort: UInt16?
    public var destinationPort: UInt16?
}

public struct ICMPv6Message: Sendable, Equatable {
    public var type: UInt8
    public var code: UInt8
    public var checksum: UInt16
    /// Echo identifier and sequence (the second 32-bit word for other types).
    public var identifier: UInt16
    public var sequence: UInt16
    /// Message length declared by the IPv6 payload length (minus extension headers).
    public var length: Int
    /// Neighbor solicitation/advertisement and redirect target.
    public var targetAddress: IPAddress?
    /// Neighbor advertisement flags (R, S, O).
    public var isRouter: Bool = false
    public var isSolicited: Bool = false
    public var isOverride: Bool = false
    /// ND options: source/target link-layer address (option types 1 and 2).
    public var sourceLinkLayerAddress: MACAddress?
    public var targetLinkLayerAddress: MACAddress?
    /// Errors (destination unreachable, time exceeded...): the quoted packet's destination, upper-layer
    /// protocol (after its extension headers) and destination port.
    public var quotedDestination: IPAddress?
    public var quotedProtocol: UInt8?
    public var quotedDestinationPort: UInt16?
    /// Router advertisement: current hop limit and router lifetime (seconds).
    public var currentHopLimit: UInt8?
    public var routerLifetime: UInt16?
}

/// TCP flag bits (the low 9 bits of bytes 12-13, including NS).
public struct TCPFlags: OptionSet, Sendable, Hashable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let fin = TCPFlags(rawValue: 0x001)
    public static let syn = TCPFlags(rawValue: 0x002)
    public static let rst = TCPFlags(rawValue: 0x004)
    public static let psh = TCPFlags(rawValue: 0x008)
    public static let ack = TCPFlags(rawValue: 0x010)
    public static let urg = TCPFlags(rawValue: 0x020)
    public static let ece = TCPFlags(rawValue: 0x040)
    public static let cwr = TCPFlags(rawValue: 0x080)
    public static let ns = TCPFlags(rawValue: 0x100)

    /// tcpdump's compact form: `S`, `S.`, `P.`, `F.`, `R`, ... (`.` is ACK); `none` when no flag is set.
    public var tcpdumpString: String {
        var s = ""
        if contains(.fin) { s += "F" }
        if contains(.syn) { s += "S" }
        if contains(.rst) { s += "R" }
        if contains(.psh) { s += "P" }
        if contains(.ack) { s += "." }
        if contains(.urg) { s += "U" }
        if contains(.ece) { s += "E" }
        if contains(.cwr) { s += "W" }
        if contains(.ns) { s += "N" }
        return s.isEmpty ? "none" : s
    }
}

public struct TCPSegment: Sendable, Equatable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequenceNumber: UInt32
    public var acknowledgmentNumber: UInt32
    /// Data offset in bytes.
    public var headerLength: Int
    public var flags: TCPFlags
    public var window: UInt16
    public var checksum: UInt16
    public var urgentPointer: UInt16
    /// Bytes of options (headerLength - 20).
    public var optionsLength: Int
    /// Well-known options, when present and well formed.
    public var maximumSegmentSize: UInt16?
    public var windowScale: UInt8?
    public var sackPermitted: Bool = false
    public var timestampValue: UInt32?
    public var timestampEcho: UInt32?
    /// Payload bytes declared by the IP header (not what was captured).
    public var payloadLength: Int
}

public struct UDPDatagram: Sendable, Equatable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// The UDP length field (header + payload).
    public var length: UInt16
    public var checksum: UInt16

    public var payloadLength: Int { max(0, Int(length) - 8) }
}
