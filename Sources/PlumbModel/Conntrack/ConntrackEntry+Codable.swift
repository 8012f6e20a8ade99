/// The JSON form of conntrack entries (docs/json.md): names rather than numbers where people read them
/// (protocol, TCP state, status bits, NAT), ports or ICMP fields only where the protocol has them, counters
/// only when accounting is on. PlumbCLI's hand-written writer produces the same bytes; a test compares them.
extension ConntrackEntry: Codable {
    enum CodingKeys: String, CodingKey {
        case family, `protocol`, protocolNumber, state, original, reply, nat, status, mark, zone, timeout, counters, id
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(family, forKey: .family)
        try c.encode(protocolName, forKey: .protocol)
        try c.encode(protocolNumber, forKey: .protocolNumber)
        try c.encodeIfPresent(tcpState?.name, forKey: .state)
        try c.encode(original, forKey: .original)
        try c.encode(reply, forKey: .reply)
        try c.encode(nat, forKey: .nat)
        try c.encode(status.names, forKey: .status)
        try c.encode(mark, forKey: .mark)
        try c.encode(zone, forKey: .zone)
        try c.encodeIfPresent(timeout, forKey: .timeout)
        try c.encodeIfPresent(counters, forKey: .counters)
        try c.encode(id, forKey: .id)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        family = try c.decode(IPAddress.Family.self, forKey: .family)
        protocolNumber = try c.decode(UInt8.self, forKey: .protocolNumber)
        tcpState = try c.decodeIfPresent(String.self, forKey: .state).flatMap(ConntrackTCPState.init(name:))
        original = try c.decode(ConntrackTuple.self, forKey: .original)
        reply = try c.decode(ConntrackTuple.self, forKey: .reply)
        let names = try c.decode([String].self, forKey: .status)
        status = ConntrackStatus(rawValue: names.reduce(0) { bits, name in
            if let i = ConntrackStatus.bitNames.firstIndex(where: { $0.description == name }) { return bits | 1 << UInt32(i) }
            if name.hasPrefix("BIT_"), let i = UInt32(name.dropFirst(4)), i < 32 { return bits | 1 << i }
            return bits
        })
        mark = try c.decode(UInt32.self, forKey: .mark)
        zone = try c.decode(UInt16.self, forKey: .zone)
        timeout = try c.decodeIfPresent(UInt32.self, forKey: .timeout)
        counters = try c.decodeIfPresent(ConntrackCounters.self, forKey: .counters)
        id = try c.decode(UInt32.self, forKey: .id)
    }
}

extension ConntrackTuple: Codable {
    enum CodingKeys: String, CodingKey { case src, dst, sport, dport, icmpType, icmpCode, icmpId }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(src, forKey: .src)
        try c.encode(dst, forKey: .dst)
        try c.encodeIfPresent(srcPort, forKey: .sport)
        try c.encodeIfPresent(dstPort, forKey: .dport)
        if let icmp {
            try c.encode(icmp.type, forKey: .icmpType)
            try c.encode(icmp.code, forKey: .icmpCode)
            try c.encode(icmp.id, forKey: .icmpId)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        src = try c.decode(IPAddress.self, forKey: .src)
        dst = try c.decode(IPAddress.self, forKey: .dst)
        srcPort = try c.decodeIfPresent(UInt16.self, forKey: .sport)
        dstPort = try c.decodeIfPresent(UInt16.self, forKey: .dport)
        if let type = try c.decodeIfPresent(UInt8.self, forKey: .icmpType) {
            icmp = ICMPKey(type: type, code: try c.decode(UInt8.self, forKey: .icmpCode),
                           id: try c.decode(UInt16.self, forKey: .icmpId))
        } else {
            icmp = nil
        }
    }
}

