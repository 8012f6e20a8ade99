// Rows for a packet detail view (Wireshark's middle pane, flattened): one (layer, name, value) per field.

enum FieldRenderer {
    typealias Row = (layer: String, name: String, value: String)

    static func fields(of p: DecodedPacket) -> [Row] {
        var rows: [Row] = []
        rows.reserveCapacity(p.layers.count * 8 + 3)
        rows.append(("Frame", "captured length", "\(p.capturedLength)"))
        rows.append(("Frame", "wire length", "\(p.wireLength)"))
        for layer in p.layers {
            let name = layer.name
            func add(_ field: String, _ value: String) { rows.append((name, field, value)) }
            switch layer {
            case .sll(let h):
                add("packet type", h.packetType.label)
                add("hardware type", "\(h.hardwareType)")
                if let a = h.address { add("source address", a.description) }
                add("protocol", etherType(h.protocolType))
            case .sll2(let h):
                add("interface index", "\(h.interfaceIndex)")
                add("packet type", h.packetType.label)
                add("hardware type", "\(h.hardwareType)")
                if let a = h.address { add("source address", a.description) }
                add("protocol", etherType(h.protocolType))
            case .ethernet(let e):
                add("destination", e.destination.description)
                add("source", e.source.description)
                add(e.etherType <= 1500 ? "length" : "type", e.etherType <= 1500 ? "\(e.etherType)" : etherType(e.etherType))
            case .vlan(let v):
                add("tpid", ProtocolNames.hex16(v.tpid))
                add("priority", "\(v.priority)")
                add("drop eligible", "\(v.dropEligible)")
                add("vlan id", "\(v.vlanID)")
                add("type", etherType(v.etherType))
            case .arp(let a):
                add("hardware type", "\(a.hardwareType)")
                add("protocol type", ProtocolNames.hex16(a.protocolType))
                add("operation", a.operation == 1 ? "request (1)" : a.operation == 2 ? "reply (2)" : "\(a.operation)")
                if let v = a.senderMAC { add("sender MAC", v.description) }
                if let v = a.senderIP { add("sender IP", v.description) }
                if let v = a.targetMAC { add("target MAC", v.description) }
                if let v = a.targetIP { add("target IP", v.description) }
            case .ipv4(let ip):
                add("source", ip.source.description)
                add("destination", ip.destination.description)
                add("header length", "\(ip.headerLength)")
                add("dscp", "\(ip.dscp)")
                add("ecn", "\(ip.ecn)")
                add("total length", "\(ip.totalLength)")
                add("identification", ProtocolNames.hex16(ip.identification) + " (\(ip.identification))")
                add("flags", (ip.dontFragment ? "DF" : "") + (ip.dontFragment && ip.moreFragments ? "," : "") + (ip.moreFragments ? "MF" : ""))
                add("fragment offset", "\(ip.fragmentOffset)")
                add("ttl", "\(ip.ttl)")
                add("protocol", "\(ProtocolNames.ipProtocol(ip.protocolNumber)) (\(ip.protocolNumber))")
                add("checksum", ProtocolNames.hex16(ip.checksum))
                if !ip.optionTypes.isEmpty { add("options", ip.optionTypes.map { "\($0)" }.joined(separator: ",")) }
            case .ipv6(let ip):
                add("source", ip.source.description)
                add("destination", ip.destination.description)
                add("traffic class", "\(ip.trafficClass)")
                add("flow label", "0x" + String(ip.flowLabel, radix: 16))
                add("payload length", "\(ip.payloadLength)")
                add("next header", "\(ProtocolNames.ipProtocol(ip.nextHeader)) (\(ip.nextHeader))")
                add("hop limit", "\(ip.hopLimit)")
            case .ipv6Extension(let e):
                add("next header", "\(ProtocolNames.ipProtocol(e.nextHeader)) (\(e.nextHeader))")
                add("length", "\(e.length)")
                if e.kind == .routing {
                    add("routing type", "\(e.routingType)")
                    add("segments left", "\(e.segmentsLeft)")
                }
                if e.kind == .fragment {
                    add("offset", "\(e.fragmentOffset)")
                    add("more fragments", "\(e.moreFragments)")
                    add("identification", "0x" + String(e.identification, radix: 16))
                }
            case .icmp(let m):
                add("type", "\(m.type)")
                add("code", "\(m.code)")
                add("checksum", ProtocolNames.hex16(m.checksum))
                if m.isEcho {
                    add("identifier", "\(m.identifier)")
                    add("sequence", "\(m.sequence)")
                }
                if let q = m.quoted {
                    add("quoted", "\(q.source) > \(q.destination) proto \(q.protocolNumber)"
                        + (q.destinationPort.map { " port \($0)" } ?? ""))
                }
                add("length", "\(m.length)")
            case .icmpv6(let m):
                add("type", "\(ProtocolNames.icmpv6Type(m.type)) (\(m.type))")
                add("code", "\(m.code)")
                add("checksum", ProtocolNames.hex16(m.checksum))
                if m.type == 128 || m.type == 129 {
                    add("identifier", "\(m.identifier)")
                    add("sequence", "\(m.sequence)")
                }
                if let t = m.targetAddress { add("target", t.description) }
                if m.type == 136 {
                    add("flags", [m.isRouter ? "router" : nil, m.isSolicited ? "solicited" : nil,
                                  m.isOverride ? "override" : nil].compactMap { $0 }.joined(separator: ","))
                }
                if let v = m.sourceLinkLayerAddress { add("source link-layer address", v.description) }
                if let v = m.targetLinkLayerAddress { add("target link-layer address", v.description) }
                if let v = m.currentHopLimit { add("current hop limit", "\(v)") }
                if let v = m.routerLifetime { add("router lifetime", "\(v)") }
                add("length", "\(m.length)")
            case .tcp(let t):
                add("source port", "\(t.sourcePort)")
                add("destination port", "\(t.destinationPort)")
                add("sequence number", "\(t.sequenceNumber)")
                add("acknowledgment number", "\(t.acknowledgmentNumber)")
                add("header length", "\(t.headerLength)")
                add("flags", "[\(t.flags.tcpdumpString)] (0x\(String(t.flags.rawValue, radix: 16)))")
                add("window", "\(t.window)")
                add("checksum", ProtocolNames.hex16(t.checksum))
                add("urgent pointer", "\(t.urgentPointer)")
                add("options length", "\(t.optionsLength)")
                if let v = t.maximumSegmentSize { add("mss", "\(v)") }
                if let v = t.windowScale { add("window scale", "\(v)") }
                if t.sackPermitted { add("sack permitted", "true") }
                if let v = t.timestampValue, let e = t.timestampEcho { add("timestamps", "val \(v) ecr \(e)") }
                add("payload length", "\(t.payloadLength)")
            case .udp(let u):
                add("source port", "\(u.sourcePort)")
                add("destination port", "\(u.destinationPort)")
                add("length", "\(u.length)")
                add("checksum", ProtocolNames.hex16(u.checksum))
            case .vxlan(let v):
                add("flags", "0x" + String(v.flags, radix: 16))
                add("vni", "\(v.vni)")
            case .dns(let d):
                add("id", "\(d.id)")
                add("type", d.isResponse ? "response" : "query")
                add("flags", ProtocolNames.hex16(d.flags))
                if d.isResponse { add("rcode", "\(d.responseCode)") }
                add("counts", "qd \(d.questionCount), an \(d.answerCount), ns \(d.authorityCount), ar \(d.additionalCount)")
                for q in d.questions { add("question", "\(q.name) \(ProtocolNames.dnsType(q.type))") }
                for a in d.answers { add("answer", "\(a.name) \(a.ttl) \(ProtocolNames.dnsType(a.type)) \(rdata(a.data))") }
            case .dhcp(let d):
                add("op", d.op == 1 ? "request (1)" : d.op == 2 ? "reply (2)" : "\(d.op)")
                add("transaction id", "0x" + String(d.transactionID, radix: 16))
                if let m = d.clientMAC { add("client MAC", m.description) }
                add("client IP", d.clientIP.description)
                add("your IP", d.yourIP.description)
                add("server IP", d.serverIP.description)
                add("gateway IP", d.gatewayIP.description)
                if let t = d.messageType { add("message type", "\(t) (\(t.rawValue))") }
                if let v = d.requestedIP { add("requested IP", v.description) }
                if let v = d.serverIdentifier { add("server identifier", v.description) }
                if let v = d.leaseTime { add("lease time", "\(v)") }
                if let v = d.subnetMask { add("subnet mask", v.description) }
                if let v = d.router { add("router", v.description) }
                if let v = d.hostname { add("hostname", v) }
            case .payload(let p):
                add("offset", "\(p.offset)")
                add("length", "\(p.length)")
                add("context", p.context)
            }
        }
        switch p.status {
        case .complete: break
        case .truncated(let layer): rows.append(("Frame", "truncated", layer))
        case .malformed(let reason): rows.append(("Frame", "malformed", reason))
        }
        return rows
    }

    private static func etherType(_ t: UInt16) -> String {
        "\(ProtocolNames.etherType(t)) (\(ProtocolNames.hex16(t)))"
    }

    private static func rdata(_ d: DNSRecordData) -> String {
        switch d {
        case .a(let v): return v.description
        case .aaaa(let v): return v.description
        case .cname(let v), .ptr(let v), .ns(let v): return v
        case .other(let length): return "(\(length) bytes)"
        }
    }
}
