/// An address with a prefix length: a subnet ("10.213.0.0/24", "fd13::/64"), a route destination or an
/// interface address ("10.213.0.5/24"). The address is kept as written; `network` and `canonical` give the
/// subnet it lies in.
public struct IPPrefix: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible, Codable {
    public let address: IPAddress
    public let length: Int

    public init(_ address: IPAddress, length: Int) throws {
        guard (0...address.family.bitWidth).contains(length) else {
            throw AddressError.invalidPrefix("\(address)/\(length)",
                                             reason: "an \(address.family.name) prefix length is 0-\(address.family.bitWidth)")
        }
        self.address = address
        self.length = length
    }

    /// For lengths already known to be valid (pools, candidates, kernel records); clamps to the family's width.
    public init(unchecked address: IPAddress, length: Int) {
        self.address = address
        self.length = Swift.min(Swift.max(length, 0), address.family.bitWidth)
    }

    /// The single-address prefix (/32, /128).
    public init(host address: IPAddress) {
        self.address = address
        self.length = address.family.bitWidth
    }

    /// Parses "ADDRESS/LENGTH". With `requireNetworkAddress` (user-given subnets) host bits must be zero, so
    /// "10.213.0.5/24" is an error suggesting 10.213.0.0/24 rather than silently becoming another subnet.
    public static func parse(_ text: String, requireNetworkAddress: Bool = false) throws -> IPPrefix {
        guard let prefix = IPPrefix(text) else { throw diagnose(text) }
        if requireNetworkAddress && !prefix.isNetworkAddress {
            throw AddressError.notNetworkAddress(text, suggestion: prefix.canonical.description)
        }
        return prefix
    }

    /// The fast path: "ADDRESS/LENGTH" with a decimal length of at most three digits in the family's range.
    public init?(_ description: String) {
        guard let slash = description.utf8.lastIndex(of: UInt8(ascii: "/")),
              let address = IPAddress(description[..<slash]) else { return nil }
        var length = 0, digits = 0
        for c in description.utf8[description.utf8.index(after: slash)...] {
            guard c &- UInt8(ascii: "0") < 10, digits < 3 else { return nil }
            length = length * 10 + Int(c &- UInt8(ascii: "0")); digits += 1
        }
        guard digits > 0, length <= address.family.bitWidth else { return nil }
        self.address = address
        self.length = length
    }

    /// "A/LEN", or a bare address as its single-address prefix (how iptables and resolv.conf write hosts).
    public init?(addressOrPrefix text: String) {
        if text.utf8.contains(UInt8(ascii: "/")) {
            guard let p = IPPrefix(text) else { return nil }
            self = p
        } else {
            guard let a = IPAddress(text) else { return nil }
            self.init(host: a)
        }
    }

    private static func diagnose(_ text: String) -> AddressError {
        guard let slash = text.lastIndex(of: "/") else {
            return .invalidPrefix(text, reason: "it has no '/LENGTH': write it like 10.0.0.0/24 or fd00::/64")
        }
        let addressText = String(text[..<slash]), lengthText = text[text.index(after: slash)...]
        guard let address = IPAddress(addressText) else {
            return .invalidPrefix(text, reason: "'\(addressText)' is not an IP address: \(IPAddressDiagnosis.reason(addressText))")
        }
        let width = address.family.bitWidth
        guard !lengthText.isEmpty, lengthText.allSatisfy({ $0.isASCII && $0.isNumber }), lengthText.count <= 3,
              let length = Int(lengthText) else {
            return .invalidPrefix(text, reason: "'/\(lengthText)' is not a prefix length: use a number 0-\(width)")
        }
        return .invalidPrefix(text, reason: "prefix length \(length) is too long for \(address.family.name) (0-\(width))")
    }

    public var family: IPAddress.Family { address.family }
    var hostBits: Int { family.bitWidth - length }
    var hostMask: U128 { U128.lowBits(hostBits) }

    /// The first address of the subnet (host bits cleared).
    public var network: IPAddress { IPAddress(family: family, bits: address.bits & ~hostMask) }
    /// The last address of the subnet (host bits set).
    public var last: IPAddress { IPAddress(family: family, bits: address.bits | hostMask) }
    /// The subnet itself: "10.213.0.5/24" -> "10.213.0.0/24".
    public var canonical: IPPrefix { IPPrefix(unchecked: network, length: length) }
    public var isNetworkAddress: Bool { address == network }
    /// 0.0.0.0/0 or ::/0.
    public var isDefault: Bool { length == 0 }

    /// How many addresses the prefix spans, or UInt64.max when that does not fit (IPv6 prefixes shorter than /65).
    public var addressCount: UInt64 { hostBits >= 64 ? .max : 1 << UInt64(hostBits) }

    /// IPv4 broadcast address; nil for IPv6 and for /31 and /32, which have none (RFC 3021).
    public var broadcast: IPAddress? { family == .ipv4 && length <= 30 ? last : nil }

    /// The first address an endpoint or gateway may use: the network address is reserved (IPv4 network,
    /// IPv6 subnet-router anycast) except in /31, /32, /127 and /128, where every address is a host.
    public var firstHost: IPAddress { hostBits <= 1 ? network : network.next! }
    /// The last usable address: before the broadcast in IPv4, the last address in IPv6.
    public var lastHost: IPAddress { broadcast?.previous ?? last }

    /// Whether `a` lies in the subnet (false for the other family).
    public func contains(_ a: IPAddress) -> Bool {
        a.family == family && (a.bits & ~hostMask) == (address.bits & ~hostMask)
    }

    /// Whether all of `p` lies in the subnet.
    public func contains(_ p: IPPrefix) -> Bool {
        p.family == family && p.length >= length && contains(p.address)
    }

    /// Whether the two subnets share any address (prefixes either nest or are disjoint).
    public func overlaps(_ p: IPPrefix) -> Bool {
        p.family == family && (contains(p.address) || p.contains(address))
    }

    public var description: String {
        String(unsafeUninitializedCapacity: IPAddress.maxFormattedLength + 4) { write(into: $0, at: 0) }
    }

    /// Writes "ADDRESS/LENGTH" at `out[at...]` (at least `maxFormattedLength + 4` bytes free); returns its length.
    public func write(into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        var i = start + address.write(into: out, at: start)
        out[i] = UInt8(ascii: "/"); i += 1
        if length >= 100 { out[i] = 0x30 + UInt8(length / 100); i += 1 }
        if length >= 10 { out[i] = 0x30 + UInt8(length / 10 % 10); i += 1 }
        out[i] = 0x30 + UInt8(length % 10); i += 1
        return i - start
    }

    /// Appends the text to `out` (UTF-8).
    public func append(to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: IPAddress.maxFormattedLength + 4) { buf in
            let n = write(into: buf, at: 0)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[..<n]))
        }
    }

    public init(from decoder: any Decoder) throws {
        self = try Self.parse(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension IPPrefix {
    public var isIPv4: Bool { address.isIPv4 }
    public var isIPv6: Bool { address.isIPv6 }
}
