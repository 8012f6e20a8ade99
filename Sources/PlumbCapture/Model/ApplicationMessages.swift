import PlumbModel

// Messages carried over UDP that matter on container networks: VXLAN, DNS and DHCP.

public struct VXLANHeader: Sendable, Equatable {
    /// 0x08 (the I flag) when the VNI is valid.
    public var flags: UInt8
    public var vni: UInt32
}

public struct DNSQuestion: Sendable, Equatable {
    /// Fully qualified, with the trailing dot (`example.test.`); the root is `.`.
    public var name: String
    public var type: UInt16
    public var recordClass: UInt16
}

public enum DNSRecordData: Sendable, Equatable {
    case a(IPAddress)
    case aaaa(IPAddress)
    case cname(String)
    case ptr(String)
    case ns(String)
    /// Any other type, or rdata of the wrong size: only its length is kept.
    case other(length: Int)
}

public struct DNSRecord: Sendable, Equatable {
    public var name: String
    public var type: UInt16
    public var recordClass: UInt16
    public var ttl: UInt32
    public var data: DNSRecordData
}

public struct DNSMessage: Sendable, Equatable {
    public var id: UInt16
    /// Bytes 2-3 of the header: QR, opcode, AA, TC, RD, RA, Z, AD, CD, RCODE.
    public var flags: UInt16
    public var questionCount: UInt16
    public var answerCount: UInt16
    public var authorityCount: UInt16
    public var additionalCount: UInt16
    /// Parsed questions and answer records (at most `DNSDecoder.maxRecords` each; authority and additional
    /// records are only counted).
    public var questions: [DNSQuestion]
    public var answers: [DNSRecord]
    /// The message length declared by the transport (what tcpdump prints in parentheses).
    public var messageLength: Int

    public var isResponse: Bool { flags & 0x8000 != 0 }
    public var opcode: UInt8 { UInt8(flags >> 11 & 0xF) }
    public var isAuthoritative: Bool { flags & 0x0400 != 0 }
    public var isTruncated: Bool { flags & 0x0200 != 0 }
    public var recursionDesired: Bool { flags & 0x0100 != 0 }
    public var recursionAvailable: Bool { flags & 0x0080 != 0 }
    public var authenticData: Bool { flags & 0x0020 != 0 }
    public var checkingDisabled: Bool { flags & 0x0010 != 0 }
    public var responseCode: UInt8 { UInt8(flags & 0xF) }
}

/// DHCP message type (option 53).
public struct DHCPMessageType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let discover = DHCPMessageType(rawValue: 1)
    public static let offer = DHCPMessageType(rawValue: 2)
    public static let request = DHCPMessageType(rawValue: 3)
    public static let decline = DHCPMessageType(rawValue: 4)
    public static let ack = DHCPMessageType(rawValue: 5)
    public static let nak = DHCPMessageType(rawValue: 6)
    public static let release = DHCPMessageType(rawValue: 7)
    public static let inform = DHCPMessageType(rawValue: 8)

    public var description: String {
        switch rawValue {
        case 1: return "Discover"
        case 2: return "Offer"
        case 3: return "Request"
        case 4: return "Decline"
        case 5: return "ACK"
        case 6: return "NACK"
        case 7: return "Release"
        case 8: return "Inform"
        default: return "type \(rawValue)"
        }
    }
}

/// A BOOTP message and the DHCP options Plumb shows.
public struct DHCPMessage: Sendable, Equatable {
    /// 1 = BOOTREQUEST, 2 = BOOTREPLY.
    public var op: UInt8
    public var hardwareType: UInt8
    public var hardwareLength: UInt8
    public var hops: UInt8
    public var transactionID: UInt32
    public var seconds: UInt16
    public var flags: UInt16
    public var clientIP: IPAddress
    public var yourIP: IPAddress
    public var serverIP: IPAddress
    public var gatewayIP: IPAddress
    /// chaddr, when it is an Ethernet address (htype 1, hlen 6).
    public var clientMAC: MACAddress?
    /// False for plain BOOTP (no 99.130.83.99 magic cookie, so no options).
    public var hasMagicCookie: Bool
    public var messageType: DHCPMessageType?
    public var requestedIP: IPAddress?
    public var serverIdentifier: IPAddress?
    public var leaseTime: UInt32?
    public var subnetMask: IPAddress?
    public var router: IPAddress?
    public var hostname: String?
    /// The message length declared by UDP.
    public var messageLength: Int

    public var isBroadcast: Bool { flags & 0x8000 != 0 }
}

/// Bytes Plumb does not decode further (application data, unknown protocols, later fragments).
public struct Payload: Sendable, Equatable {
    /// Offset of the first payload byte from the start of the frame.
    public var offset: Int
    /// Captured bytes (may be fewer than on the wire).
    public var length: Int
    /// What the bytes are, when known (`"IPv4 fragment"`, `"ethertype 0x88cc"`, `"TCP"`, ...).
    public var context: String
}
