/// An Ethernet (EUI-48) address of a link (named apart from the capture's frame-field MACAddress), parsed and printed once: lower-case hex, colon-separated (as iproute2 prints).
public struct HardwareAddress: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let bytes: [UInt8]

    /// The all-zeros address: a VXLAN device's forwarding entry for it is where broadcast, unknown unicast and
    /// multicast frames go (one per remote VTEP, `bridge fdb append`).
    public static let zero = HardwareAddress(unchecked: [0, 0, 0, 0, 0, 0])

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 6 else { return nil }
        self.bytes = bytes
    }

    /// "02:50:0a:d5:01:02" (also accepts upper case); nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard p.count == 2, let b = UInt8(p, radix: 16) else { return nil }
            out.append(b)
        }
        bytes = out
    }

    /// The address an overlay endpoint's interface gets from its IP address: 02:50 (locally administered,
    /// unicast) followed by an IPv4 address's four bytes, or 02:56 followed by an IPv6 address's last four bytes
    /// (an IPv6-only overlay). Every host computes the same MAC from an address lease alone, so peers program an
    /// endpoint without asking the host it lives on. Two IPv6 addresses of one overlay with the same last 32 bits
    /// would share a MAC: a connect asking for such an address is refused (`overlayMACClash`).
    public static func overlayEndpoint(_ address: IPAddress) -> HardwareAddress? {
        if address.isIPv4 { return HardwareAddress(unchecked: [0x02, 0x50] + address.networkBytes.prefix(4)) }
        return HardwareAddress(unchecked: [0x02, 0x56] + address.networkBytes.suffix(4))
    }

    /// The address among `others` whose overlay MAC is that of `address` (never `address` itself): only IPv6
    /// addresses can clash (see `overlayEndpoint`).
    public static func overlayMACClash(_ address: IPAddress, among others: [IPAddress]) -> IPAddress? {
        guard let mac = overlayEndpoint(address) else { return nil }
        return others.first { $0 != address && overlayEndpoint($0) == mac }
    }

    public var isZero: Bool { bytes.allSatisfy { $0 == 0 } }

    public var description: String {
        bytes.map { b in
            let h = String(b, radix: 16)
            return h.count == 1 ? "0" + h : h
        }.joined(separator: ":")
    }

    public static func < (a: HardwareAddress, b: HardwareAddress) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let m = HardwareAddress(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a MAC address: \(text)"))
        }
        self = m
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
