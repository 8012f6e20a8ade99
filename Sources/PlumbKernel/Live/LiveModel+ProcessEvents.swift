import Foundation
import PlumbModel

/// Discovery driven by process events: between full /proc walks (every `walkEvery` seconds, and at once when
/// events were lost), a pass reads only the processes that forked, exec'd or exited since the last one. When
/// none of them entered an unknown namespace or left one empty, processes and pids are updated in place and
/// nothing else is read; otherwise the full walk decides.
extension LiveModel {
    /// Notes a full walk: the tracker starts again from what it found.
    func walked(_ found: DiscoveryResult) -> DiscoveryResult {
        _ = processEvents?.drain()  // what is queued is older than the walk, or also in it
        tracker.reset(from: found.processes)
        lastWalk = Date()
        walks += 1
        return found
    }

    /// The snapshot with the processes that events name brought up to date, and whether they changed it; nil
    /// when a full walk is needed.
    func discoveryFromEvents(_ old: Snapshot) -> (snapshot: Snapshot, changed: Bool)? {
        guard let processEvents, Date().timeIntervalSince(lastWalk) < walkEvery,
              pending.isEmpty, pendingTables.isEmpty, pendingFirewall.isEmpty,
              case .events(let events) = processEvents.drain() else { return nil }
        let change = tracker.apply(events, known: Set(old.namespaces.map(\.id)))
        if change.needsDiscovery { return nil }
        eventPasses += 1
        if change.moved.isEmpty && change.exited.isEmpty { return (old, false) }
        var snap = old
        let gone = change.exited.union(change.moved.keys)
        let before = Dictionary(snap.processes.map { ($0.pid, $0) }, uniquingKeysWith: { a, _ in a })
        snap.processes.removeAll { gone.contains($0.pid) }
        for (pid, ns) in change.moved {
            var p = before[pid] ?? ProcessRecord(pid: pid, ppid: 0, comm: Self.comm(pid), cmdline: "", uid: 0, namespace: ns)
            p.namespace = ns
            snap.processes.append(p)
        }
        snap.processes.sort { $0.pid < $1.pid }
        var pids = [UInt64: [Int32]]()
        for p in snap.processes { if let ns = p.namespace { pids[ns, default: []].append(p.pid) } }
        for i in snap.namespaces.indices {
            let now = pids[snap.namespaces[i].id] ?? []
            guard now != snap.namespaces[i].pids else { continue }
            snap.namespaces[i].pids = now
            // One process holder stands for all of them: the lowest pid (as discovery records it).
            if let h = snap.namespaces[i].heldBy.firstIndex(where: { $0.kind == .process }), let first = now.first {
                snap.namespaces[i].heldBy[h] = Holder(kind: .process, pid: first)
            }
        }
        return (snap, true)
    }

    static func comm(_ pid: Int32) -> String {
        guard let b = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) else { return "" }
        return b.hasSuffix("\n") ? String(b.dropLast()) : b
    }
}
