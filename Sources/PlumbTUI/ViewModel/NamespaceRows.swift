import PlumbModel

/// The rows of the namespaces pane: host first, then the rest in snapshot order, narrowed by the filter.
/// The reducer and the view both call this, so selection and drawing always agree.
enum NamespaceRows {
    static func build(_ snapshot: Snapshot, filter: String, index: SnapshotIndex) -> [Namespace] {
        let f = Filter(filter)
        let hostFirst = snapshot.namespaces.filter(\.isHost) + snapshot.namespaces.filter { !$0.isHost }
        return f.isEmpty ? hostFirst : hostFirst.filter { f.matches($0, index: index) }
    }

    /// "process", "bind mount,fd", …: what keeps the namespace alive, strongest holder first.
    static func heldBy(_ ns: Namespace) -> String {
        let order: [Holder.Kind] = [.process, .thread, .bindMount, .fd]
        let kinds = Set(ns.heldBy.map(\.kind))
        let names = order.filter(kinds.contains).map { k -> String in
            switch k {
            case .process: return "process"
            case .thread: return "thread"
            case .bindMount: return "bind mount"
            case .fd: return "fd"
            }
        }
        return names.isEmpty ? "-" : names.joined(separator: ",")
    }

    /// "docker:web" (plus "+N" when several containers share the namespace, as in a pod).
    static func container(_ ns: Namespace) -> String {
        guard let c = ns.containers.first else { return "-" }
        let name = c.name.isEmpty ? String(c.id.prefix(12)) : c.name
        let more = ns.containers.count > 1 ? " +\(ns.containers.count - 1)" : ""
        return "\(c.runtime.rawValue):\(name)\(more)"
    }
}
