/// An address with prefix length, IPv4 or IPv6, as bytes: enough arithmetic for the checks (contains,
/// overlaps, network), without depending on PlumbActions' IPAM.
struct CIDR: Hashable, CustomStringConvertible {
    var bytes: [UInt8]
    var length: Int
    var isV4: Bool { bytes.count == 4 }

    /// "10.0.0.2/24", "fd13::1/64", or a bare address (full length).
    init?(_ text: String) {
        // Fast path for IPv4 (most addresses): one pass over the bytes, no allocations but the result.
        var b: [UInt8] = [], cur = 0, digits = 0, len = -1, ok = true
        b.reserveCapacity(4)
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                cur = cur * 10 + Int(c - UInt8(ascii: "0")); digits += 1
                if digits > 3 { ok = false }
            case UInt8(ascii: "."):
                if len >= 0 || digits == 0 || cur > 255 || b.count >= 3 { ok = false }
                b.append(UInt8(truncatingIfNeeded: cur)); cur = 0; digits = 0
            case UInt8(ascii: "/"):
                if len >= 0 || digits == 0 || cur > 255 || b.count != 3 { ok = false }
                b.append(UInt8(truncatingIfNeeded: cur)); cur = 0; digits = 0; len = 0
            default:
                ok = false
            }
            if !ok { break }
        }
        if ok && digits > 0 {
            if len < 0 {
                if b.count == 3 && cur <= 255 { b.append(UInt8(cur)); self.init(bytes: b, length: 32); return }
            } else if cur <= 32 && b.count == 4 {
                self.init(bytes: b, length: cur); return
            }
        }
        if text.utf8.contains(UInt8(ascii: ":")) == false { return nil }
        self.init(slow: text)
    }

    private init?(slow text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let b = CIDR.parseAddress(String(first)) else { return nil }
        bytes = b
        if parts.count == 2 {
            guard let l = Int(parts[1]), l >= 0, l <= b.count * 8 else { return nil }
            length = l
        } else {
            length = b.count * 8
        }
    }

    init(bytes: [UInt8], length: Int) { self.bytes = bytes; self.length = length }

    var address: String { CIDR.format(bytes) }
    var description: String { "\(address)/\(length)" }
    /// The network of this prefix ("10.0.0.0/24").
    var network: CIDR {
        var b = bytes
        for i in 0..<b.count {
            let bitsHere = max(0, min(8, length - i * 8))
            b[i] &= bitsHere == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - bitsHere))
        }
        return CIDR(bytes: b, length: length)
    }

    /// Whether `addr` (its address only) lies inside this prefix.
    func contains(_ other: CIDR) -> Bool {
        guard other.bytes.count == bytes.count, other.length >= length else { return false }
        return CIDR(bytes: other.bytes, length: length).network.bytes == network.bytes
    }

    func overlaps(_ other: CIDR) -> Bool { contains(other) || other.contains(self) }

    var isLoopback: Bool { isV4 ? bytes[0] == 127 : bytes == [UInt8](repeating: 0, count: 15) + [1] }
    var isLinkLocal: Bool { isV4 ? (bytes[0] == 169 && bytes[1] == 254) : (bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80) }
    var isMulticast: Bool { isV4 ? bytes[0] >= 224 && bytes[0] < 240 : bytes[0] == 0xff }

    static func parseAddress(_ s: String) -> [UInt8]? {
        if s.utf8.contains(UInt8(ascii: ":")) { return parseV6(s) }
        let p = s.split(separator: ".", omittingEmptySubsequences: false)
        guard p.count == 4 else { return nil }
        var out: [UInt8] = []
        for x in p { guard let v = UInt8(x) else { return nil }; out.append(v) }
        return out
    }

    /// IPv6 text (with at most one "::", optional %zone) to 16 bytes, in one pass over the UTF-8.
    static func parseV6(_ s: String) -> [UInt8]? {
        var head: [UInt16] = [], tail: [UInt16] = [], sawGap = false
        var cur: UInt32 = 0, digits = 0, prevColon = false
        var it = s.utf8.makeIterator()
        func flush() -> Bool {
            guard digits > 0, cur <= 0xffff else { return false }
            if sawGap { tail.append(UInt16(cur)) } else { head.append(UInt16(cur)) }
            cur = 0; digits = 0
            return true
        }
        var first = true, leading = false
        while let c = it.next() {
            if c == UInt8(ascii: "%") { break }
            if c == UInt8(ascii: ":") {
                if prevColon {
                    if sawGap { return nil }
                    sawGap = true
                    leading = false
                } else if digits > 0 {
                    guard flush() else { return nil }
                } else if !first {
                    return nil
                } else {
                    leading = true
                }
                prevColon = true
                first = false
                continue
            }
            if leading { return nil }  // ":x" is not IPv6; only "::x" starts with a colon
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            cur = cur << 4 | UInt32(v); digits += 1
            if digits > 4 { return nil }
            prevColon = false
            first = false
        }
        if digits > 0 { guard flush() else { return nil } } else if prevColon && !sawGap { return nil }
        let n = head.count + tail.count
        if sawGap ? n > 7 : n != 8 { return nil }
        let all = head + [UInt16](repeating: 0, count: 8 - n) + tail
        var out = [UInt8](); out.reserveCapacity(16)
        for g in all { out.append(UInt8(g >> 8)); out.append(UInt8(g & 0xff)) }
        return out
    }

    static func format(_ b: [UInt8]) -> String {
        if b.count == 4 { return b.map(String.init).joined(separator: ".") }
        var g: [UInt16] = stride(from: 0, to: 16, by: 2).map { UInt16(b[$0]) << 8 | UInt16(b[$0 + 1]) }
        // Longest run of zero groups becomes "::".
        var best = (start: -1, len: 0), i = 0
        while i < 8 {
            if g[i] == 0 {
                var j = i
                while j < 8 && g[j] == 0 { j += 1 }
                if j - i > best.len && j - i > 1 { best = (i, j - i) }
                i = j
            } else { i += 1 }
        }
        func hex(_ x: ArraySlice<UInt16>) -> String { x.map { String($0, radix: 16) }.joined(separator: ":") }
        if best.start < 0 { return hex(g[...]) }
        let head = hex(g[0..<best.start]), tail = hex(g[(best.start + best.len)...])
        g = []
        return head + "::" + tail
    }
}
