import PlumbModel

/// The rows of the namespaces pane: host first, then the rest in snapshot order, narrowed by the filter.
/// The reducer and the view both call this, so selection and drawing always agree.
enum NamespaceRows {
    static func build(_ snapshot: Snapshot, filter: String, index: SnapshotIndex) -> [Namespace] {
        let f = Filter(filter)
        // Discovery already puts the host first: then the array is shared, not copied namespace by namespace.
        let hostFirst = snapshot.namespaces.indices.dropFirst().allSatisfy({ !snapshot.namespaces[$0].isHost })
            ? snapshot.namespaces
            : snapshot.namespaces.filter(\.isHost) + snapshot.namespaces.filter { !$0.isHost }
        return f.isEmpty ? hostFirst : hostFirst.filter { f.matches($0, index: index) }
    }

    /// "process", "bind mount,fd", …: what keeps the namespace alive, strongest holder first.
    static func heldBy(_ ns: Namespace) -> String {
        // A bit per kind rather than a Set: this runs for every namespace row on every frame.
        var kinds = 0
        for h in ns.heldBy {
            switch h.kind {
            case .process: kinds |= 1
            case .thread: kinds |= 2
            case .bindMount: kinds |= 4
            case .fd: kinds |= 8
            }
        }
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

    /// `container(ns).displayWidth` without building the text ("-" for most namespaces).
    static func containerWidth(_ ns: Namespace) -> Int { ns.containers.isEmpty ? 1 : container(ns).displayWidth }

    /// "docker:web" (plus "+N" when several containers share the namespace, as in a pod).
    static func container(_ ns: Namespace) -> String {
        guard let c = ns.containers.first else { return "-" }
        let name = c.name.isEmpty ? String(c.id.prefix(12)) : c.name
        let more = ns.containers.count > 1 ? " +\(ns.containers.count - 1)" : ""
        return "\(c.runtime.rawValue):\(name)\(more)"
    }
}
