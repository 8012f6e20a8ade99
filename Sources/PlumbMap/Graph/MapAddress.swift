import PlumbModel

/// An address as the map shows it: a device's address with its prefix length ("10.213.0.1/24"), or a bare address
/// ("192.168.1.20") for what is known only by its address (a remote VTEP, another host's endpoint). A value; its
/// text (the JSON's and the pictures') is what `ip` prints.
public enum MapAddress: Hashable, Sendable, CodableAsText {
    case withPrefix(IPPrefix)
    case bare(IPAddress)

    public var address: IPAddress {
        switch self {
        case .withPrefix(let p): return p.address
        case .bare(let a): return a
        }
    }

    /// The prefix of a device's address; nil for a bare one.
    public var prefix: IPPrefix? {
        if case .withPrefix(let p) = self { return p }
        return nil
    }

    public var description: String {
        switch self {
        case .withPrefix(let p): return p.description
        case .bare(let a): return a.description
        }
    }

    /// "ADDRESS/LENGTH" is a device's address, a bare address stays bare; nil for anything else.
    public init?(_ text: String) {
        if text.utf8.contains(UInt8(ascii: "/")) {
            guard let p = IPPrefix(text) else { return nil }
            self = .withPrefix(p)
        } else {
            guard let a = IPAddress(text) else { return nil }
            self = .bare(a)
        }
    }

    public static let textExpected = "an address or ADDRESS/LENGTH"
}
