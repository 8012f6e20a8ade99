// Entry points of the decoder and the state threaded through the layer decoders.
//
// Design: each layer decoder receives the bytes of its own header and payload as an `UnsafeRawBufferPointer`
// slice (no copies), checks lengths before every read, appends its typed header to `DecodeContext.layers` and
// hands the payload to the next decoder. The first problem found (truncated or malformed) is recorded and
// decoding stops there, so the result is always "a valid prefix + a marker". Recursion only happens for
// encapsulation (VXLAN) and is bounded by `DecodeContext.maxEncapsulationDepth`.

struct DecodeContext {
    var layers: [Layer] = []
    var status: DecodeStatus = .complete
    /// Start of the whole frame, to express payload positions as frame offsets.
    let frameStart: UnsafeRawPointer?
    /// Bytes the capture dropped (wire length - captured length), for link-level lengths tcpdump prints.
    let uncapturedBytes: Int
    /// Current VXLAN nesting.
    var encapsulationDepth = 0

    static let maxEncapsulationDepth = 8

    init(frameStart: UnsafeRawPointer?, uncapturedBytes: Int) {
        self.frameStart = frameStart
        self.uncapturedBytes = uncapturedBytes
        layers.reserveCapacity(8)
    }

    var isHealthy: Bool { status == .complete }

    /// Records that the named layer needed bytes the capture does not have. The first problem wins.
    mutating func truncated(_ layer: String) {
        if status == .complete { status = .truncated(layer: layer) }
    }

    mutating func malformed(_ reason: String) {
        if status == .complete { status = .malformed(reason) }
    }

    /// A layer whose declared content ran past the available bytes: truncation if the capture was cut, a
    /// malformed packet otherwise (the sender declared more than it sent).
    mutating func ranOut(_ layer: String, captureCut: Bool, _ reason: @autoclosure () -> String) {
        if captureCut { truncated(layer) } else { malformed(reason()) }
    }

    mutating func append(_ layer: Layer) { layers.append(layer) }

    mutating func appendPayload(_ bytes: UnsafeRawBufferPointer, _ context: String) {
        guard bytes.count > 0 else { return }
        var offset = 0
        if let start = frameStart, let base = bytes.baseAddress { offset = start.distance(to: base) }
        layers.append(.payload(Payload(offset: offset, length: bytes.count, context: context)))
    }
}

public enum PacketDecoder {
    /// Decodes a frame of the given link type. `wireLength` is the original length from the capture record; it
    /// lets the decoder tell snaplen truncation from malformed lengths and report tcpdump's link-level lengths.
    public static func decode(_ bytes: [UInt8], linkType: LinkType, wireLength: Int? = nil) -> DecodedPacket {
        bytes.withUnsafeBytes { decode($0, linkType: linkType, wireLength: wireLength) }
    }

    public static func decode(_ buffer: UnsafeRawBufferPointer, linkType: LinkType, wireLength: Int? = nil) -> DecodedPacket {
        guard let start = linkType.startLayer else {
            var ctx = DecodeContext(frameStart: buffer.baseAddress, uncapturedBytes: 0)
            ctx.appendPayload(buffer, "link type \(linkType.rawValue)")
            ctx.malformed("unsupported link type \(linkType.rawValue)")
            return DecodedPacket(layers: ctx.layers, status: ctx.status, capturedLength: buffer.count,
                                 wireLength: max(wireLength ?? buffer.count, buffer.count))
        }
        return decode(buffer, startingAt: start, wireLength: wireLength)
    }

    public static func decode(_ bytes: [UInt8], startingAt start: StartLayer, wireLength: Int? = nil) -> DecodedPacket {
        bytes.withUnsafeBytes { decode($0, startingAt: start, wireLength: wireLength) }
    }

    /// Decodes bytes that begin with the header of `start` (any layer, not only link layers).
    public static func decode(_ buffer: UnsafeRawBufferPointer, startingAt start: StartLayer,
                              wireLength: Int? = nil) -> DecodedPacket {
        let wire = max(wireLength ?? buffer.count, buffer.count)
        let cut = wire > buffer.count
        var ctx = DecodeContext(frameStart: buffer.baseAddress, uncapturedBytes: wire - buffer.count)
        switch start {
        case .ethernet: LinkDecoder.ethernet(buffer, &ctx)
        case .linuxSLL: LinkDecoder.sll(buffer, &ctx)
        case .linuxSLL2: LinkDecoder.sll2(buffer, &ctx)
        case .rawIP: LinkDecoder.rawIP(buffer, &ctx)
        case .ipv4: IPv4Decoder.decode(buffer, &ctx)
        case .ipv6: IPv6Decoder.decode(buffer, &ctx)
        case .arp: ARPDecoder.decode(buffer, &ctx)
        case .icmp: ICMPDecoder.icmp(buffer, declaredLength: wire, captureCut: cut, &ctx)
        case .icmpv6: ICMPDecoder.icmpv6(buffer, declaredLength: wire, captureCut: cut, &ctx)
        case .tcp: TransportDecoder.tcp(buffer, declaredLength: wire, captureCut: cut, &ctx)
        case .udp: TransportDecoder.udp(buffer, declaredLength: wire, captureCut: cut, fragment: false, &ctx)
        case .vxlan: VXLANDecoder.decode(buffer, &ctx)
        case .dns: DNSDecoder.decode(buffer, declaredLength: wire, captureCut: cut, &ctx)
        case .dhcp: DHCPDecoder.decode(buffer, declaredLength: wire, captureCut: cut, &ctx)
        }
        // Catch-all: a layer that does not track lengths itself (an unknown EtherType, say) still must not
        // report a snaplen-cut frame as complete.
        if ctx.isHealthy && cut {
            ctx.truncated(ctx.layers.last?.name ?? "frame")
        }
        return DecodedPacket(layers: ctx.layers, status: ctx.status, capturedLength: buffer.count, wireLength: wire)
    }
}
