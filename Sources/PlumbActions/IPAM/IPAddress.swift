/// One IPv4 or IPv6 address, as a value: parsed strictly (so a typo is an error, not another address) and
/// printed canonically (dotted quad; RFC 5952 for IPv6), so the same address is always the same text in the
/// state store.
public struct IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible, LosslessStringConvertible,
    Codable {
    public enum Family: String, Sendable, Codable {
        case ipv4, ipv6
        public var bitWidth: Int { self == .ipv4 ? 32 : 128 }
        var name: String { self == .ipv4 ? "IPv4" : "IPv6" }
    }

    public let family: Family
    /// The address as a number; IPv4 uses the low 32 bits.
    let bits: U128

    init(family: Family, bits: U128) {
        self.family = family
        self.bits = bits & U128.lowBits(family.bitWidth)
    }

    public init(ipv4 value: UInt32) { self.init(family: .ipv4, bits: U128(UInt64(value))) }
    public init(ipv6High hi: UInt64, low lo: UInt64) { self.init(family: .ipv6, bits: U128(hi: hi, lo: lo)) }

    /// The IPv4 address as a number (nil for IPv6).
    public var ipv4Value: UInt32? { family == .ipv4 ? UInt32(truncatingIfNeeded: bits.lo) : nil }
    public var isIPv4: Bool { family == .ipv4 }

    /// Parses "10.0.0.1" or "fd13::1". Rejects what other tools would read differently: leading zeros in IPv4
    /// (octal to inet_aton), shortened IPv4 ("10.1"), zone indexes, brackets, whitespace.
    public static func parse(_ text: String) throws -> IPAddress {
        func bad(_ reason: String) -> AddressError { .invalidAddress(text, reason: reason) }
        if text.isEmpty { throw bad("it is empty") }
        if let c = text.first(where: { $0.isWhitespace }) {
            throw bad(c == " " ? "it contains a space" : "it contains whitespace")
        }
        if text.contains("/") {
            throw bad("an address has no '/LENGTH' here: write \(text.split(separator: "/").first ?? "")")
        }
        if text.contains(":") {
            if text.hasPrefix("[") || text.hasSuffix("]") { throw bad("write it without brackets") }
            if let z = text.firstIndex(of: "%") {
                throw bad("zone index '\(text[z...])' is not allowed here: write \(text[..<z])")
            }
            do {
                return IPAddress(family: .ipv6, bits: try parseIPv6(Substring(text)))
            } catch let e as ParseFailure {
                throw bad(e.reason)
            }
        }
        if !text.contains(".") {
            throw bad("expected an IPv4 address like 10.0.0.1 or an IPv6 address like fd00::1")
        }
        do {
            return IPAddress(ipv4: try parseIPv4(Substring(text)))
        } catch let e as ParseFailure {
            throw bad(e.reason)
        }
    }

    public init?(_ description: String) {
        guard let a = try? Self.parse(description) else { return nil }
        self = a
    }

    /// `n` addresses further on, or nil past the end of the family's space.
    public func advanced(by n: UInt64) -> IPAddress? {
        guard let s = bits.adding(U128(n)), s <= U128.lowBits(family.bitWidth) else { return nil }
        return IPAddress(family: family, bits: s)
    }

    /// The next address, or nil after the last one (255.255.255.255, ffff:...:ffff).
    public var next: IPAddress? { advanced(by: 1) }

    /// IPv4 sorts before IPv6; within a family, numerically.
    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        a.family != b.family ? a.family == .ipv4 : a.bits < b.bits
    }

    public var description: String {
        family == .ipv4 ? Self.formatIPv4(UInt32(truncatingIfNeeded: bits.lo)) : Self.formatIPv6(bits)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try Self.parse(text)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

// MARK: parsing and printing

/// Why a text is not an address; turned into AddressError with the whole text by the caller.
struct ParseFailure: Error { var reason: String }

extension IPAddress {
    static func parseIPv4(_ s: Substring) throws -> UInt32 {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else {
            throw ParseFailure(reason: "IPv4 needs four numbers 0-255 separated by dots, like 10.0.0.1 (found \(parts.count))")
        }
        var value: UInt32 = 0
        for p in parts {
            guard !p.isEmpty else { throw ParseFailure(reason: "it has an empty number between dots") }
            guard p.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw ParseFailure(reason: "'\(p)' is not a decimal number 0-255")
            }
            guard let n = UInt32(p), n <= 255 else { throw ParseFailure(reason: "\(p) is more than 255") }
            if p.count > 1 && p.first == "0" {
                throw ParseFailure(reason: "\(p) has a leading zero (octal to some tools): write \(n)")
            }
            value = value << 8 | n
        }
        return value
    }

    static func parseIPv6(_ s: Substring) throws -> U128 {
        var head = s, tail: Substring = "", compressed = false
        if let r = s.firstRange(of: "::") {
            compressed = true
            head = s[..<r.lowerBound]
            tail = s[r.upperBound...]
            if tail.contains("::") || tail.hasPrefix(":") || head.hasSuffix(":") {
                throw ParseFailure(reason: "it has ':::' or more than one '::'")
            }
        }
        func groups(_ part: Substring, last: Bool) throws -> [UInt16] {
            if part.isEmpty { return [] }
            let texts = part.split(separator: ":", omittingEmptySubsequences: false)
            var out: [UInt16] = []
            for (i, g) in texts.enumerated() {
                if g.isEmpty { throw ParseFailure(reason: "it has an empty group (a lone ':' at either end?)") }
                if g.contains(".") {
                    guard last && i == texts.count - 1 else {
                        throw ParseFailure(reason: "an embedded IPv4 address may only be the last 32 bits")
                    }
                    let v4 = try parseIPv4(g)
                    out += [UInt16(v4 >> 16), UInt16(v4 & 0xffff)]
                    continue
                }
                guard g.count <= 4, let n = UInt16(g, radix: 16), g.allSatisfy(\.isHexDigit) else {
                    throw ParseFailure(reason: "'\(g)' is not a group of 1-4 hex digits")
                }
                out.append(n)
            }
            return out
        }
        let h = try groups(head, last: !compressed)
        let t = try groups(tail, last: true)
        let count = h.count + t.count
        if compressed && count > 7 { throw ParseFailure(reason: "it has \(count) groups besides '::' (at most 7)") }
        if !compressed && count != 8 { throw ParseFailure(reason: "IPv6 needs 8 groups, or '::' for the zeros (found \(count))") }
        let all = h + Array(repeating: 0, count: 8 - count) + t
        var hi: UInt64 = 0, lo: UInt64 = 0
        for g in all[0..<4] { hi = hi << 16 | UInt64(g) }
        for g in all[4..<8] { lo = lo << 16 | UInt64(g) }
        return U128(hi: hi, lo: lo)
    }

    static func formatIPv4(_ v: UInt32) -> String {
        "\(v >> 24).\(v >> 16 & 0xff).\(v >> 8 & 0xff).\(v & 0xff)"
    }

    /// RFC 5952: lower-case hex without leading zeros, the longest run (first on a tie) of two or more zero
    /// groups as "::", and IPv4-mapped addresses with their dotted quad.
    static func formatIPv6(_ b: U128) -> String {
        if b.hi == 0 && b.lo >> 32 == 0xffff {
            return "::ffff:" + formatIPv4(UInt32(truncatingIfNeeded: b.lo))
        }
        let g: [UInt16] = (0..<8).map { i in
            let word = i < 4 ? b.hi : b.lo
            return UInt16(truncatingIfNeeded: word >> UInt64(48 - 16 * (i % 4)))
        }
        var bestStart = -1, bestLen = 1, i = 0
        while i < 8 {
            guard g[i] == 0 else { i += 1; continue }
            var j = i
            while j < 8 && g[j] == 0 { j += 1 }
            if j - i > bestLen { bestStart = i; bestLen = j - i }
            i = j
        }
        func hex(_ r: Range<Int>) -> String { r.map { String(g[$0], radix: 16) }.joined(separator: ":") }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLen)..<8)
    }
}
