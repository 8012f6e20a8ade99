import PlumbModel

// IPv4 (RFC 791): header with options, fragments, and dispatch to the transport decoders.

enum IPv4Decoder {
    static func decode(_ b: UnsafeRawBufferPointer, _ ctx: inout DecodeContext) {
        guard b.count >= 1 else { ctx.truncated("IPv4"); return }
        let version = b[0] >> 4
        guard version == 4 else { ctx.malformed("IPv4: version \(version)"); return }
        guard b.count >= 20 else { ctx.truncated("IPv4"); return }
        let headerLength = Int(b[0] & 0x0F) * 4
        guard headerLength >= 20 else { ctx.malformed("IPv4: header length \(headerLength) < 20"); return }
        let totalLength = Int(b.be16(2))
        guard totalLength >= headerLength else {
            ctx.malformed("IPv4: total length \(totalLength) < header length \(headerLength)")
            return
        }
        let fragField = b.be16(6)
        var header = IPv4Header(headerLength: headerLength, tos: b[1], totalLength: UInt16(totalLength),
                                identification: b.be16(4), dontFragment: fragField & 0x4000 != 0,
                                moreFragments: fragField & 0x2000 != 0, fragmentOffset: Int(fragField & 0x1FFF) * 8,
                                ttl: b[8], protocolNumber: b[9], checksum: b.be16(10),
                                source: IPAddress(ipv4: b, at: 12), destination: IPAddress(ipv4: b, at: 16), optionTypes: [])
        if headerLength > 20 { header.optionTypes = optionTypes(b.slice(20, headerLength)) }
        ctx.append(.ipv4(header))
        guard b.count >= headerLength else { ctx.truncated("IPv4"); return }

        // The slice ends at the declared total length: bytes after it are Ethernet padding, not payload.
        let captureCut = totalLength > b.count
        let payload = b.slice(headerLength, totalLength)
        let declared = totalLength - headerLength
        if header.fragmentOffset != 0 {
            // A later fragment: no transport header here to decode.
            ctx.appendPayload(payload, "IPv4 fragment")
            if captureCut { ctx.truncated("IPv4") }
            return
        }
        IPPayloadDispatch.dispatch(protocolNumber: header.protocolNumber, payload, declaredLength: declared,
                                   captureCut: captureCut, fragment: header.moreFragments, isIPv6: false,
                                   network: "IPv4", &ctx)
    }

    /// Option types in order; stops at EOL or at an option whose length is impossible (the header's length
    /// field already bounded the slice, so nothing here can read past it).
    static func optionTypes(_ o: UnsafeRawBufferPointer) -> [UInt8] {
        var types: [UInt8] = []
        var i = 0
        while i < o.count {
            let t = o[i]
            types.append(t)
            if t == 0 { break }
            if t == 1 { i += 1; continue }
            guard i + 1 < o.count else { break }
            let len = Int(o[i + 1])
            guard len >= 2 else { break }
            i += len
        }
        return types
    }
}

/// Hands an IP payload to the right transport decoder; shared by IPv4 and IPv6.
enum IPPayloadDispatch {
    static func dispatch(protocolNumber: UInt8, _ payload: UnsafeRawBufferPointer, declaredLength: Int,
                         captureCut: Bool, fragment: Bool, isIPv6: Bool, network: String,
                         _ ctx: inout DecodeContext) {
        switch protocolNumber {
        case 1 where !isIPv6:
            ICMPDecoder.icmp(payload, declaredLength: declaredLength, captureCut: captureCut, &ctx)
        case 58 where isIPv6:
            ICMPDecoder.icmpv6(payload, declaredLength: declaredLength, captureCut: captureCut, &ctx)
        case 6:
            TransportDecoder.tcp(payload, declaredLength: declaredLength, captureCut: captureCut, &ctx)
        case 17:
            TransportDecoder.udp(payload, declaredLength: declaredLength, captureCut: captureCut, fragment: fragment, &ctx)
        default:
            ctx.appendPayload(payload, "ip-proto-\(protocolNumber)")
            if captureCut { ctx.truncated(network) }
        }
    }
}
