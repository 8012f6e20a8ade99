import PlumbModel

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

/// IP addresses are the model's `IPAddress` (two words and a family tag: flat, no heap), read straight from the
/// frame here; they are formatted only when a summary or detail view asks.
extension IPAddress {
    /// Reads four bytes at `offset`; the caller has already checked the bounds.
    @inline(__always)
    init(ipv4 buffer: UnsafeRawBufferPointer, at offset: Int) { self.init(ipv4: buffer.be32(offset)) }

    /// Reads sixteen bytes at `offset`; the caller has already checked the bounds.
    @inline(__always)
    init(ipv6 buffer: UnsafeRawBufferPointer, at offset: Int) {
        self.init(ipv6High: buffer.be64(offset), low: buffer.be64(offset + 8))
    }
}

@inline(__always)
func hexDigitLower(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? 0x30 + nibble : 0x57 + nibble
}
