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
        if s.contains(":") { return parseV6(s) }
        let p = s.split(separator: ".", omittingEmptySubsequences: false)
        guard p.count == 4 else { return nil }
        var out: [UInt8] = []
        for x in p { guard let v = UInt8(x) else { return nil }; out.append(v) }
        return out
    }

    static func parseV6(_ s: String) -> [UInt8]? {
        let s = s.split(separator: "%").first.map(String.init) ?? s  // drop a zone
        // Split at the one "::" (the characters are ASCII, so byte offsets are character offsets).
        let u = Array(s.utf8)
        var halves = [s]
        if let i = (0..<max(0, u.count - 1)).first(where: { u[$0] == 58 && u[$0 + 1] == 58 }) {
            halves = [String(decoding: u[..<i], as: UTF8.self), String(decoding: u[(i + 2)...], as: UTF8.self)]
            if halves[1].utf8.count > 1 && halves[1].hasPrefix(":") || halves[1].contains("::") { return nil }
        }
        guard halves.count <= 2 else { return nil }
        func groups(_ t: String) -> [UInt16]? {
            if t.isEmpty { return [] }
            var g: [UInt16] = []
            for x in t.split(separator: ":", omittingEmptySubsequences: false) {
                guard let v = UInt16(x, radix: 16) else { return nil }
                g.append(v)
            }
            return g
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count <= 7 else { return nil }
            all += [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
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
