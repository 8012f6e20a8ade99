// Classic libpcap files (https://www.tcpdump.org/manpages/pcap-savefile.5.html): a 24-byte global header,
// then a 16-byte record header before each packet. Written little-endian.

public enum PcapTimestampPrecision: Sendable, Equatable {
    /// Magic 0xa1b2c3d4, the format every tool reads.
    case microseconds
    /// Magic 0xa1b23c4d (tcpdump --time-stamp-precision=nano).
    case nanoseconds

    var magic: UInt32 { self == .microseconds ? 0xA1B2_C3D4 : 0xA1B2_3C4D }
}

public final class PcapWriter {
    public let linkType: LinkType
    public let snapLength: UInt32
    public let precision: PcapTimestampPrecision
    private let sink: any ByteSink
    /// The same sink when it is a file: records are then built in its buffer (cast once, not per packet).
    /// Unmanaged: `sink` holds it strongly; the per-packet path then costs no reference counting.
    private let fileSink: Unmanaged<FileSink>?
    /// Reused per record so writing does not allocate once the buffer has grown to the largest packet.
    private var scratch: [UInt8] = []

    /// Writes the global header immediately.
    public init(sink: any ByteSink, linkType: LinkType, snapLength: UInt32 = 262_144,
                precision: PcapTimestampPrecision = .microseconds) throws {
        self.sink = sink
        self.fileSink = (sink as? FileSink).map { Unmanaged.passUnretained($0) }
        self.linkType = linkType
        self.snapLength = snapLength
        self.precision = precision
        var h: [UInt8] = []
        h.reserveCapacity(24)
        h.appendLE32(precision.magic)
        h.appendLE16(2)     // version major
        h.appendLE16(4)     // version minor
        h.appendLE32(0)     // thiszone
        h.appendLE32(0)     // sigfigs
        h.appendLE32(snapLength)
        h.appendLE32(linkType.rawValue)
        try sink.write(h)
    }

    /// Writes one record. Bytes beyond the snap length are dropped (and counted in the original length), as a
    /// capture with that snap length would have done.
    public func write(_ packet: CapturedPacket) throws {
        try packet.data.withUnsafeBytes {
            try write($0, timestamp: packet.timestamp, originalLength: packet.originalLength)
        }
    }

    public func write(_ data: UnsafeRawBufferPointer, timestamp: PacketTimestamp, originalLength: Int? = nil) throws {
        let captured = min(data.count, Int(snapLength))
        let original = max(originalLength ?? data.count, data.count)
        if let ref = fileSink, let p = try ref._withUnsafeGuaranteedRef({ try $0.reserve(16 + captured) }) {
            // Live captures: the record is built in the file buffer itself (one copy of the packet).
            let fraction = precision == .microseconds ? timestamp.nanoseconds / 1000 : timestamp.nanoseconds
            p.storeBytes(of: UInt32(truncatingIfNeeded: timestamp.seconds).littleEndian, toByteOffset: 0, as: UInt32.self)
            p.storeBytes(of: fraction.littleEndian, toByteOffset: 4, as: UInt32.self)
            p.storeBytes(of: UInt32(captured).littleEndian, toByteOffset: 8, as: UInt32.self)
            p.storeBytes(of: UInt32(clamping: original).littleEndian, toByteOffset: 12, as: UInt32.self)
            if captured > 0 { (p + 16).copyMemory(from: data.baseAddress!, byteCount: captured) }
            return
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.appendLE32(UInt32(truncatingIfNeeded: timestamp.seconds))
        scratch.appendLE32(precision == .microseconds ? timestamp.nanoseconds / 1000 : timestamp.nanoseconds)
        scratch.appendLE32(UInt32(captured))
        scratch.appendLE32(UInt32(clamping: original))
        scratch.append(contentsOf: data[0..<captured])
        try sink.write(scratch)
    }
}
