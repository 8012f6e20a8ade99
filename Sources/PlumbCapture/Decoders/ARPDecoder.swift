import PlumbModel

// ARP (RFC 826). Only Ethernet/IPv4 ARP has its addresses decoded; other hardware/protocol pairs keep the
// fixed header so they still show up with their operation.

enum ARPDecoder {
    static func decode(_ b: UnsafeRawBufferPointer, _ ctx: inout DecodeContext) {
        guard b.count >= 8 else { ctx.truncated("ARP"); return }
        let htype = b.be16(0), ptype = b.be16(2)
        let hlen = b[4], plen = b[5]
        var arp = ARPPacket(hardwareType: htype, protocolType: ptype, hardwareSize: hlen, protocolSize: plen,
                            operation: b.be16(6), length: b.count + ctx.uncapturedBytes)
        let bodyLength = 8 + 2 * (Int(hlen) + Int(plen))
        let isEthernetIPv4 = htype == 1 && ptype == 0x0800 && hlen == 6 && plen == 4
        if isEthernetIPv4 && b.count >= bodyLength {
            arp.senderMAC = MACAddress(b, at: 8)
            arp.senderIP = IPAddress(ipv4: b, at: 14)
            arp.targetMAC = MACAddress(b, at: 18)
            arp.targetIP = IPAddress(ipv4: b, at: 24)
        }
        ctx.append(.arp(arp))
        if b.count < bodyLength { ctx.truncated("ARP") }
    }
}
