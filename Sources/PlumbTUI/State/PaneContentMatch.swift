import PlumbModel

/// Whether two snapshots have the same content for what `PaneCache` keeps: equal but for link counters, the
/// time, processes and pids, and which process holds a namespace (its kinds of holders and its bind mounts are
/// compared). The live source counts a new content version whenever a process starts or exits in a watched
/// namespace, every few seconds on a busy host, while the panes' trees and widths never show a pid.
///
/// Failing that, whether they have the same shape: the same but also for the links' flags, operational states,
/// MTUs, addresses and bridge port states, and the namespaces' routes and neighbours, which is what links going
/// down and up change (50 flaps a second on a 500-namespace host change the content every second). Values kept
/// at `PaneCache.Level.shape` must read none of those from a kept snapshot.
///
/// Everything else is compared whole (`Namespace ==`), so a field added later counts as shape by default.
/// Unchanged arrays are shared between consecutive snapshots, and namespaces the live model did not touch share
/// their fields, so most comparisons end at their storage; a 500-namespace snapshot compares in a fraction of
/// what rebuilding the kept values costs.
enum PaneContentMatch {
    /// How alike two snapshots are, from most to least.
    typealias Match = Likeness

    static func match(_ a: Snapshot, _ b: Snapshot) -> Match {
        guard a.namespaces.count == b.namespaces.count, a.notes == b.notes else { return .different }
        // Through the buffers: subscripting the arrays copies each namespace.
        return a.namespaces.withUnsafeBufferPointer { x in
            b.namespaces.withUnsafeBufferPointer { y in
                var m = Match.same
                for i in x.indices {
                    m = min(m, match(x[i], y[i]))
                    if m == .different { break }
                }
                return m
            }
        }
    }

    static func match(_ a: Namespace, _ b: Namespace) -> Match {
        if a.sharesFields(with: b) { return .same }  // a namespace the live model did not touch
        guard a.id == b.id, a.links.count == b.links.count, sameHolders(a.heldBy, b.heldBy) else { return .different }
        let links = a.links.likeness(to: b.links)
        guard links != .different else { return .different }
        var a = a
        a.links = b.links
        a.pids = b.pids
        a.heldBy = b.heldBy
        a.heldSince = b.heldSince  // the leak age: measured from the current snapshot on every frame
        if a == b { return links }
        a.routes = b.routes
        a.neighbors = b.neighbors
        return a == b ? .sameShape : .different
    }

    /// The same kinds of holders and the same bind mounts and fds: which process holds it may differ.
    static func sameHolders(_ a: [Holder], _ b: [Holder]) -> Bool {
        if a == b { return true }
        func held(_ hs: [Holder]) -> [Holder] { hs.filter { $0.kind != .process && $0.kind != .thread } }
        return NamespaceRows.holderKinds(a) == NamespaceRows.holderKinds(b) && held(a) == held(b)
    }
}
