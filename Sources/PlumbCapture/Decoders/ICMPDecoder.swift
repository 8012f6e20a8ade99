import PlumbModel

// ICMP (RFC 792) and ICMPv6 (RFC 4443) with the neighbor-discovery messages of RFC 4861.

enum ICMPDecoder {
    static func icmp(_ b: UnsafeRawBufferPointer, declaredLength: Int, captureCut: Bool, _ ctx: inout DecodeContext) {
        guard b.count >= 8 else { ctx.truncated("ICMP"); return }
        let type = b[0]
        var m = ICMPMessage(type: type, code: b[1], checksum: b.be16(2), identifier: b.be16(4), sequence: b.be16(6),
                            length: declaredLength, quoted: nil)
        // Errors quote the offending IP header + 8 bytes: enough to show which flow failed.
        if type == 3 || type == 11 || type == 12 || type == 5 || type == 4 {
            m.quoted = quotedDatagram(b.suffix(from: 8))
        }
        ctx.append(.icmp(m))
        if captureCut || b.count < declaredLength { ctx.truncated("ICMP") }
    }

    private static func quotedDatagram(_ q: UnsafeRawBufferPointer) -> QuotedDatagram? {
        guard q.count >= 20, q[0] >> 4 == 4 else { return nil }
        let ihl = Int(q[0] & 0x0F) * 4
        guard ihl >= 20 else { return nil }
        var d = QuotedDatagram(protocolNumber: q[9], source: IPAddress(ipv4: q, at: 12), destination: IPAddress(ipv4: q, at: 16),
                               sourcePort: nil, destinationPort: nil)
        if (d.protocolNumber == 6 || d.protocolNumber == 17), q.count >= ihl + 4 {
            d.sourcePort = q.be16(ihl)
            d.destinationPort = q.be16(ihl + 2)
        }
        return d
    }

    static func icmpv6(_ b: UnsafeRawBufferPointer, declaredLength: Int, captureCut: Bool, _ ctx: inout DecodeContext) {
        guard b.count >= 8 else { ctx.truncated("ICMPv6"); return }
        let type = b[0]
        var m = ICMPv6Message(type: type, code: b[1], checksum: b.be16(2), identifier: b.be16(4), sequence: b.be16(6),
                              length: declaredLength)
        var optionsStart = -1
        switch type {
        case 133:  // router solicitation: 4 reserved bytes, then options
            optionsStart = 8
        case 134:  // router advertisement
            m.currentHopLimit = b[4]
            m.routerLifetime = b.be16(6)
            optionsStart = 16
        case 135, 136:  // neighbor solicitation / advertisement
            if b.count >= 24 {
                m.targetAddress = IPAddress(ipv6: b, at: 8)
                optionsStart = 24
            }
            if type == 136 {
                m.isRouter = b[4] & 0x80 != 0
                m.isSolicited = b[4] & 0x40 != 0
                m.isOverride = b[4] & 0x20 != 0
            }
        case 1, 2, 3, 4:  // errors quote the offending packet
            quotedIPv6(b.suffix(from: 8), into: &m)
        case 137:  // redirect: target then destination
            if b.count >= 24 { m.targetAddress = IPAddress(ipv6: b, at: 8) }
            optionsStart = 40
        default:
            break
        }
        if optionsStart >= 0 { readNDOptions(b.suffix(from: optionsStart), into: &m) }
        ctx.append(.icmpv6(m))
        let fixed = type == 134 ? 16 : (type == 135 || type == 136) ? 24 : type == 137 ? 40 : 8
        if captureCut || b.count < declaredLength || b.count < fixed { ctx.truncated("ICMPv6") }
    }

    private static func quotedIPv6(_ q: UnsafeRawBufferPointer, into m: inout ICMPv6Message) {
        guard q.count >= 40, q[0] >> 4 == 6 else { return }
        m.quotedDestination = IPAddress(ipv6: q, at: 24)
        var next = q[6]
        var pos = 40
        // Walk the quoted extension headers (bounded: each is at least 8 bytes, and at most 8 are followed).
        for _ in 0..<8 {
            guard next == 0 || next == 43 || next == 60 || next == 44 || next == 51, pos + 2 <= q.count else { break }
            let len = next == 44 ? 8 : next == 51 ? (Int(q[pos + 1]) + 2) * 4 : (Int(q[pos + 1]) + 1) * 8
            next = q[pos]
            pos += len
        }
        m.quotedProtocol = next
        if next == 6 || next == 17, pos + 4 <= q.count { m.quotedDestinationPort = q.be16(pos + 2) }
    }

    /// ND options are type, length in 8-byte units, value. A zero length is invalid (and would loop), so stop.
    private static func readNDOptions(_ o: UnsafeRawBufferPointer, into m: inout ICMPv6Message) {
        var i = 0
        while i + 2 <= o.count {
            let type = o[i]
            let len = Int(o[i + 1]) * 8
            guard len > 0, i + len <= o.count else { return }
            if len >= 8 {
                if type == 1 { m.sourceLinkLayerAddress = MACAddress(o, at: i + 2) }
                if type == 2 { m.targetLinkLayerAddress = MACAddress(o, at: i + 2) }
            }
            i += len
        }
    }
}
