// Address value types used by decoded layers. They are stored as integers (not byte arrays) so that a decoded
// header is a flat value with no heap allocation; formatting to text only happens when a summary or detail view
// asks for it.

/// A 48-bit IEEE 802 MAC address, kept in the low 48 bits of `rawValue` (first byte on the wire = most significant).
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue & 0xFFFF_FFFF_FFFF }

    /// Builds an address from exactly six bytes; nil for any other count.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count == 6 else { return nil }
        var v: UInt64 = 0
        for b in bytes { v = v << 8 | UInt64(b) }
        rawValue = v
    }

    /// Parses `aa:bb:cc:dd:ee:ff` (also accepts `-` separators).
    public init?(_ text: String) {
        let parts = text.split(whereSeparator: { $0 == ":" || $0 == "-" })
        guard parts.count == 6 else { return nil }
        var bytes: [UInt8] = []
        for p in parts {
            guard p.count <= 2, let b = UInt8(p, radix: 16) else { return nil }
            bytes.append(b)
        }
        self.init(bytes)
    }

    /// Reads six bytes at `offset`; the caller has already checked the bounds.
    @inline(__always)
    init(_ buffer: UnsafeRawBufferPointer, at offset: Int) {
        let hi = UInt64(buffer.be16(offset))
        let lo = UInt64(buffer.be32(offset + 2))
        rawValue = hi << 32 | lo
    }

    public static let zero = MACAddress(rawValue: 0)
    public static let broadcast = MACAddress(rawValue: 0xFFFF_FFFF_FFFF)

    public var bytes: [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: rawValue >> (40 - 8 * UInt64($0))) } }
    public var isBroadcast: Bool { rawValue == 0xFFFF_FFFF_FFFF }
    /// The group bit of the first octet: multicast (and broadcast) destinations.
    public var isMulticast: Bool { rawValue & 0x0100_0000_0000 != 0 }

    public var description: String {
        // Fixed-width output: fill a 17-byte buffer directly instead of joining six formatted strings.
        String(unsafeUninitializedCapacity: 17) { out in
            var i = 0
            for k in 0..<6 {
                let b = UInt8(truncatingIfNeeded: rawValue >> (40 - 8 * UInt64(k)))
                if k > 0 { out[i] = UInt8(ascii: ":"); i += 1 }
                out[i] = hexDigitLower(b >> 4); out[i + 1] = hexDigitLower(b & 0xF); i += 2
            }
            return i
        }
    }
}

/// An IPv4 address; `rawValue` holds the address in host order (`10.0.0.1` is `0x0A000001`).
public struct IPv4Address: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        rawValue = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses dotted-quad text; nil if it is not exactly four decimal octets.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, let o = UInt8(p) else { return nil }
            v = v << 8 | UInt32(o)
        }
        rawValue = v
    }

    @inline(__always)
    init(_ buffer: UnsafeRawBufferPointer, at offset: Int) { rawValue = buffer.be32(offset) }

    public static let any = IPv4Address(rawValue: 0)
    public static let broadcast = IPv4Address(rawValue: 0xFFFF_FFFF)

    public var bytes: [UInt8] { [UInt8(rawValue >> 24), UInt8(rawValue >> 16 & 0xFF), UInt8(rawValue >> 8 & 0xFF), UInt8(rawValue & 0xFF)] }

    public var description: String {
        String(unsafeUninitializedCapacity: 15) { out in
            var i = 0
            for k in 0..<4 {
                if k > 0 { out[i] = UInt8(ascii: "."); i += 1 }
                i += writeDecimal(UInt8(truncatingIfNeeded: rawValue >> (24 - 8 * UInt32(k))), into: out, at: i)
            }
            return i
        }
    }
}

/// An IPv6 address as two 64-bit halves (network order: `high` holds the first eight bytes).
public struct IPv6Address: Hashable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) { self.high = high; self.low = low }

    /// Builds an address from exactly sixteen bytes; nil for any other count.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        var h: UInt64 = 0, l: UInt64 = 0
        for i in 0..<8 { h = h << 8 | UInt64(bytes[i]) }
        for i in 8..<16 { l = l << 8 | UInt64(bytes[i]) }
        high = h; low = l
    }

    /// Parses the textual forms of RFC 4291 (including `::` and a trailing dotted quad).
    public init?(_ text: String) {
        var groups: [UInt16] = []
        var tailGroups: [UInt16] = []
        // Split at "::" by hand: the module avoids Foundation so the decoder has no Foundation dependency.
        var halves: [String] = []
        let chars = Array(text)
        var current = ""
        var i = 0
        while i < chars.count {
            if chars[i] == ":", i + 1 < chars.count, chars[i + 1] == ":" {
                halves.append(current); current = ""; i += 2
            } else {
                current.append(chars[i]); i += 1
            }
        }
        halves.append(current)
        guard halves.count <= 2 else { return nil }
        func parse(_ part: String, into out: inout [UInt16]) -> Bool {
            if part.isEmpty { return true }
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, piece) in pieces.enumerated() {
                if i == pieces.count - 1, piece.contains(".") {
                    guard let v4 = IPv4Address(String(piece)) else { return false }
                    out.append(UInt16(v4.rawValue >> 16)); out.append(UInt16(v4.rawValue & 0xFFFF))
                    continue
                }
                guard !piece.isEmpty, piece.count <= 4, let g = UInt16(piece, radix: 16) else { return false }
                out.append(g)
            }
            return true
        }
        guard parse(halves[0], into: &groups) else { return nil }
        if halves.count == 2 {
            guard parse(halves[1], into: &tailGroups) else { return nil }
            guard groups.count + tailGroups.count <= 7 else { return nil }
            groups += [UInt16](repeating: 0, count: 8 - groups.count - tailGroups.count) + tailGroups
        }
        guard groups.count == 8 else { return nil }
        var h: UInt64 = 0, l: UInt64 = 0
        for i in 0..<4 { h = h << 16 | UInt64(groups[i]) }
        for i in 4..<8 { l = l << 16 | UInt64(groups[i]) }
        high = h; low = l
    }

    @inline(__always)
    init(_ buffer: UnsafeRawBufferPointer, at offset: Int) {
        high = buffer.be64(offset)
        low = buffer.be64(offset + 8)
    }

    public static let unspecified = IPv6Address(high: 0, low: 0)

    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64($0))) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64($0))) }
    }

    /// The eight 16-bit groups, in order.
    public var groups: [UInt16] {
        (0..<4).map { UInt16(truncatingIfNeeded: high >> (48 - 16 * UInt64($0))) }
            + (0..<4).map { UInt16(truncatingIfNeeded: low >> (48 - 16 * UInt64($0))) }
    }

    /// RFC 5952 text: lowercase, no leading zeros, the longest run (of two or more) zero groups as `::`,
    /// and IPv4-mapped addresses with a dotted quad, as tcpdump prints them.
    public var description: String {
        if high == 0, low >> 32 == 0xFFFF {
            return "::ffff:" + IPv4Address(rawValue: UInt32(truncatingIfNeeded: low)).description
        }
        var g: (UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16) = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &g) { raw in
            let p = raw.bindMemory(to: UInt16.self)
            for i in 0..<4 {
                p[i] = UInt16(truncatingIfNeeded: high >> (48 - 16 * UInt64(i)))
                p[i + 4] = UInt16(truncatingIfNeeded: low >> (48 - 16 * UInt64(i)))
            }
        }
        return withUnsafeBytes(of: &g) { raw -> String in
            let p = raw.bindMemory(to: UInt16.self)
            var bestStart = -1, bestLen = 0, runStart = -1
            for i in 0...8 {
                if i < 8 && p[i] == 0 {
                    if runStart < 0 { runStart = i }
                } else if runStart >= 0 {
                    if i - runStart > bestLen { bestLen = i - runStart; bestStart = runStart }
                    runStart = -1
                }
            }
            if bestLen < 2 { bestStart = -1; bestLen = 0 }
            return String(unsafeUninitializedCapacity: 41) { out in
                var n = 0
                var i = 0
                while i < 8 {
                    if i == bestStart {
                        out[n] = UInt8(ascii: ":"); out[n + 1] = UInt8(ascii: ":"); n += 2
                        i += bestLen
                        continue
                    }
                    if i > 0 && i != bestStart + bestLen { out[n] = UInt8(ascii: ":"); n += 1 }
                    let v = p[i]
                    var started = false
                    for shift in stride(from: 12, through: 0, by: -4) {
                        let d = UInt8(truncatingIfNeeded: v >> UInt16(shift)) & 0xF
                        if d != 0 || started || shift == 0 {
                            out[n] = hexDigitLower(d); n += 1; started = true
                        }
                    }
                    i += 1
                }
                return n
            }
        }
    }
}

@inline(__always)
func hexDigitLower(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? 0x30 + nibble : 0x57 + nibble
}

/// Writes the decimal digits of `v` at `out[at...]` and returns how many were written.
@inline(__always)
func writeDecimal(_ v: UInt8, into out: UnsafeMutableBufferPointer<UInt8>, at: Int) -> Int {
    if v >= 100 {
        out[at] = 0x30 + v / 100; out[at + 1] = 0x30 + v / 10 % 10; out[at + 2] = 0x30 + v % 10
        return 3
    } else if v >= 10 {
        out[at] = 0x30 + v / 10; out[at + 1] = 0x30 + v % 10
        return 2
    }
    out[at] = 0x30 + v
    return 1
}
