/// An address with a prefix length: a subnet ("10.213.0.0/24", "fd13::/64") or an interface address
/// ("10.213.0.5/24"). The address is kept as written; `network` and `canonical` give the subnet it lies in.
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

    /// For lengths already known to be valid (pools, candidates).
    init(unchecked address: IPAddress, length: Int) {
        self.address = address
        self.length = length
    }

    /// Parses "ADDRESS/LENGTH". With `requireNetworkAddress` (user-given subnets) host bits must be zero, so
    /// "10.213.0.5/24" is an error suggesting 10.213.0.0/24 rather than silently becoming another subnet.
    public static func parse(_ text: String, requireNetworkAddress: Bool = false) throws -> IPPrefix {
        guard let slash = text.lastIndex(of: "/") else {
            throw AddressError.invalidPrefix(text, reason: "it has no '/LENGTH': write it like 10.0.0.0/24 or fd00::/64")
        }
        let addressText = String(text[..<slash]), lengthText = text[text.index(after: slash)...]
        let address: IPAddress
        do {
            address = try IPAddress.parse(addressText)
        } catch AddressError.invalidAddress(_, let reason) {
            throw AddressError.invalidPrefix(text, reason: "'\(addressText)' is not an IP address: \(reason)")
        }
        let width = address.family.bitWidth
        guard !lengthText.isEmpty, lengthText.allSatisfy({ $0.isASCII && $0.isNumber }), lengthText.count <= 3,
              let length = Int(lengthText) else {
            throw AddressError.invalidPrefix(text, reason: "'/\(lengthText)' is not a prefix length: use a number 0-\(width)")
        }
        guard length <= width else {
            throw AddressError.invalidPrefix(text, reason: "prefix length \(length) is too long for \(address.family.name) (0-\(width))")
        }
        let prefix = IPPrefix(unchecked: address, length: length)
        if requireNetworkAddress && !prefix.isNetworkAddress {
            throw AddressError.notNetworkAddress(text, suggestion: prefix.canonical.description)
        }
        return prefix
    }

    public init?(_ description: String) {
        guard let p = try? Self.parse(description) else { return nil }
        self = p
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

    /// IPv4 broadcast address; nil for IPv6 and for /31 and /32, which have none (RFC 3021).
    public var broadcast: IPAddress? { family == .ipv4 && length <= 30 ? last : nil }

    /// The first address an endpoint or gateway may use: the network address is reserved (IPv4 network,
    /// IPv6 subnet-router anycast) except in /31, /32, /127 and /128, where every address is a host.
    public var firstHost: IPAddress { hostBits <= 1 ? network : network.advanced(by: 1)! }
    /// The last usable address: before the broadcast in IPv4, the last address in IPv6.
    public var lastHost: IPAddress { broadcast.flatMap { IPAddress(family: family, bits: $0.bits.subtracting(U128(1))!) } ?? last }

    /// Whether `a` lies in the subnet (false for the other family).
    public func contains(_ a: IPAddress) -> Bool {
        a.family == family && (a.bits & ~hostMask) == network.bits
    }

    /// Whether all of `p` lies in the subnet.
    public func contains(_ p: IPPrefix) -> Bool {
        p.family == family && p.length >= length && contains(p.network)
    }

    /// Whether the two subnets share any address (prefixes either nest or are disjoint).
    public func overlaps(_ p: IPPrefix) -> Bool {
        p.family == family && (contains(p.network) || p.contains(network))
    }

    /// Host number `n`, counting the network address as 0: `host(1)` is the usual gateway. Throws when that
    /// address is not a usable host of the subnet (beyond it, or its network or broadcast address).
    public func host<N: BinaryInteger>(_ n: N) throws -> IPAddress {
        guard let k = UInt64(exactly: n), let a = network.advanced(by: k), a >= firstHost, a <= lastHost else {
            throw AddressError.noSuchHost(String(n), subnet: canonical)
        }
        return a
    }

    /// Checks that `a` may be given out in this subnet as `role` ("gateway", "address"): same family,
    /// inside, and not the network or broadcast address.
    public func checkHost(_ a: IPAddress, role: String) throws {
        guard a.family == family else { throw AddressError.familyMismatch(role: role, a.description, subnet: canonical) }
        guard contains(a) else { throw AddressError.outsideSubnet(role: role, a.description, subnet: canonical) }
        if a < firstHost {
            throw AddressError.reserved(role: role, a, subnet: canonical,
                                        what: family == .ipv4 ? "network address" : "subnet-router anycast address")
        }
        if a > lastHost { throw AddressError.reserved(role: role, a, subnet: canonical, what: "broadcast address") }
    }

    /// Checks that `range` (an --ip-range) lies inside this subnet.
    public func checkRange(_ range: IPPrefix, role: String = "ip-range") throws {
        guard range.family == family else {
            throw AddressError.familyMismatch(role: role, range.description, subnet: canonical)
        }
        guard contains(range.canonical) else {
            throw AddressError.outsideSubnet(role: role, range.description, subnet: canonical)
        }
    }

    public var description: String { "\(address)/\(length)" }

    public init(from decoder: any Decoder) throws {
        self = try Self.parse(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
