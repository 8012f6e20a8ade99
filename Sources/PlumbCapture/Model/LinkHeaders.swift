// Link-layer headers: Ethernet II, 802.1Q/802.1ad tags and the two Linux cooked-capture headers.

public struct EthernetHeader: Sendable, Equatable {
    public var destination: MACAddress
    public var source: MACAddress
    /// The EtherType; values <= 1500 are an IEEE 802.3 length field instead.
    public var etherType: UInt16

    public init(destination: MACAddress, source: MACAddress, etherType: UInt16) {
        self.destination = destination; self.source = source; self.etherType = etherType
    }
}

/// One VLAN tag. Stacked tags (QinQ) appear as consecutive `.vlan` layers, outermost first.
public struct VLANTag: Sendable, Equatable {
    /// The tag protocol identifier that introduced this tag: 0x8100 (802.1Q), 0x88a8 (802.1ad) or 0x9100.
    public var tpid: UInt16
    public var priority: UInt8
    public var dropEligible: Bool
    public var vlanID: UInt16
    /// The EtherType that follows this tag.
    public var etherType: UInt16
}

/// The direction/packet-type field of the cooked headers (the kernel's PACKET_* values).
public struct CookedPacketType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let host = CookedPacketType(rawValue: 0)
    public static let broadcast = CookedPacketType(rawValue: 1)
    public static let multicast = CookedPacketType(rawValue: 2)
    public static let otherHost = CookedPacketType(rawValue: 3)
    public static let outgoing = CookedPacketType(rawValue: 4)

    /// The abbreviation tcpdump prints for `-i any` captures.
    public var label: String {
        switch rawValue {
        case 0: return "In"
        case 1: return "B"
        case 2: return "M"
        case 3: return "P"
        case 4: return "Out"
        default: return "type \(rawValue)"
        }
    }
}

/// LINKTYPE_LINUX_SLL (16 bytes).
public struct SLLHeader: Sendable, Equatable {
    public var packetType: CookedPacketType
    /// ARPHRD_* type of the interface (1 = Ethernet, 772 = loopback, 65534 = none/tun).
    public var hardwareType: UInt16
    public var addressLength: UInt16
    /// The link-layer source address when it is six bytes long.
    public var address: MACAddress?
    /// EtherType of the payload (or 0x0001/0x0004 for 802.3/802.2 frames).
    public var protocolType: UInt16
}

/// LINKTYPE_LINUX_SLL2 (20 bytes): like SLL plus the interface index.
public struct SLL2Header: Sendable, Equatable {
    public var protocolType: UInt16
    public var interfaceIndex: UInt32
    public var hardwareType: UInt16
    public var packetType: CookedPacketType
    public var addressLength: UInt8
    public var address: MACAddress?
}
