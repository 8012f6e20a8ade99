// Little-endian appends for building file records. Both formats are written in the host's natural order on
// x86/ARM (little-endian); readers accept either order.

extension Array where Element == UInt8 {
    @inline(__always) mutating func appendLE16(_ v: UInt16) {
        append(UInt8(truncatingIfNeeded: v)); append(UInt8(truncatingIfNeeded: v >> 8))
    }

    @inline(__always) mutating func appendLE32(_ v: UInt32) {
        append(UInt8(truncatingIfNeeded: v)); append(UInt8(truncatingIfNeeded: v >> 8))
        append(UInt8(truncatingIfNeeded: v >> 16)); append(UInt8(truncatingIfNeeded: v >> 24))
    }

    @inline(__always) mutating func appendLE64(_ v: UInt64) {
        appendLE32(UInt32(truncatingIfNeeded: v)); appendLE32(UInt32(truncatingIfNeeded: v >> 32))
    }

    /// Zero bytes up to the next multiple of four (pcapng aligns block bodies and option values).
    @inline(__always) mutating func padTo4() {
        while count % 4 != 0 { append(0) }
    }
}

/// Reads integers in a file's byte order with bounds checks (files are untrusted input, like packets).
struct FileCursor {
    let bytes: UnsafeRawBufferPointer
    let bigEndian: Bool

    func u16(_ o: Int) -> UInt16? {
        guard o >= 0, o + 2 <= bytes.count else { return nil }
        return bigEndian ? bytes.be16(o) : bytes.le16(o)
    }

    func u32(_ o: Int) -> UInt32? {
        guard o >= 0, o + 4 <= bytes.count else { return nil }
        return bigEndian ? bytes.be32(o) : bytes.le32(o)
    }

    func bytes(_ o: Int, _ n: Int) -> [UInt8]? {
        guard o >= 0, n >= 0, o + n <= bytes.count else { return nil }
        return Array(bytes[o..<(o + n)])
    }
}
