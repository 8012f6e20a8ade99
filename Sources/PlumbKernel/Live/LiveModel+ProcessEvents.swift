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
        // A child that came and went between two passes, or an exec in place, changes nothing on screen: the
        // snapshot keeps its content version (no frame, no doctor run for it).
        if snap.processes == old.processes { return (old, false) }
        var pids = [UInt64: [Int32]]()
        for p in snap.processes { if let ns = p.namespace { pids[ns, default: []].append(p.pid) } }
        for i in snap.namespaces.indices {
            let now = pids[snap.namespaces[i].id] ?? []
            guard now != snap.namespaces[i].pids else { continue }
            snap.namespaces[i].pids = now
            // One process holder stands for all of them: the lowest pid (as discovery records it). A namespace
            // that gained its first process gains the holder; one that lost its last loses it.
            let h = snap.namespaces[i].heldBy.firstIndex(where: { $0.kind == .process })
            switch (h, now.first) {
            case (let h?, let first?): snap.namespaces[i].heldBy[h] = Holder(kind: .process, pid: first)
            case (nil, let first?): snap.namespaces[i].heldBy.insert(Holder(kind: .process, pid: first), at: 0)
            case (let h?, nil): snap.namespaces[i].heldBy.remove(at: h)
            case (nil, nil): break
            }
        }
        return (snap, true)
    }

    static func comm(_ pid: Int32) -> String {
        guard let b = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) else { return "" }
        return b.hasSuffix("\n") ? String(b.dropLast()) : b
    }

    /// The snapshot with the process events since the last walk applied (counted as a change of content when
    /// they moved processes, but not of `objectsVersion`); nil when a walk is due or needed.
    func applyDiscoveryFromEvents() -> Snapshot? {
        guard let current = snapshot, let quick = discoveryFromEvents(current) else { return nil }
        snapshot = quick.snapshot
        if quick.changed { contentVersion &+= 1 }
        return quick.snapshot
    }

    /// The snapshot's namespaces as a walk would find them, after the process events since the last walk are
    /// applied: nil when a walk is due or needed, or when a namespace cannot be opened from what the snapshot
    /// knows (its bind mounts, its processes' and holders' files).
    func discoveredFromEvents() -> DiscoveryResult? {
        guard let snap = applyDiscoveryFromEvents() else { return nil }
        var namespaces: [DiscoveredNamespace] = []
        namespaces.reserveCapacity(snap.namespaces.count)
        var device: UInt64 = 0
        var openable = true
        snap.namespaces.withUnsafeBufferPointer { all in
            for i in all.indices {
                let ns = all[i]
                device = ns.device
                let handles = NamespaceFiles.handles(for: ns)
                // Every namespace, not only those entered: the read resolves veth peers through all of them. A
                // namespace bind-mounted only in another mount namespace has no handle here: that takes a walk.
                if openable && NamespaceFiles.open(handles, expecting: ns.id) == nil { openable = false}
                namespaces.append(DiscoveredNamespace(id: ns.id, isHost: ns.isHost, names: ns.names, paths: ns.paths,
                                                      heldBy: ns.heldBy, pids: ns.pids, handles: handles,
                                                      heldSince: ns.heldSince))
            }
        }
        guard openable else { return nil }
        return DiscoveryResult(namespaces: namespaces, processes: snap.processes, stats: snap.discovery, device: device)
    }
}
