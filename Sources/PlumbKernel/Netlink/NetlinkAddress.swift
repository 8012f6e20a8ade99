import Glibc
import CNetlink
import PlumbModel

/// Turns libnl's `struct nl_addr` into text. Kept here so no libnl type escapes this folder.
enum NetlinkAddress {
    /// "10.0.0.1" / "fd13::1" / "aa:bb:cc:dd:ee:ff"; nil for NULL or empty.
    static func string(_ a: OpaquePointer?) -> String? {
        guard let a, nl_addr_get_len(a) > 0, let raw = nl_addr_get_binary_addr(a) else { return nil }
        let family = nl_addr_get_family(a)
        let bytes = UnsafeRawBufferPointer(start: raw, count: Int(nl_addr_get_len(a)))
        if family == AF_INET || family == AF_INET6 { return ip(family: family, bytes) }
        return bytes.map { hexByte($0) }.joined(separator: ":")
    }

    /// The IPv4/IPv6 address a libnl address holds; nil for NULL, empty or another family (a MAC).
    static func address(_ a: OpaquePointer?) -> IPAddress? {
        guard let a, nl_addr_get_len(a) > 0, let raw = nl_addr_get_binary_addr(a) else { return nil }
        return address(family: nl_addr_get_family(a), UnsafeRawBufferPointer(start: raw, count: Int(nl_addr_get_len(a))))
    }

    /// An IPv4/IPv6 address from raw bytes (network order); nil for an unset family.
    static func address(family: Int32, _ raw: UnsafeRawBufferPointer) -> IPAddress? {
        switch family {
        case AF_INET: return IPAddress(networkBytes: UnsafeRawBufferPointer(rebasing: raw.prefix(4)))
        case AF_INET6: return IPAddress(networkBytes: UnsafeRawBufferPointer(rebasing: raw.prefix(16)))
        default: return nil
        }
    }

    /// Its text, printed by the model (the same text inet_ntop gives).
    static func ip(family: Int32, _ raw: UnsafeRawBufferPointer) -> String? {
        address(family: family, raw)?.description
    }

    /// A C `unsigned char[16]` as Swift imports it (the address fields of the flat route records).
    typealias Bytes16 = (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                         UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)

    /// An IPv4/IPv6 address held in such a field.
    static func address(family: Int32, _ bytes: inout Bytes16) -> IPAddress? {
        withUnsafeBytes(of: &bytes) { address(family: family, $0) }
    }

    /// "10.0.0.0/24", "default" when the prefix length is zero.
    static func cidr(_ a: OpaquePointer?, defaultWhenEmpty: Bool) -> String? {
        guard let a else { return defaultWhenEmpty ? "default" : nil }
        let plen = nl_addr_get_prefixlen(a)
        if nl_addr_get_len(a) == 0 || (plen == 0 && defaultWhenEmpty) { return "default" }
        guard let s = string(a) else { return nil }
        return "\(s)/\(plen)"
    }

    private static let hexDigits = Array("0123456789abcdef")
    static func hexByte(_ b: UInt8) -> String {
        String([hexDigits[Int(b >> 4)], hexDigits[Int(b & 15)]])
    }
}
