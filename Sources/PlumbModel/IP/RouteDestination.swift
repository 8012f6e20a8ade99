/// Where a route leads: the default route or a prefix. Its text is "default" or ADDRESS/LENGTH, as `ip route`
/// writes it, in the snapshot's JSON, in plans and in the journal alike.
public enum RouteDestination: Hashable, Sendable, CodableAsText {
    case `default`
    case prefix(IPPrefix)

    public init(_ prefix: IPPrefix?) { self = prefix.map { .prefix($0) } ?? .default }

    /// "default", ADDRESS/LENGTH, or a bare address as its single-address prefix (how `ip -j` writes host routes
    /// and how older journals may hold them); nil for anything else.
    public init?(_ text: String) {
        if text == "default" { self = .default; return }
        guard let p = IPPrefix(addressOrPrefix: text) else { return nil }
        self = .prefix(p)
    }

    /// The prefix; nil for the default route.
    public var prefix: IPPrefix? {
        if case .prefix(let p) = self { return p }
        return nil
    }

    public var isDefault: Bool { self == .default }

    public var description: String { prefix?.description ?? "default" }

    public static let textExpected = "a route destination ('default' or a prefix)"
}
