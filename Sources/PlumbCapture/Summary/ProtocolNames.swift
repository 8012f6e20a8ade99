// Names for numeric protocol fields, as tcpdump prints them.

enum ProtocolNames {
    static func etherType(_ t: UInt16) -> String {
        switch t {
        case 0x0800: return "IPv4"
        case 0x0806: return "ARP"
        case 0x86DD: return "IPv6"
        case 0x8100: return "802.1Q"
        case 0x88A8: return "802.1Q-QinQ"
        case 0x9100: return "802.1Q-9100"
        case 0x88CC: return "LLDP"
        case 0x8035: return "Reverse ARP"
        case 0x8847: return "MPLS unicast"
        case 0x88E5: return "802.1AE MACsec"
        default: return "Unknown"
        }
    }

    static func hex16(_ v: UInt16) -> String {
        let s = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: 4 - s.count) + s
    }

    static func ipProtocol(_ p: UInt8) -> String {
        switch p {
        case 1: return "ICMP"
        case 2: return "IGMP"
        case 6: return "TCP"
        case 17: return "UDP"
        case 41: return "IPv6"
        case 47: return "GRE"
        case 50: return "ESP"
        case 51: return "AH"
        case 58: return "ICMPv6"
        case 89: return "OSPF"
        case 132: return "SCTP"
        default: return "ip-proto-\(p)"
        }
    }

    static func dnsType(_ t: UInt16) -> String {
        switch t {
        case 1: return "A"
        case 2: return "NS"
        case 5: return "CNAME"
        case 6: return "SOA"
        case 12: return "PTR"
        case 15: return "MX"
        case 16: return "TXT"
        case 28: return "AAAA"
        case 33: return "SRV"
        case 41: return "OPT"
        case 64: return "SVCB"
        case 65: return "HTTPS"
        case 255: return "ANY"
        default: return "Type\(t)"
        }
    }

    static func dnsResponseCode(_ r: UInt8) -> String {
        switch r {
        case 0: return ""
        case 1: return " FormErr"
        case 2: return " ServFail"
        case 3: return " NXDomain"
        case 4: return " NotImp"
        case 5: return " Refused"
        default: return " Resp\(r)"
        }
    }

    static func dnsOpcode(_ o: UInt8) -> String {
        switch o {
        case 0: return ""
        case 1: return " inv_q"
        case 2: return " stat"
        case 4: return " notify"
        case 5: return " update"
        default: return " op\(o)"
        }
    }

    /// ICMP (v4) message types by name, as RFC 792 and its successors call them.
    static func icmpType(_ t: UInt8) -> String {
        switch t {
        case 0: return "echo reply"
        case 3: return "destination unreachable"
        case 4: return "source quench"
        case 5: return "redirect"
        case 8: return "echo request"
        case 9: return "router advertisement"
        case 10: return "router solicitation"
        case 11: return "time exceeded"
        case 12: return "parameter problem"
        case 13: return "timestamp request"
        case 14: return "timestamp reply"
        default: return "type \(t)"
        }
    }

    /// The code of a destination unreachable (type 3), by name; nil for codes of other types.
    static func icmpUnreachableCode(_ c: UInt8) -> String? {
        switch c {
        case 0: return "net unreachable"
        case 1: return "host unreachable"
        case 2: return "protocol unreachable"
        case 3: return "port unreachable"
        case 4: return "fragmentation needed"
        case 9, 10: return "administratively prohibited"
        case 13: return "communication administratively prohibited"
        default: return nil
        }
    }

    static func icmpv6Type(_ t: UInt8) -> String {
        switch t {
        case 1: return "destination unreachable"
        case 2: return "packet too big"
        case 3: return "time exceeded in-transit"
        case 4: return "parameter problem"
        case 128: return "echo request"
        case 129: return "echo reply"
        case 130: return "multicast listener query"
        case 131: return "multicast listener report"
        case 132: return "multicast listener done"
        case 133: return "router solicitation"
        case 134: return "router advertisement"
        case 135: return "neighbor solicitation"
        case 136: return "neighbor advertisement"
        case 137: return "redirect"
        case 143: return "multicast listener report v2"
        default: return "type \(t)"
        }
    }
}
