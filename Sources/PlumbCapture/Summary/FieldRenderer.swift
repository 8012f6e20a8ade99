// Rows for a packet detail view (Wireshark's middle pane, flattened): one (layer, name, value) per field.

enum FieldRenderer {
    typealias Row = (layer: String, name: String, value: String)
    typealias TypedRow = (layer: String, name: String, value: FieldValue)

    static func fields(of p: DecodedPacket) -> [Row] {
        typedFields(of: p).map { ($0.layer, $0.name, $0.value.description) }
    }

    static func typedFields(of p: DecodedPacket) -> [TypedRow] {
        var rows: [TypedRow] = []
        rows.reserveCapacity(p.layers.count * 8 + 3)
        rows.append(("Frame", "captured length", .number("\(p.capturedLength)")))
        rows.append(("Frame", "wire length", .number("\(p.wireLength)")))
        for layer in p.layers {
            let name = layer.name
            func add(_ field: String, _ value: String) { rows.append((name, field, .text(value))) }
            /// A count, length, port or other plain number: a JSON number in `capture --json`.
            func num<T: BinaryInteger>(_ field: String, _ value: T) { rows.append((name, field, .number("\(value)"))) }
            func flag(_ field: String, _ value: Bool) { rows.append((name, field, .flag(value))) }
            switch layer {
            case .sll(let h):
                add("packet type", h.packetType.label)
                num("hardware type", h.hardwareType)
                if let a = h.address { add("source address", a.description) }
                add("protocol", etherType(h.protocolType))
            case .sll2(let h):
                num("interface index", h.interfaceIndex)
                add("packet type", h.packetType.label)
                num("hardware type", h.hardwareType)
                if let a = h.address { add("source address", a.description) }
                add("protocol", etherType(h.protocolType))
            case .ethernet(let e):
                add("destination", e.destination.description)
                add("source", e.source.description)
                add(e.etherType <= 1500 ? "length" : "type", e.etherType <= 1500 ? "\(e.etherType)" : etherType(e.etherType))
            case .vlan(let v):
                add("tpid", ProtocolNames.hex16(v.tpid))
                num("priority", v.priority)
                flag("drop eligible", v.dropEligible)
                num("vlan id", v.vlanID)
                add("type", etherType(v.etherType))
            case .arp(let a):
                num("hardware type", a.hardwareType)
                add("protocol type", ProtocolNames.hex16(a.protocolType))
                add("operation", a.operation == 1 ? "request (1)" : a.operation == 2 ? "reply (2)" : "\(a.operation)")
                if let v = a.senderMAC { add("sender MAC", v.description) }
                if let v = a.senderIP { add("sender IP", v.description) }
                if let v = a.targetMAC { add("target MAC", v.description) }
                if let v = a.targetIP { add("target IP", v.description) }
            case .ipv4(let ip):
                add("source", ip.source.description)
                add("destination", ip.destination.description)
                num("header length", ip.headerLength)
                num("dscp", ip.dscp)
                num("ecn", ip.ecn)
                num("total length", ip.totalLength)
                add("identification", ProtocolNames.hex16(ip.identification) + " (\(ip.identification))")
                add("flags", (ip.dontFragment ? "DF" : "") + (ip.dontFragment && ip.moreFragments ? "," : "") + (ip.moreFragments ? "MF" : ""))
                num("fragment offset", ip.fragmentOffset)
                num("ttl", ip.ttl)
                add("protocol", "\(ProtocolNames.ipProtocol(ip.protocolNumber)) (\(ip.protocolNumber))")
                add("checksum", ProtocolNames.hex16(ip.checksum))
                if !ip.optionTypes.isEmpty { add("options", ip.optionTypes.map { "\($0)" }.joined(separator: ",")) }
            case .ipv6(let ip):
                add("source", ip.source.description)
                add("destination", ip.destination.description)
                num("traffic class", ip.trafficClass)
                add("flow label", "0x" + String(ip.flowLabel, radix: 16))
                num("payload length", ip.payloadLength)
                add("next header", "\(ProtocolNames.ipProtocol(ip.nextHeader)) (\(ip.nextHeader))")
                num("hop limit", ip.hopLimit)
            case .ipv6Extension(let e):
                add("next header", "\(ProtocolNames.ipProtocol(e.nextHeader)) (\(e.nextHeader))")
                num("length", e.length)
                if e.kind == .routing {
                    num("routing type", e.routingType)
                    num("segments left", e.segmentsLeft)
                }
                if e.kind == .fragment {
                    num("offset", e.fragmentOffset)
                    flag("more fragments", e.moreFragments)
                    add("identification", "0x" + String(e.identification, radix: 16))
                }
            case .icmp(let m):
                add("type", "\(ProtocolNames.icmpType(m.type)) (\(m.type))")
                if m.type == 3, let name = ProtocolNames.icmpUnreachableCode(m.code) {
                    add("code", "\(name) (\(m.code))")
                } else {
                    num("code", m.code)
                }
                add("checksum", ProtocolNames.hex16(m.checksum))
                if m.isEcho {
                    num("identifier", m.identifier)
                    num("sequence", m.sequence)
                }
                if let q = m.quoted {
                    add("quoted", "\(q.source) > \(q.destination) proto \(q.protocolNumber)"
                        + (q.destinationPort.map { " port \($0)" } ?? ""))
                }
                num("length", m.length)
            case .icmpv6(let m):
                add("type", "\(ProtocolNames.icmpv6Type(m.type)) (\(m.type))")
                num("code", m.code)
                add("checksum", ProtocolNames.hex16(m.checksum))
                if m.type == 128 || m.type == 129 {
                    num("identifier", m.identifier)
                    num("sequence", m.sequence)
                }
                if let t = m.targetAddress { add("target", t.description) }
                if m.type == 136 {
                    add("flags", [m.isRouter ? "router" : nil, m.isSolicited ? "solicited" : nil,
                                  m.isOverride ? "override" : nil].compactMap { $0 }.joined(separator: ","))
                }
                if let v = m.sourceLinkLayerAddress { add("source link-layer address", v.description) }
                if let v = m.targetLinkLayerAddress { add("target link-layer address", v.description) }
                if let v = m.currentHopLimit { num("current hop limit", v) }
                if let v = m.routerLifetime { num("router lifetime", v) }
                num("length", m.length)
            case .tcp(let t):
                num("source port", t.sourcePort)
                num("destination port", t.destinationPort)
                num("sequence number", t.sequenceNumber)
                num("acknowledgment number", t.acknowledgmentNumber)
                num("header length", t.headerLength)
                add("flags", "[\(t.flags.tcpdumpString)] (0x\(String(t.flags.rawValue, radix: 16)))")
                num("window", t.window)
                add("checksum", ProtocolNames.hex16(t.checksum))
                num("urgent pointer", t.urgentPointer)
                num("options length", t.optionsLength)
                if let v = t.maximumSegmentSize { num("mss", v) }
                if let v = t.windowScale { num("window scale", v) }
                if t.sackPermitted { add("sack permitted", "true") }
                if let v = t.timestampValue, let e = t.timestampEcho { add("timestamps", "val \(v) ecr \(e)") }
                num("payload length", t.payloadLength)
            case .udp(let u):
                num("source port", u.sourcePort)
                num("destination port", u.destinationPort)
                num("length", u.length)
                add("checksum", ProtocolNames.hex16(u.checksum))
            case .vxlan(let v):
                add("flags", "0x" + String(v.flags, radix: 16))
                num("vni", v.vni)
            case .dns(let d):
                num("id", d.id)
                add("type", d.isResponse ? "response" : "query")
                add("flags", ProtocolNames.hex16(d.flags))
                if d.isResponse { num("rcode", d.responseCode) }
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
                if let v = d.leaseTime { num("lease time", v) }
                if let v = d.subnetMask { add("subnet mask", v.description) }
                if let v = d.router { add("router", v.description) }
                if let v = d.hostname { add("hostname", v) }
            case .payload(let p):
                num("offset", p.offset)
                num("length", p.length)
                add("context", p.context)
            }
        }
        switch p.status {
        case .complete: break
        case .truncated(let layer): rows.append(("Frame", "truncated", .text(layer)))
        case .malformed(let reason): rows.append(("Frame", "malformed", .text(reason)))
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

/// A decoded field's value: what the detail view prints, and how `capture --json` writes it (numbers and
/// flags as JSON numbers and booleans, never as strings).
public enum FieldValue: Sendable, Equatable, CustomStringConvertible, Encodable {
    /// A plain decimal number (a length, port, TTL, count), as its digits.
    case number(String)
    case flag(Bool)
    /// Anything else: addresses, names, hex, "echo request (8)".
    case text(String)

    public var description: String {
        switch self {
        case .number(let digits): return digits
        case .flag(let b): return b ? "true" : "false"
        case .text(let s): return s
        }
    }
}

extension FieldValue {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let digits):
            if let u = UInt64(digits) { try c.encode(u) } else if let i = Int64(digits) { try c.encode(i) } else { try c.encode(digits) }
        case .flag(let b): try c.encode(b)
        case .text(let s): try c.encode(s)
        }
    }
}
