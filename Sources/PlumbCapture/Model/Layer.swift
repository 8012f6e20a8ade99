// One decoded protocol header. A packet is an ordered list of these, outermost first; a VXLAN frame simply
// continues with the inner Ethernet layers after its `.vxlan` layer.

public enum Layer: Sendable, Equatable {
    case sll(SLLHeader)
    case sll2(SLL2Header)
    case ethernet(EthernetHeader)
    case vlan(VLANTag)
    case arp(ARPPacket)
    case ipv4(IPv4Header)
    case ipv6(IPv6Header)
    case ipv6Extension(IPv6ExtensionHeader)
    case icmp(ICMPMessage)
    case icmpv6(ICMPv6Message)
    case tcp(TCPSegment)
    case udp(UDPDatagram)
    case vxlan(VXLANHeader)
    case dns(DNSMessage)
    case dhcp(DHCPMessage)
    case payload(Payload)

    /// The protocol name used in `fields()` and in truncation markers.
    public var name: String {
        switch self {
        case .sll: return "SLL"
        case .sll2: return "SLL2"
        case .ethernet: return "Ethernet"
        case .vlan: return "802.1Q"
        case .arp: return "ARP"
        case .ipv4: return "IPv4"
        case .ipv6: return "IPv6"
        case .ipv6Extension(let e):
            switch e.kind {
            case .hopByHop: return "IPv6 Hop-by-Hop"
            case .routing: return "IPv6 Routing"
            case .fragment: return "IPv6 Fragment"
            case .authentication: return "IPv6 AH"
            case .destinationOptions: return "IPv6 Destination Options"
            }
        case .icmp: return "ICMP"
        case .icmpv6: return "ICMPv6"
        case .tcp: return "TCP"
        case .udp: return "UDP"
        case .vxlan: return "VXLAN"
        case .dns: return "DNS"
        case .dhcp: return "DHCP"
        case .payload: return "Payload"
        }
    }
}
