// Big-endian loads and sub-slices over raw buffers. These do no bounds checking of their own in release builds
// (the standard library only checks in debug), so every decoder checks `count` before it reads; the fuzz tests
// run in debug, where an out-of-range read traps instead of silently reading past the buffer.

extension UnsafeRawBufferPointer {
    @inline(__always)
    func be16(_ offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always)
    func be32(_ offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always)
    func be64(_ offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    func le16(_ offset: Int) -> UInt16 {
        UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always)
    func le32(_ offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Bytes `from..<to`, clamped to the buffer, rebased to start at index 0. No copy.
    @inline(__always)
    func slice(_ from: Int, _ to: Int) -> UnsafeRawBufferPointer {
        let lo = Swift.min(Swift.max(from, 0), count)
        let hi = Swift.min(Swift.max(to, lo), count)
        return UnsafeRawBufferPointer(rebasing: self[lo..<hi])
    }

    /// Bytes from `from` to the end, clamped. No copy.
    @inline(__always)
    func suffix(from: Int) -> UnsafeRawBufferPointer { slice(from, count) }
}
