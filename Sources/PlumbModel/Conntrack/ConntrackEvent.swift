/// A change of a conntrack table as the kernel announces it (NFNLGRP_CONNTRACK_NEW / _UPDATE / _DESTROY).
public struct ConntrackEvent: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable { case new, update, destroy }
    public var kind: Kind
    public var entry: ConntrackEntry

    public init(kind: Kind, entry: ConntrackEntry) { self.kind = kind; self.entry = entry }

    enum CodingKeys: String, CodingKey { case event, entry }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .event)
        entry = try c.decode(ConntrackEntry.self, forKey: .entry)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .event)
        try c.encode(entry, forKey: .entry)
    }
}
