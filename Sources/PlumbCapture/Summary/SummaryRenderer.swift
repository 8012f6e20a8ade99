import PlumbModel

// One-line packet summaries in the format of `tcpdump -n -S -t` (absolute sequence numbers, no timestamp, TCP
// options left out), so that people who know tcpdump can read Plumb's capture view without learning a new
// format. Deliberate additions: VXLAN prints `VXLAN, vni N: <inner frame>` on one line, and DHCP shows the
// message type, addresses and transaction id that tcpdump only prints with -v.

enum SummaryRenderer {
    static func render(_ p: DecodedPacket, linkLevel: Bool = false) -> String {
        var s = ""
        s.reserveCapacity(96)
        if linkLevel, case .ethernet(let e)? = p.layers.first {
            s += "\(e.source) > \(e.destination), ethertype \(ProtocolNames.etherType(e.etherType)) "
            s += "(\(ProtocolNames.hex16(e.etherType))), length \(p.wireLength): "
        }
        if !p.layers.isEmpty { layers(p.layers, from: 0, wireLength: p.wireLength, linkLevel: linkLevel, into: &s) }
        switch p.status {
        case .complete:
            break
        case .truncated(let layer):
            if !s.isEmpty && !s.hasSuffix(" ") { s += " " }
            s += "[|\(truncationTag(layer))]"
        case .malformed(let reason):
            if !s.isEmpty && !s.hasSuffix(" ") { s += " " }
            s += "[malformed: \(reason)]"
        }
        return s
    }

    /// tcpdump's lowercase protocol tags in `[|tag]`.
    static func truncationTag(_ layer: String) -> String {
        switch layer {
        case "Ethernet": return "ether"
        case "802.1Q": return "vlan"
        case "IPv4": return "ip"
        case "IPv6": return "ip6"
        case "ICMPv6": return "icmp6"
        case "DNS": return "domain"
        case "DHCP": return "bootp"
        default: return layer.lowercased()
        }
    }

    private static func layers(_ l: [Layer], from i: Int, wireLength: Int, linkLevel: Bool, into s: inout String) {
        guard i < l.count else { return }
        let hasNext = i + 1 < l.count
        switch l[i] {
        case .sll(let h):
            s += h.packetType.label + " "
            if hasNext { layers(l, from: i + 1, wireLength: wireLength, linkLevel: linkLevel, into: &s) } else {
                s += "ethertype \(ProtocolNames.etherType(h.protocolType)) (\(ProtocolNames.hex16(h.protocolType)))"
            }
        case .sll2(let h):
            s += "ifindex \(h.interfaceIndex) \(h.packetType.label) "
            if hasNext { layers(l, from: i + 1, wireLength: wireLength, linkLevel: linkLevel, into: &s) } else {
                s += "ethertype \(ProtocolNames.etherType(h.protocolType)) (\(ProtocolNames.hex16(h.protocolType)))"
            }
        case .ethernet(let e):
            if hasNext, case .payload = l[i + 1] {
                etherFallback(e.etherType, wireLength: wireLength, into: &s)
            } else if hasNext {
                layers(l, from: i + 1, wireLength: wireLength, linkLevel: linkLevel, into: &s)
            } else {
                etherFallback(e.etherType, wireLength: wireLength, into: &s)
            }
        case .vlan(let v):
            s += "vlan \(v.vlanID), p \(v.priority), "
            if hasNext, case .payload = l[i + 1] {
                etherFallback(v.etherType, wireLength: wireLength, into: &s)
            } else if hasNext {
                s += "ethertype \(ProtocolNames.etherType(v.etherType)) (\(ProtocolNames.hex16(v.etherType))), "
                layers(l, from: i + 1, wireLength: wireLength, linkLevel: linkLevel, into: &s)
            } else {
                etherFallback(v.etherType, wireLength: wireLength, into: &s)
            }
        case .arp(let a):
            arp(a, into: &s)
        case .ipv4(let ip):
            ipv4(ip, l, i, wireLength: wireLength, linkLevel: linkLevel, into: &s)
        case .ipv6(let ip):
            ipv6(ip, l, i, wireLength: wireLength, linkLevel: linkLevel, into: &s)
        case .tcp, .udp, .icmp, .icmpv6, .ipv6Extension:
            // Decoding started at a transport layer: there are no addresses to print.
            transport(l, i, source: nil, destination: nil, wireLength: wireLength, linkLevel: linkLevel, into: &s)
        case .vxlan(let v):
            s += "VXLAN, vni \(v.vni)"
            if hasNext {
                s += ": "
                layers(l, from: i + 1, wireLength: wireLength, linkLevel: linkLevel, into: &s)
            }
        case .dns(let d):
            dns(d, into: &s)
        case .dhcp(let d):
            dhcp(d, into: &s)
        case .payload(let p):
            s += "\(p.context), length \(p.length)"
        }
    }

    private static func etherFallback(_ type: UInt16, wireLength: Int, into s: inout String) {
        if type <= 1500 {
            s += "802.3, length \(type)"
        } else {
            s += "ethertype \(ProtocolNames.etherType(type)) (\(ProtocolNames.hex16(type))), length \(wireLength)"
        }
    }

    private static func arp(_ a: ARPPacket, into s: inout String) {
        guard let sip = a.senderIP, let tip = a.targetIP, let smac = a.senderMAC, let tmac = a.targetMAC else {
            s += "ARP, hardware type \(a.hardwareType), proto \(ProtocolNames.hex16(a.protocolType)), op \(a.operation), length \(a.length)"
            return
        }
        switch a.operation {
        case 1:
            s += "ARP, Request who-has \(tip)"
            if tmac != .zero { s += " (\(tmac))" }
            s += " tell \(sip), length \(a.length)"
        case 2:
            s += "ARP, Reply \(sip) is-at \(smac), length \(a.length)"
        default:
            s += "ARP, op \(a.operation) \(sip) (\(smac)) > \(tip) (\(tmac)), length \(a.length)"
        }
    }

    private static func ipv4(_ ip: IPv4Header, _ l: [Layer], _ i: Int, wireLength: Int, linkLevel: Bool,
                             into s: inout String) {
        s += "IP "
        guard i + 1 < l.count else { s += "\(ip.source) > \(ip.destination):"; return }
        if case .payload = l[i + 1] {
            s += "\(ip.source) > \(ip.destination): "
            if ip.fragmentOffset != 0 {
                // tcpdump -n prints only the protocol number for later fragments.
                s += "ip-proto-\(ip.protocolNumber)"
            } else {
                s += "\(ProtocolNames.ipProtocol(ip.protocolNumber)) \(Int(ip.totalLength) - ip.headerLength)"
            }
            return
        }
        transport(l, i + 1, source: ip.source.description, destination: ip.destination.description,
                  wireLength: wireLength, linkLevel: linkLevel, into: &s)
    }

    private static func ipv6(_ ip: IPv6Header, _ l: [Layer], _ i: Int, wireLength: Int, linkLevel: Bool,
                             into s: inout String) {
        s += "IP6 "
        let src = ip.source.description, dst = ip.destination.description
        guard i + 1 < l.count else { s += "\(src) > \(dst):"; return }
        // Like tcpdump: TCP/UDP directly after the fixed header print the addresses with ports; anything else
        // (including TCP/UDP after extension headers) gets "a > b: " first.
        switch l[i + 1] {
        case .tcp, .udp:
            transport(l, i + 1, source: src, destination: dst, wireLength: wireLength, linkLevel: linkLevel, into: &s)
            return
        default:
            s += "\(src) > \(dst): "
        }
        var j = i + 1
        while j < l.count, case .ipv6Extension(let e) = l[j] {
            switch e.kind {
            case .hopByHop: s += "HBH "
            case .destinationOptions: s += "DSTOPT "
            case .authentication: s += "AH "
            case .routing: s += "srcrt (type \(e.routingType), segleft \(e.segmentsLeft)) "
            case .fragment: s += "frag (\(e.fragmentOffset)|\(e.fragmentLength)) "
            }
            j += 1
        }
        guard j < l.count else {
            if s.hasSuffix(" ") { s.removeLast() }
            return
        }
        if case .payload(let p) = l[j] {
            if p.context == "IPv6 fragment" {
                if s.hasSuffix(" ") { s.removeLast() }
            } else {
                s += "\(p.context) \(p.length)"
            }
            return
        }
        // After extension headers tcpdump prints TCP/UDP ports without addresses (they are already printed).
        transport(l, j, source: nil, destination: nil, wireLength: wireLength, linkLevel: linkLevel,
                  addressesWritten: true, into: &s)
    }

    /// A transport layer at `l[j]`. TCP and UDP print `src.port > dst.port: `; ICMP prints after `src > dst: `
    /// (already written by the IP renderer for IPv6, written here for IPv4).
    private static func transport(_ l: [Layer], _ j: Int, source: String?, destination: String?, wireLength: Int,
                                  linkLevel: Bool, addressesWritten: Bool = false, into s: inout String) {
        func ports(_ sp: UInt16, _ dp: UInt16) {
            if let source, let destination {
                s += "\(source).\(sp) > \(destination).\(dp): "
            } else {
                s += "\(sp) > \(dp): "
            }
        }
        func addresses() {
            if let source, let destination, !addressesWritten { s += "\(source) > \(destination): " }
        }
        switch l[j] {
        case .tcp(let t):
            ports(t.sourcePort, t.destinationPort)
            tcp(t, into: &s)
        case .udp(let u):
            ports(u.sourcePort, u.destinationPort)
            guard j + 1 < l.count else {
                s += "UDP, length \(u.payloadLength)"
                return
            }
            switch l[j + 1] {
            case .dns(let d): dns(d, into: &s)
            case .dhcp(let d): dhcp(d, into: &s)
            case .vxlan: layers(l, from: j + 1, wireLength: wireLength, linkLevel: linkLevel, into: &s)
            default: s += "UDP, length \(u.payloadLength)"
            }
        case .icmp(let m):
            addresses()
            icmp(m, into: &s)
        case .icmpv6(let m):
            addresses()
            icmpv6(m, into: &s)
        default:
            addresses()
            layers(l, from: j, wireLength: wireLength, linkLevel: linkLevel, into: &s)
        }
    }

    private static func tcp(_ t: TCPSegment, into s: inout String) {
        s += "Flags [\(t.flags.tcpdumpString)]"
        if t.payloadLength > 0 || !t.flags.isDisjoint(with: [.syn, .fin, .rst]) {
            s += ", seq \(t.sequenceNumber)"
            if t.payloadLength > 0 { s += ":\(t.sequenceNumber &+ UInt32(truncatingIfNeeded: t.payloadLength))" }
        }
        if t.flags.contains(.ack) { s += ", ack \(t.acknowledgmentNumber)" }
        s += ", win \(t.window)"
        if t.flags.contains(.urg) { s += ", urg \(t.urgentPointer)" }
        s += ", length \(t.payloadLength)"
    }

    private static func icmp(_ m: ICMPMessage, into s: inout String) {
        s += "ICMP "
        let dst = m.quoted.map { $0.destination.description } ?? "?"
        switch (m.type, m.code) {
        case (0, _): s += "echo reply, id \(m.identifier), seq \(m.sequence)"
        case (8, _): s += "echo request, id \(m.identifier), seq \(m.sequence)"
        case (3, 0): s += "net \(dst) unreachable"
        case (3, 1): s += "host \(dst) unreachable"
        case (3, 2): s += "\(dst) protocol \(m.quoted?.protocolNumber ?? 0) unreachable"
        case (3, 3):
            if let q = m.quoted, let port = q.destinationPort {
                s += "\(dst) \(q.protocolNumber == 6 ? "tcp" : "udp") port \(port) unreachable"
            } else {
                s += "\(dst) port unreachable"
            }
        case (3, 4): s += "\(dst) unreachable - need to frag (mtu \(m.sequence))"
        case (3, 9), (3, 10), (3, 13): s += "host \(dst) unreachable - admin prohibited"
        case (3, let c): s += "\(dst) unreachable - code \(c)"
        case (11, 0): s += "time exceeded in-transit"
        case (11, 1): s += "ip reassembly time exceeded"
        case (5, _): s += "redirect \(dst)"
        case (13, _): s += "time stamp query id \(m.identifier) seq \(m.sequence)"
        case (14, _): s += "time stamp reply id \(m.identifier) seq \(m.sequence)"
        default: s += "type-#\(m.type)"
        }
        s += ", length \(m.length)"
    }

    private static func icmpv6(_ m: ICMPv6Message, into s: inout String) {
        s += "ICMP6, \(ProtocolNames.icmpv6Type(m.type))"
        let quotedDst = m.quotedDestination.map { $0.description } ?? "?"
        switch m.type {
        case 1:
            switch m.code {
            case 0: s += ", unreachable route \(quotedDst)"
            case 1: s += ", unreachable prohibited \(quotedDst)"
            case 2: s += ", beyond scope \(quotedDst)"
            case 3: s += ", unreachable address \(quotedDst)"
            case 4:
                s += ", unreachable port"
                if let port = m.quotedDestinationPort {
                    switch m.quotedProtocol {
                    case 6: s += ", \(quotedDst) tcp port \(port)"
                    case 17: s += ", \(quotedDst) udp port \(port)"
                    default: s += ", \(quotedDst) protocol \(m.quotedProtocol ?? 0) port \(port) unreachable"
                    }
                }
            default: s += ", unknown unreach code (\(m.code))"
            }
        case 2: s += ", mtu \(UInt32(m.identifier) << 16 | UInt32(m.sequence))"
        case 3: if m.code == 0 { s += " for \(quotedDst)" } else { s += ", reassembly time exceeded" }
        case 128, 129: s += ", id \(m.identifier), seq \(m.sequence)"
        case 135: if let t = m.targetAddress { s += ", who has \(t)" }
        case 136: if let t = m.targetAddress { s += ", tgt is \(t)" }
        default: break
        }
        s += ", length \(m.length)"
    }

    /// Like tcpdump, stops at the first section that did not fully decode (the status marker follows) and
    /// prints the message length only for complete messages.
    private static func dns(_ d: DNSMessage, into s: inout String) {
        let questionsComplete = d.questions.count >= min(Int(d.questionCount), DNSDecoder.maxRecords)
        let answersComplete = d.answers.count >= min(Int(d.answerCount), DNSDecoder.maxRecords)
        s += "\(d.id)"
        s += ProtocolNames.dnsOpcode(d.opcode)
        if d.isResponse {
            s += ProtocolNames.dnsResponseCode(d.responseCode)
            if d.isAuthoritative { s += "*" }
            if !d.recursionAvailable { s += "-" }
            if d.isTruncated { s += "|" }
            if d.authenticData { s += "$" }
            if d.questionCount != 1 { s += " [\(d.questionCount)q]" }
            guard questionsComplete else { return }
            s += " \(d.answerCount)/\(d.authorityCount)/\(d.additionalCount)"
            for (n, a) in d.answers.enumerated() {
                s += n == 0 ? " " : ", "
                s += ProtocolNames.dnsType(a.type)
                switch a.data {
                case .a(let v): s += " \(v)"
                case .aaaa(let v): s += " \(v)"
                case .cname(let v), .ptr(let v), .ns(let v): s += " \(v)"
                case .other: break
                }
            }
            guard answersComplete else { return }
        } else {
            if d.recursionDesired { s += "+" }
            if d.checkingDisabled { s += "%" }
            if d.questionCount != 1 { s += " [\(d.questionCount)q]" }
            if d.answerCount != 0 { s += " [\(d.answerCount)a]" }
            if d.authorityCount != 0 { s += " [\(d.authorityCount)n]" }
            if d.additionalCount != 0 { s += " [\(d.additionalCount)au]" }
            for q in d.questions {
                s += " \(ProtocolNames.dnsType(q.type))? \(q.name)"
            }
            guard questionsComplete else { return }
        }
        s += " (\(d.messageLength))"
    }

    private static func dhcp(_ d: DHCPMessage, into s: inout String) {
        s += "BOOTP/DHCP, "
        switch d.op {
        case 1:
            s += "Request"
            if let mac = d.clientMAC { s += " from \(mac)" }
        case 2: s += "Reply"
        default: s += "op \(d.op)"
        }
        if let t = d.messageType { s += ", DHCP \(t)" }
        if let r = d.requestedIP { s += ", requested \(r)" }
        if d.yourIP != .anyIPv4 { s += ", yiaddr \(d.yourIP)" }
        s += ", xid 0x" + String(d.transactionID, radix: 16)
        s += ", length \(d.messageLength)"
    }
}

extension DecodedPacket {
    /// The summary prefixed with the Ethernet addresses and EtherType, like `tcpdump -e`.
    public func summary(linkLevel: Bool) -> String { SummaryRenderer.render(self, linkLevel: linkLevel) }
}
