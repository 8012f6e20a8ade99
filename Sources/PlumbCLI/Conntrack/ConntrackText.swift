import PlumbModel

/// Conntrack entries as text lines in the shape `conntrack -L` prints (the fields people know, in its
/// order), formatted straight into bytes: no String per field.
///
///     tcp 431999 ESTABLISHED src=10.0.0.2 dst=10.0.0.9 sport=41000 dport=80 src=172.17.0.2 dst=10.0.0.2 sport=80 dport=41000 [ASSURED] mark=0 nat=dnat
struct ConntrackText {
    var bytes: [UInt8] = []

    mutating func line(_ e: ConntrackEntry, event: ConntrackEvent.Kind? = nil) {
        if let event { put(Self.eventTag(event)) }
        put(e.protocolName)
        if let t = e.timeout { put(" "); number(UInt64(t)) }
        if let s = e.tcpState { put(" "); put(s.name) }
        tuple(e.original)
        if let c = e.counters { counters(c.originalPackets, c.originalBytes) }
        if !e.status.contains(.seenReply) { put(" [UNREPLIED]") }
        tuple(e.reply)
        if let c = e.counters { counters(c.replyPackets, c.replyBytes) }
        if e.status.contains(.assured) { put(" [ASSURED]") }
        put(" mark="); number(UInt64(e.mark))
        if e.zone != 0 { put(" zone="); number(UInt64(e.zone)) }
        let nat = e.nat
        if nat != .none { put(" nat="); put(nat.rawValue) }
        bytes.append(0x0A)
    }

    static func eventTag(_ k: ConntrackEvent.Kind) -> String {
        switch k {
        case .new: return "    [NEW] "
        case .update: return " [UPDATE] "
        case .destroy: return "[DESTROY] "
        }
    }

    private mutating func tuple(_ t: ConntrackTuple) {
        put(" src="); address(t.src)
        put(" dst="); address(t.dst)
        if let s = t.srcPort, let d = t.dstPort {
            put(" sport="); number(UInt64(s))
            put(" dport="); number(UInt64(d))
        }
        if let i = t.icmp {
            put(" type="); number(UInt64(i.type))
            put(" code="); number(UInt64(i.code))
            put(" id="); number(UInt64(i.id))
        }
    }

    private mutating func counters(_ packets: UInt64, _ bytes: UInt64) {
        put(" packets="); number(packets)
        put(" bytes="); number(bytes)
    }

    private mutating func put(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    private mutating func address(_ a: IPAddress) { a.append(to: &bytes) }

    private mutating func number(_ v: UInt64) {
        if v < 10 { bytes.append(0x30 + UInt8(v)); return }
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 20 digits at most, filled from the end
        withUnsafeMutableBytes(of: &digits) { buf in
            var x = v, i = 32
            while x > 0 { i -= 1; buf[i] = 0x30 + UInt8(x % 10); x /= 10 }
            bytes.append(contentsOf: buf[i..<32])
        }
    }
}
