/// How alike two readings of the same kind of thing are, from most to least: what live views keep and what a
/// live source counts as a change are decided by it.
public enum Likeness: Int, Comparable, Sendable {
    /// Something that identifies or wires it differs.
    case different
    /// The same thing wired the same way; its state differs (for a link: flags, operational state, MTU,
    /// addresses, bridge port state — what a flap changes).
    case sameShape
    /// Equal but for counters.
    case same

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

extension Link {
    /// Field by field, without copying either link (a copy of each of the host's 500 links was most of comparing
    /// two snapshots). `shapeFields`, `stateFields` and `counterFields` name every field: a test checks that they
    /// are all of `Link`'s, so a field added later is not silently ignored.
    public func likeness(to b: borrowing Link) -> Likeness {
        guard index == b.index, name == b.name, kind == b.kind, mac == b.mac, master == b.master,
              peer == b.peer, parent == b.parent, vxlan == b.vxlan, macvlanMode == b.macvlanMode
        else { return .different }
        guard flags == b.flags, operState == b.operState, mtu == b.mtu, addresses == b.addresses,
              bridgePort == b.bridgePort else { return .sameShape }
        return .same  // `stats` are counters
    }

    /// The fields `likeness(to:)` compares as shape, as state, and leaves out.
    public static let shapeFields = ["index", "name", "kind", "mac", "master", "peer", "parent", "vxlan", "macvlanMode"]
    public static let stateFields = ["flags", "operState", "mtu", "addresses", "bridgePort"]
    public static let counterFields = ["stats"]
}

extension Array where Element == Link {
    /// The least alike pair of links, in order (`.different` for another count).
    public func likeness(to b: [Link]) -> Likeness {
        guard count == b.count else { return .different }
        return withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                if x.baseAddress == y.baseAddress { return .same }  // one array
                var m = Likeness.same
                for i in x.indices {
                    m = Swift.min(m, x[i].likeness(to: y[i]))
                    if m == .different { break }
                }
                return m
            }
        }
    }
}
