// Link layers: Ethernet II (and 802.3 length frames), VLAN tag stacks, Linux cooked headers and raw IP.

enum LinkDecoder {
    static let ethernetHeaderLength = 14
    static let sllHeaderLength = 16
    static let sll2HeaderLength = 20

    static func ethernet(_ b: UnsafeRawBufferPointer, _ ctx: inout DecodeContext) {
        guard b.count >= ethernetHeaderLength else { ctx.truncated("Ethernet"); return }
        let type = b.be16(12)
        ctx.append(.ethernet(EthernetHeader(destination: MACAddress(b, at: 0), source: MACAddress(b, at: 6), etherType: type)))
        etherPayload(type: type, b.suffix(from: ethernetHeaderLength), &ctx)
    }

    /// Dispatches on an EtherType. VLAN tags are peeled in a loop (not recursion) so a frame made of nothing
    /// but tags costs one iteration per four bytes.
    static func etherPayload(type firstType: UInt16, _ bytes: UnsafeRawBufferPointer, _ ctx: inout DecodeContext) {
        var type = firstType
        var b = bytes
        while type == 0x8100 || type == 0x88A8 || type == 0x9100 {
            guard b.count >= 4 else { ctx.truncated("802.1Q"); return }
            let tci = b.be16(0)
            let next = b.be16(2)
            ctx.append(.vlan(VLANTag(tpid: type, priority: UInt8(tci >> 13), dropEligible: tci & 0x1000 != 0,
                                     vlanID: tci & 0x0FFF, etherType: next)))
            type = next
            b = b.suffix(from: 4)
        }
        switch type {
        case 0x0800: IPv4Decoder.decode(b, &ctx)
        case 0x86DD: IPv6Decoder.decode(b, &ctx)
        case 0x0806: ARPDecoder.decode(b, &ctx)
        default: ctx.appendPayload(b, type <= 1500 ? "802.3" : "ethertype")
        }
    }

    /// LINKTYPE_LINUX_SLL: packet type, ARPHRD type, address length, 8 address bytes, protocol.
    static func sll(_ b: UnsafeRawBufferPointer, _ ctx: inout DecodeContext) {
        guard b.count >= sllHeaderLength else { ctx.truncated("SLL"); return }
        let addrLen = b.be16(4)
        let proto = b.be16(14)
        let hw = b.be16(2)
        ctx.append(.sll(SLLHeader(packetType: CookedPacketType(rawValue: b.be16(0)), hardwareType: hw,
                                  addressLength: addrLen, address: addrLen == 6 ? MACAddress(b, at: 6) : nil,
                                  protocolType: proto)))
        cookedPayload(protocolType: proto, hardwareType: hw, b.suffix(from: sllHeaderLength), &ctx)
    }

    /// LINKTYPE_LINUX_SLL2: protocol, reserved, ifindex, ARPHRD type, packet type, address length, 8 address bytes.
    static func sll2(_ b: UnsafeRawBufferPointer, _ ctx: inout DecodeContext) {
        guard b.count >= sll2HeaderLength else { ctx.truncated("SLL2"); return }
        let proto = b.be16(0)
        let hw = b.be16(8)
        let addrLen = b[11]
        ctx.append(.sll2(SLL2Header(protocolType: proto, interfaceIndex: b.be32(4), hardwareType: hw,
                                    packetType: CookedPacketType(rawValue: UInt16(b[10])), addressLength: addrLen,
                                    address: addrLen == 6 ? MACAddress(b, at: 12) : nil)))
        cookedPayload(protocolType: proto, hardwareType: hw, b.suffix(from: sll2HeaderLength), &ctx)
    }

    /// The cooked protocol field is an EtherType except for a few Linux-specific values (802.3/802.2 frames,
    /// CAN, netlink...) that Plumb leaves undecoded.
    private static func cookedPayload(protocolType: UInt16, hardwareType: UInt16, _ b: UnsafeRawBufferPointer,
                                      _ ctx: inout DecodeContext) {
        // ARPHRD_NETLINK (824) carries netlink messages whose "protocol" is a netlink family, not an EtherType.
        if hardwareType == 824 || protocolType < 0x0600 {
            ctx.appendPayload(b, "cooked protocol \(protocolType)")
            return
        }
        etherPayload(type: protocolType, b, &ctx)
    }

    /// LINKTYPE_RAW: the IP version nibble says which header follows.
    static func rawIP(_ b: UnsafeRawBufferPointer, _ ctx: inout DecodeContext) {
        guard b.count >= 1 else { ctx.truncated("IP"); return }
        switch b[0] >> 4 {
        case 4: IPv4Decoder.decode(b, &ctx)
        case 6: IPv6Decoder.decode(b, &ctx)
        default: ctx.malformed("raw IP: version \(b[0] >> 4)")
        }
    }
}
