/// One IPv4 or IPv6 address, as a value: the one address type of Plumb (model, kernel reads, doctor, trace,
/// IPAM, capture). Parsed strictly (so a typo is an error, not another address; see IPAddress+Parsing) and
/// printed exactly as glibc's inet_ntop and `ip -j` print it (see IPAddress+Formatting), so the same address is
/// always the same text in JSON and in the state store.
public struct IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible, LosslessStringConvertible,
    Codable {
    public enum Family: String, Sendable, Codable {
        case ipv4, ipv6
        public var bitWidth: Int { self == .ipv4 ? 32 : 128 }
        /// "IPv4" / "IPv6", for messages.
        public var name: String { self == .ipv4 ? "IPv4" : "IPv6" }
        /// The model's family tag (routes, neighbours).
        public var addressFamily: AddressFamily { self == .ipv4 ? .ipv4 : .ipv6 }
    }

    public let family: Family
    /// The address as a number; IPv4 uses the low 32 bits.
    let bits: U128

    init(family: Family, bits: U128) {
        self.family = family
        self.bits = bits & U128.lowBits(family.bitWidth)
    }

    /// 10.0.0.1 is `IPAddress(ipv4: 0x0A00_0001)`.
    public init(ipv4 value: UInt32) { family = .ipv4; bits = U128(UInt64(value)) }
    /// `hi` holds the first eight bytes (network order).
    public init(ipv6High hi: UInt64, low lo: UInt64) { family = .ipv6; bits = U128(hi: hi, lo: lo) }

    /// The address from its bytes in network order, as the kernel and the wire carry it: 4 bytes for IPv4, 16
    /// for IPv6; nil for any other count.
    public init?(networkBytes b: UnsafeRawBufferPointer) {
        switch b.count {
        case 4:
            self.init(ipv4: UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3]))
        case 16:
            var hi: UInt64 = 0, lo: UInt64 = 0
            for i in 0..<8 { hi = hi << 8 | UInt64(b[i]) }
            for i in 8..<16 { lo = lo << 8 | UInt64(b[i]) }
            self.init(ipv6High: hi, low: lo)
        default:
            return nil
        }
    }

    public init?(networkBytes b: [UInt8]) {
        guard let a = b.withUnsafeBytes({ IPAddress(networkBytes: $0) }) else { return nil }
        self = a
    }

    /// The bytes in network order (4 or 16), for the C boundary and the wire.
    public var networkBytes: [UInt8] {
        family == .ipv4
            ? (0..<4).map { UInt8(truncatingIfNeeded: bits.lo >> (24 - 8 * UInt64($0))) }
            : (0..<16).map { UInt8(truncatingIfNeeded: ($0 < 8 ? bits.hi : bits.lo) >> (56 - 8 * UInt64($0 % 8))) }
    }

    /// The IPv4 address as a number (nil for IPv6).
    public var ipv4Value: UInt32? { family == .ipv4 ? UInt32(truncatingIfNeeded: bits.lo) : nil }
    /// The first and last eight bytes of an IPv6 address (an IPv4 address gives 0 and its value).
    public var high: UInt64 { bits.hi }
    public var low: UInt64 { bits.lo }
    public var isIPv4: Bool { family == .ipv4 }
    public var isIPv6: Bool { family == .ipv6 }

    public static let anyIPv4 = IPAddress(ipv4: 0)
    public static let anyIPv6 = IPAddress(ipv6High: 0, low: 0)

    /// 0.0.0.0 or ::.
    public var isUnspecified: Bool { bits == .zero }
    /// 127.0.0.0/8 or ::1.
    public var isLoopback: Bool { family == .ipv4 ? bits.lo >> 24 == 127 : bits == U128(1) }
    /// 169.254.0.0/16 or fe80::/10.
    public var isLinkLocal: Bool { family == .ipv4 ? bits.lo >> 16 == 0xA9FE : bits.hi >> 54 == 0x3FA }
    /// 224.0.0.0/4 or ff00::/8.
    public var isMulticast: Bool { family == .ipv4 ? bits.lo >> 28 == 0xE : bits.hi >> 56 == 0xFF }

    /// `n` addresses further on, or nil past the end of the family's space.
    public func advanced(by n: UInt64) -> IPAddress? {
        guard let s = bits.adding(U128(n)), s <= U128.lowBits(family.bitWidth) else { return nil }
        return IPAddress(family: family, bits: s)
    }

    /// The next address, or nil after the last one (255.255.255.255, ffff:...:ffff).
    public var next: IPAddress? { advanced(by: 1) }

    /// The previous address, or nil before the first one (0.0.0.0, ::).
    public var previous: IPAddress? { bits.subtracting(U128(1)).map { IPAddress(family: family, bits: $0) } }

    /// IPv4 sorts before IPv6; within a family, numerically.
    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        a.family != b.family ? a.family == .ipv4 : a.bits < b.bits
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
