/// 128-bit unsigned arithmetic on two words: every IPv6 address fits, and IPv4 addresses sit in the low 32 bits.
/// (The standard library's UInt128 needs macOS 15 on Apple platforms while the package declares macOS 13, and
/// the IPAM needs only these few operations.)
struct U128: Hashable, Comparable, Sendable {
    var hi: UInt64
    var lo: UInt64

    init(hi: UInt64, lo: UInt64) { self.hi = hi; self.lo = lo }
    init(_ v: UInt64) { hi = 0; lo = v }

    static let zero = U128(0)

    static func < (a: U128, b: U128) -> Bool { a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo }

    /// The sum, or nil when it does not fit in 128 bits.
    func adding(_ o: U128) -> U128? {
        let (l, c) = lo.addingReportingOverflow(o.lo)
        let (h1, o1) = hi.addingReportingOverflow(o.hi)
        let (h2, o2) = h1.addingReportingOverflow(c ? 1 : 0)
        return o1 || o2 ? nil : U128(hi: h2, lo: l)
    }

    /// The difference, or nil when `o` is larger.
    func subtracting(_ o: U128) -> U128? {
        guard o <= self else { return nil }
        let (l, b) = lo.subtractingReportingOverflow(o.lo)
        return U128(hi: hi - o.hi - (b ? 1 : 0), lo: l)
    }

    static func & (a: U128, b: U128) -> U128 { U128(hi: a.hi & b.hi, lo: a.lo & b.lo) }
    static func | (a: U128, b: U128) -> U128 { U128(hi: a.hi | b.hi, lo: a.lo | b.lo) }
    static prefix func ~ (a: U128) -> U128 { U128(hi: ~a.hi, lo: ~a.lo) }

    /// A value with its lowest `n` bits set (n in 0...128): the host part of a prefix with `n` host bits.
    static func lowBits(_ n: Int) -> U128 {
        precondition((0...128).contains(n))
        if n == 0 { return .zero }
        if n < 64 { return U128(hi: 0, lo: (1 << UInt64(n)) - 1) }
        if n == 64 { return U128(hi: 0, lo: .max) }
        if n == 128 { return U128(hi: .max, lo: .max) }
        return U128(hi: (1 << UInt64(n - 64)) - 1, lo: .max)
    }

    /// 2^n (n in 0...127): the number of addresses in a prefix with `n` host bits.
    static func power(_ n: Int) -> U128 {
        precondition((0...127).contains(n))
        return n < 64 ? U128(hi: 0, lo: 1 << UInt64(n)) : U128(hi: 1 << UInt64(n - 64), lo: 0)
    }

    /// The value as a UInt64 when it fits.
    var uint64: UInt64? { hi == 0 ? lo : nil }
}
