// pcapng writer: one Section Header Block, one Interface Description Block per capture interface, then an
// Enhanced Packet Block per packet. Interfaces can be added at any time (Plumb captures on several container
// interfaces at once and merges them into one file, which classic pcap cannot describe).

public final class PcapngWriter {
    public private(set) var interfaces: [CaptureInterface] = []
    private let sink: any ByteSink
    /// The same sink when it is a file: records are then built in its buffer (cast once, not per packet).
    /// Unmanaged: `sink` holds it strongly; the per-packet path then costs no reference counting.
    private let fileSink: Unmanaged<FileSink>?
    private var scratch: [UInt8] = []

    /// Writes the section header. `comment` becomes the SHB opt_comment (tshark -r shows it with capinfos or
    /// in Statistics > Capture File Properties).
    public init(sink: any ByteSink, comment: String? = nil, hardware: String? = nil, os: String? = nil,
                application: String? = "Plumb") throws {
        self.sink = sink
        self.fileSink = (sink as? FileSink).map { Unmanaged.passUnretained($0) }
        var body: [UInt8] = []
        body.appendLE32(Pcapng.byteOrderMagic)
        body.appendLE16(1)                          // major version
        body.appendLE16(0)                          // minor version
        body.appendLE64(0xFFFF_FFFF_FFFF_FFFF)      // section length: not specified
        Pcapng.appendStringOption(Pcapng.optComment, comment, to: &body)
        Pcapng.appendStringOption(Pcapng.shbHardware, hardware, to: &body)
        Pcapng.appendStringOption(Pcapng.shbOS, os, to: &body)
        Pcapng.appendStringOption(Pcapng.shbUserApplication, application, to: &body)
        if comment != nil || hardware != nil || os != nil || application != nil {
            Pcapng.appendOption(Pcapng.optEnd, [], to: &body)
        }
        try sink.write(Pcapng.block(type: Pcapng.sectionHeaderBlock, body: body))
    }

    /// Writes an IDB and returns the interface ID to use in `write`.
    @discardableResult
    public func addInterface(_ interface: CaptureInterface) throws -> Int {
        var body: [UInt8] = []
        body.appendLE16(UInt16(truncatingIfNeeded: interface.linkType.rawValue))
        body.appendLE16(0)
        body.appendLE32(interface.snapLength)
        Pcapng.appendStringOption(Pcapng.ifName, interface.name, to: &body)
        Pcapng.appendStringOption(Pcapng.ifDescription, interface.description, to: &body)
        Pcapng.appendStringOption(Pcapng.optComment, interface.comment, to: &body)
        // Resolution 6 (microseconds) is the default and needs no option; anything else must be stated.
        if interface.timestampResolution != 6 {
            Pcapng.appendOption(Pcapng.ifTimestampResolution, [interface.timestampResolution], to: &body)
        }
        Pcapng.appendOption(Pcapng.optEnd, [], to: &body)
        try sink.write(Pcapng.block(type: Pcapng.interfaceDescriptionBlock, body: body))
        interfaces.append(interface)
        return interfaces.count - 1
    }

    public func write(_ packet: CapturedPacket) throws {
        try packet.data.withUnsafeBytes {
            try write($0, interfaceID: packet.interfaceID, timestamp: packet.timestamp,
                      originalLength: packet.originalLength, comment: packet.comment)
        }
    }

    public func write(_ data: UnsafeRawBufferPointer, interfaceID: Int, timestamp: PacketTimestamp,
                      originalLength: Int? = nil, comment: String? = nil) throws {
        guard interfaces.indices.contains(interfaceID) else {
            throw CaptureFileError.malformed("packet for interface \(interfaceID), but only \(interfaces.count) declared")
        }
        let iface = interfaces[interfaceID]
        let captured = min(data.count, Int(iface.snapLength == 0 ? UInt32.max : iface.snapLength))
        let units = Self.timestampUnits(timestamp, resolution: iface.timestampResolution)
        let padded = (captured + 3) & ~3
        if comment == nil, let ref = fileSink, let p = try ref._withUnsafeGuaranteedRef({ try $0.reserve(32 + padded) }) {
            // Live captures: the Enhanced Packet Block is built in the file buffer itself (one copy of the packet).
            let total = UInt32(32 + padded)
            p.storeBytes(of: Pcapng.enhancedPacketBlock.littleEndian, toByteOffset: 0, as: UInt32.self)
            p.storeBytes(of: total.littleEndian, toByteOffset: 4, as: UInt32.self)
            p.storeBytes(of: UInt32(interfaceID).littleEndian, toByteOffset: 8, as: UInt32.self)
            p.storeBytes(of: UInt32(truncatingIfNeeded: units >> 32).littleEndian, toByteOffset: 12, as: UInt32.self)
            p.storeBytes(of: UInt32(truncatingIfNeeded: units).littleEndian, toByteOffset: 16, as: UInt32.self)
            p.storeBytes(of: UInt32(captured).littleEndian, toByteOffset: 20, as: UInt32.self)
            p.storeBytes(of: UInt32(clamping: max(originalLength ?? data.count, data.count)).littleEndian, toByteOffset: 24, as: UInt32.self)
            if captured > 0 { (p + 28).copyMemory(from: data.baseAddress!, byteCount: captured) }
            if padded > captured { (p + 28 + captured).initializeMemory(as: UInt8.self, repeating: 0, count: padded - captured) }
            p.storeBytes(of: total.littleEndian, toByteOffset: 28 + padded, as: UInt32.self)
            return
        }

        scratch.removeAll(keepingCapacity: true)
        scratch.appendLE32(Pcapng.enhancedPacketBlock)
        scratch.appendLE32(0)  // total length, patched below once the options are known
        scratch.appendLE32(UInt32(interfaceID))
        scratch.appendLE32(UInt32(truncatingIfNeeded: units >> 32))
        scratch.appendLE32(UInt32(truncatingIfNeeded: units))
        scratch.appendLE32(UInt32(captured))
        scratch.appendLE32(UInt32(clamping: max(originalLength ?? data.count, data.count)))
        scratch.append(contentsOf: data[0..<captured])
        scratch.padTo4()
        if comment != nil {
            Pcapng.appendStringOption(Pcapng.optComment, comment, to: &scratch)
            Pcapng.appendOption(Pcapng.optEnd, [], to: &scratch)
        }
        let total = UInt32(scratch.count + 4)
        scratch.appendLE32(total)
        withUnsafeBytes(of: total.littleEndian) { for i in 0..<4 { scratch[4 + i] = $0[i] } }
        try sink.write(scratch)
    }

    /// Timestamp in units of the interface's resolution (10^-n seconds, or 2^-n with the high bit set).
    static func timestampUnits(_ t: PacketTimestamp, resolution: UInt8) -> UInt64 {
        let seconds = UInt64(max(0, t.seconds))
        if resolution & 0x80 != 0 {
            let n = UInt64(resolution & 0x7F)
            guard n < 64 else { return 0 }
            let frac = UInt64((Double(t.nanoseconds) / 1e9 * Double(UInt64(1) << n)).rounded(.down))
            return seconds << n | frac
        }
        let r = Int(min(resolution, 19))
        let scale = pow10(r)
        let frac = r >= 9 ? UInt64(t.nanoseconds) &* pow10(r - 9) : UInt64(t.nanoseconds) / pow10(9 - r)
        return seconds &* scale &+ frac
    }

    static func pow10(_ n: Int) -> UInt64 {
        var v: UInt64 = 1
        for _ in 0..<max(0, n) { v &*= 10 }
        return v
    }
}
