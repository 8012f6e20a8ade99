/// Printing: exactly glibc's inet_ntop, which is what `ip -j` prints and what Plumb's JSON has always held.
/// For IPv6 that is RFC 5952 (lower-case hex without leading zeros, the longest run of two or more zero groups
/// as "::", the first on a tie) plus inet_ntop's dotted quad for IPv4-mapped (::ffff:a.b.c.d) and
/// IPv4-compatible (::a.b.c.d) addresses.
///
/// The writers fill a caller's buffer (no intermediate strings), so the JSON writers can print thousands of
/// addresses straight into their output.
extension IPAddress {
    /// The longest text: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" is 39, a mapped address at most 22.
    public static let maxFormattedLength = 39

    public var description: String {
        String(unsafeUninitializedCapacity: Self.maxFormattedLength) { write(into: $0, at: 0) }
    }

    /// Appends the text to `out` (UTF-8).
    public func append(to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maxFormattedLength) { buf in
            let n = write(into: buf, at: 0)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[..<n]))
        }
    }

    /// Writes the text at `out[at...]` (at least `maxFormattedLength` bytes free) and returns its length.
    public func write(into out: UnsafeMutableBufferPointer<UInt8>, at: Int) -> Int {
        family == .ipv4
            ? Self.writeIPv4(UInt32(truncatingIfNeeded: bits.lo), into: out, at: at)
            : writeIPv6(into: out, at: at)
    }

    static func writeIPv4(_ v: UInt32, into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        var i = start
        for k in 0..<4 {
            if k > 0 { out[i] = UInt8(ascii: "."); i += 1 }
            let b = UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32(k)))
            if b >= 100 { out[i] = 0x30 + b / 100; i += 1 }
            if b >= 10 { out[i] = 0x30 + b / 10 % 10; i += 1 }
            out[i] = 0x30 + b % 10; i += 1
        }
        return i - start
    }

    private func group(_ k: Int) -> UInt16 {
        UInt16(truncatingIfNeeded: (k < 4 ? bits.hi : bits.lo) >> UInt64(48 - 16 * (k & 3)))
    }

    private func writeIPv6(into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        // The longest run of zero groups (the first of equal ones), as inet_ntop finds it.
        var bestStart = -1, bestLen = 0, runStart = -1
        for k in 0...8 {
            if k < 8 && group(k) == 0 {
                if runStart < 0 { runStart = k }
            } else if runStart >= 0 {
                if k - runStart > bestLen { bestStart = runStart; bestLen = k - runStart }
                runStart = -1
            }
        }
        if bestLen < 2 { bestStart = -1; bestLen = 0 }
        var i = start
        var k = 0
        while k < 8 {
            if k == bestStart {
                out[i] = UInt8(ascii: ":"); i += 1
                k += bestLen
                if k == 8 { out[i] = UInt8(ascii: ":"); i += 1 }
                continue
            }
            if k > 0 { out[i] = UInt8(ascii: ":"); i += 1 }
            // inet_ntop: an IPv4-compatible (::a.b.c.d) or -mapped (::ffff:a.b.c.d) address ends in a dotted quad.
            if k == 6 && bestStart == 0 && (bestLen == 6 || (bestLen == 5 && group(5) == 0xffff)) {
                i += Self.writeIPv4(UInt32(truncatingIfNeeded: bits.lo), into: out, at: i)
                break
            }
            let v = group(k)
            var shift = 12
            while shift > 0 && v >> UInt16(shift) == 0 { shift -= 4 }
            while shift >= 0 {
                let d = UInt8(truncatingIfNeeded: v >> UInt16(shift)) & 0xF
                out[i] = d < 10 ? 0x30 + d : 0x57 + d; i += 1
                shift -= 4
            }
            k += 1
        }
        return i - start
    }
}
