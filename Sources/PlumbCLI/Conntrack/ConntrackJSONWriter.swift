import PlumbModel

/// The hand-written JSON of a conntrack entry: a 100,000-entry table through Codable costs a container and
/// an encoder object per tuple. Keys, order and shapes equal `ConntrackEntry`'s Codable form exactly
/// (`JSONEncodingTests` compares them).
extension ConntrackEntry: FastJSONWritable {
    func writeJSON(_ w: JSONSink) {
        w.open(0x7B)
        w.key("family"); w.string(family.rawValue)
        w.key("protocol"); w.string(protocolName)
        w.key("protocolNumber"); w.unsigned(UInt64(protocolNumber))
        if let s = tcpState { w.key("state"); w.string(s.name) }
        w.key("original"); original.writeJSON(w)
        w.key("reply"); reply.writeJSON(w)
        w.key("nat"); w.string(nat.rawValue)
        w.key("status")
        w.open(0x5B)
        var bits = status.rawValue, bit = 0
        while bits != 0 {
            if bits & 1 != 0 {
                w.beginElement()
                if bit < ConntrackStatus.bitNames.count {
                    w.quoted(ConntrackStatus.bitNames[bit])
                } else {
                    w.string("BIT_\(bit)")
                }
            }
            bits >>= 1; bit += 1
        }
        w.close(0x5D)
        w.key("mark"); w.unsigned(UInt64(mark))
        w.key("zone"); w.unsigned(UInt64(zone))
        if let t = timeout { w.key("timeout"); w.unsigned(UInt64(t)) }
        if let c = counters {
            w.key("counters")
            w.open(0x7B)
            w.key("originalPackets"); w.unsigned(c.originalPackets)
            w.key("originalBytes"); w.unsigned(c.originalBytes)
            w.key("replyPackets"); w.unsigned(c.replyPackets)
            w.key("replyBytes"); w.unsigned(c.replyBytes)
            w.close(0x7D)
        }
        w.key("id"); w.unsigned(UInt64(id))
        w.close(0x7D)
    }
}

extension ConntrackTuple {
    func writeJSON(_ w: JSONSink) {
        w.open(0x7B)
        w.key("src"); w.address(src)
        w.key("dst"); w.address(dst)
        if let p = srcPort { w.key("sport"); w.unsigned(UInt64(p)) }
        if let p = dstPort { w.key("dport"); w.unsigned(UInt64(p)) }
        if let i = icmp {
            w.key("icmpType"); w.unsigned(UInt64(i.type))
            w.key("icmpCode"); w.unsigned(UInt64(i.code))
            w.key("icmpId"); w.unsigned(UInt64(i.id))
        }
        w.close(0x7D)
    }
}
