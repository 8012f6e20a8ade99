import PlumbModel

// IPv6 (RFC 8200): fixed header, then a chain of extension headers walked until the upper-layer protocol.

enum IPv6Decoder {
    /// Extension headers are at least 8 bytes each, so the chain is bounded by the payload anyway; the limit
    /// just keeps a pathological packet from producing hundreds of layers.
    static let maxExtensionHeaders = 16

    static func decode(_ b: UnsafeRawBufferPointer, _ ctx: inout DecodeContext) {
        guard b.count >= 1 else { ctx.truncated("IPv6"); return }
        let version = b[0] >> 4
        guard version == 6 else { ctx.malformed("IPv6: version \(version)"); return }
        guard b.count >= 40 else { ctx.truncated("IPv6"); return }
        let word0 = b.be32(0)
        let payloadLength = Int(b.be16(4))
        let header = IPv6Header(trafficClass: UInt8(truncatingIfNeeded: word0 >> 20), flowLabel: word0 & 0xF_FFFF,
                                payloadLength: UInt16(payloadLength), nextHeader: b[6], hopLimit: b[7],
                                source: IPAddress(ipv6: b, at: 8), destination: IPAddress(ipv6: b, at: 24))
        ctx.append(.ipv6(header))

        // Payload length 0 means a jumbogram (RFC 2675) or garbage: either way, use what was captured.
        let declaredTotal = payloadLength == 0 ? b.count - 40 : payloadLength
        let captureCut = 40 + declaredTotal > b.count
        var rest = b.slice(40, 40 + declaredTotal)
        var declared = declaredTotal
        var next = header.nextHeader
        var fragment = false

        for _ in 0..<maxExtensionHeaders {
            guard let kind = IPv6ExtensionHeader.Kind(rawValue: next) else { break }
            guard rest.count >= 2 else {
                ctx.ranOut("IPv6", captureCut: captureCut, "IPv6: extension header \(next) past end of payload")
                return
            }
            let length: Int
            switch kind {
            case .fragment: length = 8
            case .authentication: length = (Int(rest[1]) + 2) * 4
            default: length = (Int(rest[1]) + 1) * 8
            }
            guard rest.count >= length, rest.count >= 8 else {
                ctx.ranOut("IPv6", captureCut: captureCut, "IPv6: extension header \(next) past end of payload")
                return
            }
            var ext = IPv6ExtensionHeader(kind: kind, nextHeader: rest[0], length: length)
            if kind == .routing {
                ext.routingType = rest[2]
                ext.segmentsLeft = rest[3]
            }
            if kind == .fragment {
                let field = rest.be16(2)
                ext.fragmentOffset = Int(field & 0xFFF8)
                ext.moreFragments = field & 1 != 0
                ext.identification = rest.be32(4)
                ext.fragmentLength = max(0, declared - 8)
            }
            ctx.append(.ipv6Extension(ext))
            next = ext.nextHeader
            rest = rest.suffix(from: length)
            declared = max(0, declared - length)
            if kind == .fragment {
                if ext.fragmentOffset != 0 {
                    ctx.appendPayload(rest, "IPv6 fragment")
                    if captureCut { ctx.truncated("IPv6") }
                    return
                }
                fragment = ext.moreFragments
            }
        }
        if next == 59 {  // No Next Header
            if captureCut { ctx.truncated("IPv6") }
            return
        }
        IPPayloadDispatch.dispatch(protocolNumber: next, rest, declaredLength: declared, captureCut: captureCut,
                                   fragment: fragment, isIPv6: true, network: "IPv6", &ctx)
    }
}
