// pcapng reader: SHB (either byte order), IDB, EPB, SPB and the obsolete PB; other blocks are skipped.
// Interface IDs are made file-global: a second section's interfaces are numbered after the first section's.

public struct PcapngFile: Sendable, Equatable {
    /// Options of the first section header.
    public var comment: String?
    public var hardware: String?
    public var os: String?
    public var application: String?
    public var interfaces: [CaptureInterface]
    public var packets: [CapturedPacket]
    public var truncatedAtEnd: Bool
}

public enum PcapngReader {
    public static func read(path: String) throws -> PcapngFile {
        try read(try readFileBytes(path))
    }

    public static func read(_ bytes: [UInt8]) throws -> PcapngFile {
        try bytes.withUnsafeBytes { try read($0) }
    }

    public static func read(_ raw: UnsafeRawBufferPointer) throws -> PcapngFile {
        guard raw.count >= 4, raw.le32(0) == Pcapng.sectionHeaderBlock else { throw CaptureFileError.notACaptureFile }
        var file = PcapngFile(interfaces: [], packets: [], truncatedAtEnd: false)
        var cursor = FileCursor(bytes: raw, bigEndian: false)
        var sectionBase = 0   // index in file.interfaces of this section's interface 0
        var sections = 0
        var pos = 0
        while pos < raw.count {
            guard pos + 12 <= raw.count else { file.truncatedAtEnd = true; break }
            if raw.le32(pos) == Pcapng.sectionHeaderBlock {
                // The byte-order magic decides how this section (including its own length) is read.
                switch raw.le32(pos + 8) {
                case Pcapng.byteOrderMagic: cursor = FileCursor(bytes: raw, bigEndian: false)
                case 0x4D3C_2B1A: cursor = FileCursor(bytes: raw, bigEndian: true)
                default: throw CaptureFileError.malformed("bad byte-order magic at offset \(pos)")
                }
            }
            guard let type = cursor.u32(pos), let total32 = cursor.u32(pos + 4) else { file.truncatedAtEnd = true; break }
            let total = Int(total32)
            guard total >= 12, total % 4 == 0 else {
                throw CaptureFileError.malformed("block at offset \(pos) has length \(total)")
            }
            guard pos + total <= raw.count else { file.truncatedAtEnd = true; break }
            let body = pos + 8, bodyEnd = pos + total - 4
            switch type {
            case Pcapng.sectionHeaderBlock:
                guard bodyEnd - body >= 16 else { throw CaptureFileError.malformed("short section header") }
                sectionBase = file.interfaces.count
                if sections == 0 {
                    readOptions(cursor, from: body + 16, to: bodyEnd) { code, value in
                        let text = String(decoding: value, as: UTF8.self)
                        switch code {
                        case Pcapng.optComment: file.comment = text
                        case Pcapng.shbHardware: file.hardware = text
                        case Pcapng.shbOS: file.os = text
                        case Pcapng.shbUserApplication: file.application = text
                        default: break
                        }
                    }
                }
                sections += 1
            case Pcapng.interfaceDescriptionBlock:
                guard let link = cursor.u16(body), let snap = cursor.u32(body + 4), bodyEnd - body >= 8 else {
                    throw CaptureFileError.malformed("short interface description at offset \(pos)")
                }
                var iface = CaptureInterface(linkType: LinkType(rawValue: UInt32(link)), snapLength: snap,
                                             timestampResolution: 6)
                readOptions(cursor, from: body + 8, to: bodyEnd) { code, value in
                    switch code {
                    case Pcapng.ifName: iface.name = String(decoding: value, as: UTF8.self)
                    case Pcapng.ifDescription: iface.description = String(decoding: value, as: UTF8.self)
                    case Pcapng.optComment: iface.comment = String(decoding: value, as: UTF8.self)
                    case Pcapng.ifTimestampResolution: if let r = value.first { iface.timestampResolution = r }
                    default: break
                    }
                }
                file.interfaces.append(iface)
            case Pcapng.enhancedPacketBlock, Pcapng.packetBlock:
                let legacy = type == Pcapng.packetBlock
                guard bodyEnd - body >= 20,
                      let idField = legacy ? cursor.u16(body).map(UInt32.init) : cursor.u32(body),
                      let high = cursor.u32(body + 4), let low = cursor.u32(body + 8),
                      let capLen = cursor.u32(body + 12), let origLen = cursor.u32(body + 16) else {
                    throw CaptureFileError.malformed("short packet block at offset \(pos)")
                }
                let dataStart = body + 20
                guard Int(capLen) <= bodyEnd - dataStart else {
                    throw CaptureFileError.malformed("packet block at offset \(pos) claims \(capLen) bytes")
                }
                let id = sectionBase + Int(idField)
                guard file.interfaces.indices.contains(id) else {
                    throw CaptureFileError.malformed("packet for undeclared interface \(idField) at offset \(pos)")
                }
                let units = UInt64(high) << 32 | UInt64(low)
                var packet = CapturedPacket(
                    timestamp: timestamp(units, resolution: file.interfaces[id].timestampResolution),
                    data: Array(raw[dataStart..<(dataStart + Int(capLen))]), originalLength: Int(origLen),
                    interfaceID: id)
                let optionsStart = dataStart + (Int(capLen) + 3) / 4 * 4
                readOptions(cursor, from: optionsStart, to: bodyEnd) { code, value in
                    if code == Pcapng.optComment { packet.comment = String(decoding: value, as: UTF8.self) }
                }
                file.packets.append(packet)
            case Pcapng.simplePacketBlock:
                guard bodyEnd - body >= 4, let origLen = cursor.u32(body) else {
                    throw CaptureFileError.malformed("short simple packet block at offset \(pos)")
                }
                guard file.interfaces.indices.contains(sectionBase) else {
                    throw CaptureFileError.malformed("simple packet block before any interface")
                }
                let snap = Int(file.interfaces[sectionBase].snapLength)
                let available = bodyEnd - (body + 4)
                let n = max(0, min(Int(origLen), available, snap == 0 ? Int.max : snap))
                file.packets.append(CapturedPacket(timestamp: PacketTimestamp(seconds: 0, nanoseconds: 0),
                                                   data: Array(raw[(body + 4)..<(body + 4 + n)]),
                                                   originalLength: Int(origLen), interfaceID: sectionBase))
            default:
                break  // name resolution, statistics, custom blocks...: not needed
            }
            pos += total
        }
        return file
    }

    /// Calls `handle` for each option up to opt_endofopt or the end of the block body.
    private static func readOptions(_ c: FileCursor, from start: Int, to end: Int, _ handle: (UInt16, [UInt8]) -> Void) {
        var p = start
        while p + 4 <= end {
            guard let code = c.u16(p), let len16 = c.u16(p + 2) else { return }
            if code == Pcapng.optEnd { return }
            let len = Int(len16)
            guard p + 4 + len <= end, let value = c.bytes(p + 4, len) else { return }
            handle(code, value)
            p += 4 + (len + 3) / 4 * 4
        }
    }

    static func timestamp(_ units: UInt64, resolution: UInt8) -> PacketTimestamp {
        if resolution & 0x80 != 0 {
            let n = UInt64(resolution & 0x7F)
            guard n < 64 else { return PacketTimestamp(seconds: 0, nanoseconds: 0) }
            let seconds = units >> n
            let frac = units & ((UInt64(1) << n) &- 1)
            let ns = UInt32(min(999_999_999, (Double(frac) / Double(UInt64(1) << n) * 1e9).rounded(.down)))
            return PacketTimestamp(seconds: Int64(clamping: seconds), nanoseconds: ns)
        }
        let r = Int(min(resolution, 19))
        let scale = PcapngWriter.pow10(r)
        let seconds = units / scale
        let frac = units % scale
        let ns = r >= 9 ? frac / PcapngWriter.pow10(r - 9) : frac &* PcapngWriter.pow10(9 - r)
        return PacketTimestamp(seconds: Int64(clamping: seconds), nanoseconds: UInt32(ns))
    }
}

/// Either kind of capture file, for callers that do not care which one they were given.
public struct CaptureFile: Sendable, Equatable {
    public var interfaces: [CaptureInterface]
    public var packets: [CapturedPacket]
    public var comment: String?
    public var isPcapng: Bool

    public static func read(path: String) throws -> CaptureFile { try read(try readFileBytes(path)) }

    public static func read(_ bytes: [UInt8]) throws -> CaptureFile {
        if bytes.count >= 4, bytes.withUnsafeBytes({ $0.le32(0) }) == Pcapng.sectionHeaderBlock {
            let f = try PcapngReader.read(bytes)
            return CaptureFile(interfaces: f.interfaces, packets: f.packets, comment: f.comment, isPcapng: true)
        }
        let f = try PcapReader.read(bytes)
        return CaptureFile(interfaces: [CaptureInterface(linkType: f.linkType, snapLength: f.snapLength,
                                                         timestampResolution: f.precision == .nanoseconds ? 9 : 6)],
                           packets: f.packets, comment: nil, isPcapng: false)
    }

    /// Decodes packet `index` with its interface's link type.
    public func decode(_ index: Int) -> DecodedPacket {
        let p = packets[index]
        let link = interfaces.indices.contains(p.interfaceID) ? interfaces[p.interfaceID].linkType : .ethernet
        return PacketDecoder.decode(p.data, linkType: link, wireLength: p.originalLength)
    }
}
