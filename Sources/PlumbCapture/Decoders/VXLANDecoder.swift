// VXLAN (RFC 7348): 8-byte header with the 24-bit VNI, then a whole Ethernet frame decoded recursively.

enum VXLANDecoder {
    static func decode(_ b: UnsafeRawBufferPointer, _ ctx: inout DecodeContext) {
        guard b.count >= 8 else { ctx.truncated("VXLAN"); return }
        let vni = b.be32(4) >> 8
        ctx.append(.vxlan(VXLANHeader(flags: b[0], vni: vni)))
        guard ctx.encapsulationDepth < DecodeContext.maxEncapsulationDepth else {
            ctx.malformed("VXLAN: more than \(DecodeContext.maxEncapsulationDepth) nested encapsulations")
            return
        }
        ctx.encapsulationDepth += 1
        LinkDecoder.ethernet(b.suffix(from: 8), &ctx)
        ctx.encapsulationDepth -= 1
    }
}
