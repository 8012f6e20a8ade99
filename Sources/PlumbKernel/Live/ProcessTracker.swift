import Glibc
import PlumbModel

/// The network namespace of every process, kept current from process events: a fork or exec costs one
/// readlink of /proc/PID/ns/net (exec, because `ip netns exec` and container runtimes switch namespace just
/// before it), an exit none. A process that is gone before it is looked at is normal (short-lived children):
/// it is skipped, and its exit removes nothing that was recorded.
struct ProcessTracker {
    var procRoot = "/proc"
    /// tgid → network namespace inode.
    private(set) var namespaces: [Int32: UInt64] = [:]
    /// Tracked processes per namespace: a namespace whose count drops to 0 was emptied.
    private var counts: [UInt64: Int] = [:]
    /// readlinks made by `apply` (the cost the live view pays per event), and the process events applied.
    private(set) var lookups = 0
    private(set) var events = 0

    /// What a batch of events changed.
    struct Change: Equatable {
        /// Processes now in a namespace the caller did not know (a full discovery is needed).
        var unknownNamespaces: Set<UInt64> = []
        /// Namespaces whose last tracked process exited (one may have vanished: a full discovery decides).
        var emptied: Set<UInt64> = []
        /// Processes that appeared or changed namespace, and those that exited.
        var moved: [Int32: UInt64] = [:]
        var exited: Set<Int32> = []
        /// Processes gone before they could be looked at.
        var vanished = 0
        var needsDiscovery: Bool { !unknownNamespaces.isEmpty || !emptied.isEmpty }
    }

    mutating func reset(from processes: [ProcessRecord]) {
        namespaces = [:]
        counts = [:]
        for p in processes { if let ns = p.namespace { set(p.pid, ns) } }
    }

    mutating func apply(_ events: [ProcessEvent], known: Set<UInt64>) -> Change {
        var change = Change()
        var touched = Set<UInt64>()
        for e in events where e.isProcess {
            self.events += 1
            switch e.kind {
            case .fork, .exec:
                lookups += 1
                guard let ns = Self.netns("\(procRoot)/\(e.pid)/ns/net") else {
                    // Exited already (its exit event follows, or came first), or unreadable: nothing to record.
                    change.vanished += 1
                    if let old = remove(e.pid) { touched.insert(old); change.exited.insert(e.pid) }
                    change.moved[e.pid] = nil
                    continue
                }
                if let old = namespaces[e.pid], old != ns { touched.insert(old) }
                set(e.pid, ns)
                change.moved[e.pid] = ns
                change.exited.remove(e.pid)
                if !known.contains(ns) { change.unknownNamespaces.insert(ns) }
            case .exit:
                change.moved[e.pid] = nil
                if let old = remove(e.pid) {
                    change.exited.insert(e.pid)
                    touched.insert(old)
                }
            }
        }
        change.emptied = touched.filter { (counts[$0] ?? 0) == 0 }
        return change
    }

    private mutating func set(_ pid: Int32, _ ns: UInt64) {
        if let old = namespaces[pid] {
            if old == ns { return }
            counts[old, default: 1] -= 1
        }
        namespaces[pid] = ns
        counts[ns, default: 0] += 1
    }

    private mutating func remove(_ pid: Int32) -> UInt64? {
        guard let old = namespaces.removeValue(forKey: pid) else { return nil }
        counts[old, default: 1] -= 1
        return old
    }

    static func netns(_ path: String) -> UInt64? {
        var buf = [CChar](repeating: 0, count: 64)
        let n = readlink(path, &buf, 63)
        guard n > 0 else { return nil }
        return parseNamespaceLink(String(cString: buf))?.inode
    }
}
