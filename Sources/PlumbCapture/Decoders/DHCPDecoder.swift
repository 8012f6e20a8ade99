import PlumbModel

// DHCP (RFC 2131/2132) over BOOTP (RFC 951): the fixed 236-byte BOOTP header, the magic cookie, and the
// options Plumb shows when explaining why a container got (or did not get) an address.

enum DHCPDecoder {
    static let fixedLength = 236
    static let magicCookie: UInt32 = 0x6382_5363

    static func decode(_ b: UnsafeRawBufferPointer, declaredLength: Int, captureCut: Bool, _ ctx: inout DecodeContext) {
        let cut = captureCut || b.count < declaredLength
        guard b.count >= fixedLength else {
            ctx.ranOut("DHCP", captureCut: cut, "DHCP: \(b.count) bytes, shorter than the BOOTP header")
            return
        }
        let htype = b[1], hlen = b[2]
        var m = DHCPMessage(op: b[0], hardwareType: htype, hardwareLength: hlen, hops: b[3], transactionID: b.be32(4),
                            seconds: b.be16(8), flags: b.be16(10), clientIP: IPAddress(ipv4: b, at: 12),
                            yourIP: IPAddress(ipv4: b, at: 16), serverIP: IPAddress(ipv4: b, at: 20),
                            gatewayIP: IPAddress(ipv4: b, at: 24),
                            clientMAC: htype == 1 && hlen == 6 ? MACAddress(b, at: 28) : nil,
                            hasMagicCookie: false, messageLength: declaredLength)
        var problem: String?
        if b.count >= fixedLength + 4, b.be32(fixedLength) == magicCookie {
            m.hasMagicCookie = true
            problem = readOptions(b.suffix(from: fixedLength + 4), into: &m)
        }
        ctx.append(.dhcp(m))
        if let problem { ctx.ranOut("DHCP", captureCut: cut, problem) } else if cut { ctx.truncated("DHCP") }
    }

    /// Returns a problem description if an option runs past the end; options of the wrong size are ignored.
    private static func readOptions(_ o: UnsafeRawBufferPointer, into m: inout DHCPMessage) -> String? {
        var i = 0
        while i < o.count {
            let code = o[i]
            if code == 0 { i += 1; continue }       // pad
            if code == 255 { return nil }           // end
            guard i + 1 < o.count else { return "DHCP: option \(code) past end" }
            let len = Int(o[i + 1])
            let v = i + 2
            guard v + len <= o.count else { return "DHCP: option \(code) past end" }
            switch (code, len) {
            case (53, 1): m.messageType = DHCPMessageType(rawValue: o[v])
            case (50, 4): m.requestedIP = IPAddress(ipv4: o, at: v)
            case (54, 4): m.serverIdentifier = IPAddress(ipv4: o, at: v)
            case (51, 4): m.leaseTime = o.be32(v)
            case (1, 4): m.subnetMask = IPAddress(ipv4: o, at: v)
            case (3, 4...): m.router = IPAddress(ipv4: o, at: v)
            case (12, 1...):
                m.hostname = String(decoding: UnsafeRawBufferPointer(rebasing: o[v..<(v + len)]), as: UTF8.self)
            default: break
            }
            i = v + len
        }
        // No end option: allowed in practice (some clients rely on the UDP length), so not an error.
        return nil
    }
}
