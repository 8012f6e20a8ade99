import PlumbModel

// Network-layer headers: ARP, IPv4 and IPv6 with its extension headers.

public struct ARPPacket: Sendable, Equatable {
    public var hardwareType: UInt16
    public var protocolType: UInt16
    public var hardwareSize: UInt8
    public var protocolSize: UInt8
    /// 1 = request, 2 = reply (3/4 = RARP).
    public var operation: UInt16
    /// The four addresses are only decoded for Ethernet/IPv4 ARP (the only kind on container networks).
    public var senderMAC: MACAddress?
    public var senderIP: IPAddress?
    public var targetMAC: MACAddress?
    public var targetIP: IPAddress?
    /// Bytes after the link header on the wire (what tcpdump prints as `length`; includes Ethernet padding).
    public var length: Int
}

public struct IPv4Header: Sendable, Equatable {
    /// In bytes (IHL * 4).
    public var headerLength: Int
    public var tos: UInt8
    public var totalLength: UInt16
    public var identification: UInt16
    public var dontFragment: Bool
    public var moreFragments: Bool
    /// In bytes (the header field times 8).
    public var fragmentOffset: Int
    public var ttl: UInt8
    public var protocolNumber: UInt8
    public var checksum: UInt16
    public var source: IPAddress
    public var destination: IPAddress
    /// Option types in order (EOL/NOP included); empty, and not allocated, for the usual 20-byte header.
    public var optionTypes: [UInt8]

    public var isFragment: Bool { moreFragments || fragmentOffset != 0 }
    public var dscp: UInt8 { tos >> 2 }
    public var ecn: UInt8 { tos & 3 }
}

public struct IPv6Header: Sendable, Equatable {
    public var trafficClass: UInt8
    public var flowLabel: UInt32
    public var payloadLength: UInt16
    public var nextHeader: UInt8
    public var hopLimit: UInt8
    public var source: IPAddress
    public var destination: IPAddress
}

/// One IPv6 extension header. Several may follow one another; each names the next.
public struct IPv6ExtensionHeader: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        case hopByHop = 0, routing = 43, fragment = 44, authentication = 51, destinationOptions = 60
    }
    public var kind: Kind
    public var nextHeader: UInt8
    /// Length of this header in bytes.
    public var length: Int
    /// Routing header only.
    public var routingType: UInt8 = 0
    public var segmentsLeft: UInt8 = 0
    /// Fragment header only: offset in bytes, the M flag and the identification.
    public var fragmentOffset: Int = 0
    public var moreFragments: Bool = false
    public var identification: UInt32 = 0
    /// Fragment header only: bytes of fragment payload after this header, as declared by the IPv6 payload length.
    public var fragmentLength: Int = 0
}
