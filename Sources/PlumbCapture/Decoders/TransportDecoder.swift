// TCP (RFC 9293) and UDP (RFC 768), and the UDP port dispatch to VXLAN, DNS and DHCP.

enum TransportDecoder {
    static func tcp(_ b: UnsafeRawBufferPointer, declaredLength: Int, captureCut: Bool, _ ctx: inout DecodeContext) {
        guard b.count >= 20 else { ctx.truncated("TCP"); return }
        let headerLength = Int(b[12] >> 4) * 4
        guard headerLength >= 20 else { ctx.malformed("TCP: data offset \(headerLength) < 20"); return }
        var seg = TCPSegment(sourcePort: b.be16(0), destinationPort: b.be16(2), sequenceNumber: b.be32(4),
                             acknowledgmentNumber: b.be32(8), headerLength: headerLength,
                             flags: TCPFlags(rawValue: b.be16(12) & 0x01FF), window: b.be16(14), checksum: b.be16(16),
                             urgentPointer: b.be16(18), optionsLength: headerLength - 20,
                             payloadLength: max(0, declaredLength - headerLength))
        if headerLength > 20 { readOptions(b.slice(20, headerLength), into: &seg) }
        ctx.append(.tcp(seg))
        guard headerLength <= declaredLength else {
            ctx.malformed("TCP: header length \(headerLength) > segment length \(declaredLength)")
            return
        }
        guard b.count >= headerLength else { ctx.truncated("TCP"); return }
        ctx.appendPayload(b.suffix(from: headerLength), "TCP")
        if captureCut { ctx.truncated("TCP") }
    }

    /// Picks out MSS, window scale, SACK-permitted and timestamps. Stops quietly at a malformed option: the
    /// header itself is still valid, and tcpdump likewise just notes "bad opt".
    private static func readOptions(_ o: UnsafeRawBufferPointer, into seg: inout TCPSegment) {
        var i = 0
        while i < o.count {
            let kind = o[i]
            if kind == 0 { return }
            if kind == 1 { i += 1; continue }
            guard i + 1 < o.count else { return }
            let len = Int(o[i + 1])
            guard len >= 2, i + len <= o.count else { return }
            switch (kind, len) {
            case (2, 4): seg.maximumSegmentSize = o.be16(i + 2)
            case (3, 3): seg.windowScale = o[i + 2]
            case (4, 2): seg.sackPermitted = true
            case (8, 10):
                seg.timestampValue = o.be32(i + 2)
                seg.timestampEcho = o.be32(i + 6)
            default: break
            }
            i += len
        }
    }

    static func udp(_ b: UnsafeRawBufferPointer, declaredLength: Int, captureCut: Bool, fragment: Bool,
                    _ ctx: inout DecodeContext) {
        guard b.count >= 8 else { ctx.truncated("UDP"); return }
        let length = Int(b.be16(4))
        let dgram = UDPDatagram(sourcePort: b.be16(0), destinationPort: b.be16(2), length: UInt16(length),
                                checksum: b.be16(6))
        ctx.append(.udp(dgram))
        guard length >= 8 else { ctx.malformed("UDP: length \(length) < 8"); return }
        // The UDP length may not exceed what IP declared, except in a first fragment (IP then declares only the
        // fragment). A shorter UDP length leaves trailing bytes, which are ignored.
        if length > declaredLength && !fragment {
            ctx.malformed("UDP: length \(length) > IP payload \(declaredLength)")
            return
        }
        let payload = b.slice(8, length)
        let src = dgram.sourcePort, dst = dgram.destinationPort
        if fragment {
            // A first fragment holds only the start of the datagram: an application decoder would report the
            // rest as missing, which is reassembly's business, not a capture problem.
            ctx.appendPayload(payload, "UDP fragment")
            if captureCut { ctx.truncated("UDP") }
            return
        }
        let cut = captureCut || payload.count < length - 8
        if dst == 4789 || src == 4789 {
            VXLANDecoder.decode(payload, &ctx)
            if ctx.isHealthy && cut { ctx.truncated("VXLAN") }
        } else if dst == 53 || src == 53 || dst == 5353 || src == 5353 {
            DNSDecoder.decode(payload, declaredLength: length - 8, captureCut: cut, &ctx)
        } else if (dst == 67 || dst == 68) && (src == 67 || src == 68) {
            DHCPDecoder.decode(payload, declaredLength: length - 8, captureCut: cut, &ctx)
        } else {
            ctx.appendPayload(payload, "UDP")
            if cut { ctx.truncated("UDP") }
        }
    }
}
