#if canImport(Glibc)
import Glibc
import PlumbSystem
#elseif canImport(Darwin)
import Darwin
#endif

// Reads classic pcap files in either byte order and timestamp precision. Untrusted input: every length is
// checked; a record cut short at the end of the file (a capture still being written, or killed) ends the
// packet list and sets `truncatedAtEnd` rather than failing the whole file.

public struct PcapFile: Sendable, Equatable {
    public var linkType: LinkType
    public var snapLength: UInt32
    public var precision: PcapTimestampPrecision
    public var bigEndian: Bool
    public var versionMajor: UInt16
    public var versionMinor: UInt16
    public var packets: [CapturedPacket]
    public var truncatedAtEnd: Bool
}

public enum PcapReader {
    /// Upper bound for one record: far above any real snap length (tcpdump's maximum is 262144), low enough
    /// that a corrupt length cannot make us allocate gigabytes.
    public static let maxRecordLength = 16 * 1024 * 1024

    public static func read(path: String) throws -> PcapFile {
        try read(try readFileBytes(path))
    }

    public static func read(_ bytes: [UInt8]) throws -> PcapFile {
        try bytes.withUnsafeBytes { try read($0) }
    }

    public static func read(_ raw: UnsafeRawBufferPointer) throws -> PcapFile {
        guard raw.count >= 4 else { throw CaptureFileError.notACaptureFile }
        let magicLE = raw.le32(0)
        let bigEndian: Bool
        let precision: PcapTimestampPrecision
        switch magicLE {
        case 0xA1B2_C3D4: (bigEndian, precision) = (false, .microseconds)
        case 0xA1B2_3C4D: (bigEndian, precision) = (false, .nanoseconds)
        case 0xD4C3_B2A1: (bigEndian, precision) = (true, .microseconds)
        case 0x4D3C_B2A1: (bigEndian, precision) = (true, .nanoseconds)
        default: throw CaptureFileError.notACaptureFile
        }
        let c = FileCursor(bytes: raw, bigEndian: bigEndian)
        guard let major = c.u16(4), let minor = c.u16(6), let snap = c.u32(16), let linkField = c.u32(20) else {
            throw CaptureFileError.malformed("pcap header shorter than 24 bytes")
        }
        // The upper 16 bits of the link type field may carry FCS information; the type is the low 16 bits.
        var file = PcapFile(linkType: LinkType(rawValue: linkField & 0xFFFF), snapLength: snap, precision: precision,
                            bigEndian: bigEndian, versionMajor: major, versionMinor: minor, packets: [],
                            truncatedAtEnd: false)
        var pos = 24
        while pos < raw.count {
            guard let sec = c.u32(pos), let frac = c.u32(pos + 4), let incl = c.u32(pos + 8), let orig = c.u32(pos + 12)
            else { file.truncatedAtEnd = true; break }
            let length = Int(incl)
            guard length <= maxRecordLength else {
                throw CaptureFileError.malformed("record at offset \(pos) claims \(length) bytes")
            }
            guard let data = c.bytes(pos + 16, length) else { file.truncatedAtEnd = true; break }
            let nanos = precision == .microseconds ? UInt64(frac) * 1000 : UInt64(frac)
            let ts = PacketTimestamp(seconds: Int64(sec) + Int64(nanos / 1_000_000_000),
                                     nanoseconds: UInt32(nanos % 1_000_000_000))
            file.packets.append(CapturedPacket(timestamp: ts, data: data, originalLength: Int(orig)))
            pos += 16 + length
        }
        return file
    }
}

/// Whole-file read with POSIX calls, keeping Foundation out of the reader (it is also used by the fuzzer).
func readFileBytes(_ path: String) throws -> [UInt8] {
    guard let fd = FileDescriptor.openIfPresent(path, O_RDONLY) else {
        throw ByteSinkError(operation: "open", path: path, errno: errno)
    }
    var out: [UInt8] = []
    while true {
        let chunk: [UInt8]
        do { chunk = try fd.read(upTo: 64 * 1024) } catch {
            throw ByteSinkError(operation: "read", path: path, errno: error.code)
        }
        if chunk.isEmpty { break }
        out += chunk
    }
    return out
}
