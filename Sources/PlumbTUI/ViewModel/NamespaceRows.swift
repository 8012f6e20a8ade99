import PlumbModel

/// The rows of the namespaces pane: host first, then the rest in snapshot order, narrowed by the filter.
/// The reducer and the view both call this, so selection and drawing always agree.
enum NamespaceRows {
    static func build(_ snapshot: Snapshot, filter: String, index: SnapshotIndex) -> [Namespace] {
        rows(snapshot, positions: positions(snapshot, filter: filter, index: index))
    }

    /// Which namespaces of `snapshot` are rows, in row order, as positions in `snapshot.namespaces`; nil when
    /// every namespace is, in snapshot order (then the rows are the snapshot's own array, shared, not copied).
    /// Depends on the snapshot's content only: `PaneCache` keeps it while the content version stays the same.
    static func positions(_ snapshot: Snapshot, filter: String, index: SnapshotIndex) -> [Int]? {
        let f = Filter(filter)
        return snapshot.namespaces.withUnsafeBufferPointer { all -> [Int]? in
            // Discovery already puts the host first. Through the buffer: subscripting the array copies each
            // namespace, 500 of them per update.
            let onlyFirstIsHost = all.indices.dropFirst().allSatisfy { !all[$0].isHost }
            if onlyFirstIsHost && f.isEmpty { return nil }
            let hostFirst = onlyFirstIsHost ? Array(all.indices)
                : all.indices.filter { all[$0].isHost } + all.indices.filter { !all[$0].isHost }
            return f.isEmpty ? hostFirst : hostFirst.filter { f.matches(all[$0], index: index) }
        }
    }

    /// The rows at `positions` (from `positions(_:filter:index:)`) of `snapshot`: the current namespaces, so
    /// their counters are the snapshot's own.
    static func rows(_ snapshot: Snapshot, positions: [Int]?) -> [Namespace] {
        guard let positions else { return snapshot.namespaces }
        return snapshot.namespaces.withUnsafeBufferPointer { all in positions.map { all[$0] } }
    }

    /// "process", "bind mount,fd", …: what keeps the namespace alive, strongest holder first.
    static func heldBy(_ ns: Namespace) -> String { heldBy(kinds: holderKinds(ns.heldBy)) }

    /// A bit per kind of holder (1 process, 2 thread, 4 bind mount, 8 fd) rather than a Set: this runs for every
    /// namespace row on every frame.
    static func holderKinds(_ holders: [Holder]) -> Int {
        var kinds = 0
        for h in holders {
            switch h.kind {
            case .process: kinds |= 1
            case .thread: kinds |= 2
            case .bindMount: kinds |= 4
            case .fd: kinds |= 8
            }
        }
        return kinds
    }

    static func heldBy(kinds: Int) -> String {
        switch kinds {
        case 0: return "-"
        case 1: return "process"
        case 4: return "bind mount"
        case 8: return "fd"
        default:
            return [(1, "process"), (2, "thread"), (4, "bind mount"), (8, "fd")]
                .filter { kinds & $0.0 != 0 }.map(\.1).joined(separator: ",")
        }
    }

    /// `Namespace.isOrphan` from the holder bits: held by no process or thread.
    static func isOrphan(kinds: Int, isHost: Bool) -> Bool { !isHost && kinds & 3 == 0 }

    /// `container(ns).displayWidth` without building the text ("-" for most namespaces).
    static func containerWidth(_ ns: Namespace) -> Int { containerWidth(ns.containers, why: ns.why) }

    static func containerWidth(_ containers: [Container], why: Unattributed? = nil) -> Int {
        containers.isEmpty ? container(containers, why: why).displayWidth : container(containers).displayWidth
    }

    /// "docker:web" (plus "+N" when several containers share the namespace, as in a pod); without a container,
    /// what made it in parentheses ("(ip netns)", "(unshare)"), so a "-" is never left unexplained.
    static func container(_ ns: Namespace) -> String { container(ns.containers, why: ns.why) }

    static func container(_ containers: [Container], why: Unattributed? = nil) -> String {
        guard let c = containers.first else { return why.map { "(\($0.maker))" } ?? "-" }
        let name = c.name.isEmpty ? String(c.id.prefix(12)) : c.name
        let more = containers.count > 1 ? " +\(containers.count - 1)" : ""
        return "\(c.runtime.rawValue):\(name)\(more)"
    }
}
