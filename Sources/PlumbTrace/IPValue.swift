/// An IPv4 or IPv6 address as a 128-bit value, parsed without libc (this module is pure). IPv4 addresses keep
/// their 32 bits in the low half and `isV6 == false`.
public struct IPValue: Hashable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64
    public var isV6: Bool

    public init?(_ text: String) {
        if text.contains(":") {
            guard let v = IPValue.parseV6(text) else { return nil }
            self = v
        } else {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var v: UInt64 = 0
            for p in parts {
                guard !p.isEmpty, p.count <= 3, let b = UInt64(p), b < 256 else { return nil }
                v = v << 8 | b
            }
            high = 0; low = v; isV6 = false
        }
    }

    init(high: UInt64, low: UInt64, isV6: Bool) { self.high = high; self.low = low; self.isV6 = isV6 }

    public var bitWidth: Int { isV6 ? 128 : 32 }

    private static func parseV6(_ text: String) -> IPValue? {
        var s = Substring(text)
        if let pct = s.firstIndex(of: "%") { s = s[..<pct] }  // zone id
        let chars = Array(s)
        var halves: [String] = []
        var cut = -1
        for i in 0..<max(0, chars.count - 1) where chars[i] == ":" && chars[i + 1] == ":" { cut = i; break }
        if cut >= 0 {
            halves = [String(chars[..<cut]), String(chars[(cut + 2)...])]
            if halves[1].hasPrefix(":") || halves[1].contains("::") { return nil }
        } else {
            halves = [String(s)]
        }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            let items = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, item) in items.enumerated() {
                if item.contains("."), i == items.count - 1, let v4 = IPValue(String(item)), !v4.isV6 {
                    out.append(UInt16(v4.low >> 16)); out.append(UInt16(v4.low & 0xffff))
                } else {
                    guard !item.isEmpty, item.count <= 4, let g = UInt16(item, radix: 16) else { return nil }
                    out.append(g)
                }
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        var all: [UInt16]
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
            all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard head.count == 8 else { return nil }
            all = head
        }
        var hi: UInt64 = 0, lo: UInt64 = 0
        for g in all[0..<4] { hi = hi << 16 | UInt64(g) }
        for g in all[4..<8] { lo = lo << 16 | UInt64(g) }
        return IPValue(high: hi, low: lo, isV6: true)
    }

    /// The value with only its first `bits` bits kept.
    public func masked(_ bits: Int) -> IPValue {
        if !isV6 {
            let b = max(0, min(32, bits))
            let mask: UInt64 = b == 0 ? 0 : (0xffff_ffff << UInt64(32 - b)) & 0xffff_ffff
            return IPValue(high: 0, low: low & mask, isV6: false)
        }
        let b = max(0, min(128, bits))
        let hm: UInt64 = b >= 64 ? ~0 : (b == 0 ? 0 : ~0 << UInt64(64 - b))
        let lm: UInt64 = b <= 64 ? 0 : (b >= 128 ? ~0 : ~0 << UInt64(128 - b))
        return IPValue(high: high & hm, low: low & lm, isV6: true)
    }

    public var description: String {
        if !isV6 {
            return [24, 16, 8, 0].map { String((low >> UInt64($0)) & 0xff) }.joined(separator: ".")
        }
        let groups = (0..<8).map { i -> UInt16 in
            let word = i < 4 ? high : low
            return UInt16((word >> UInt64((3 - i % 4) * 16)) & 0xffff)
        }
        // Longest run of zero groups (length >= 2) becomes "::".
        var best = (start: -1, len: 0), i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8 && groups[j] == 0 { j += 1 }
                if j - i > best.len && j - i >= 2 { best = (i, j - i) }
                i = j
            } else { i += 1 }
        }
        func hex(_ r: ArraySlice<UInt16>) -> String { r.map { String($0, radix: 16) }.joined(separator: ":") }
        if best.start < 0 { return hex(groups[...]) }
        return hex(groups[0..<best.start]) + "::" + hex(groups[(best.start + best.len)...])
    }
}

/// An address with a prefix length ("10.0.0.0/8", "fd13::/48"); a bare address is a full-length prefix.
public struct IPPrefixValue: Hashable, Sendable, CustomStringConvertible {
    public var address: IPValue
    public var length: Int

    /// Accepts `A`, `A/LEN`, and iptables' dotted masks `A/255.255.0.0`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let a = IPValue(String(first)) else { return nil }
        var len = a.bitWidth
        if parts.count == 2 {
            if let n = Int(parts[1]), n >= 0, n <= a.bitWidth {
                len = n
            } else if let m = IPValue(String(parts[1])), !m.isV6, !a.isV6 {
                len = m.low.nonzeroBitCount  // contiguous masks only, as iptables-save prints them
            } else { return nil }
        }
        address = a.masked(len); length = len
    }

    public func contains(_ ip: IPValue) -> Bool {
        ip.isV6 == address.isV6 && ip.masked(length) == address
    }

    public var description: String { "\(address)/\(length)" }
}
