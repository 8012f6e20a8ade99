import PlumbModel

/// Whether two snapshots have the same content for what `PaneCache` keeps: equal but for link counters, the
/// time, processes and pids, and which process holds a namespace (its kinds of holders and its bind mounts are
/// compared). The live source counts a new content version whenever a process starts or exits in a watched
/// namespace, every few seconds on a busy host, while the panes' trees and widths never show a pid.
///
/// Everything else is compared whole (`Namespace ==`), so a field added later counts as content by default.
/// Unchanged arrays are shared between consecutive snapshots, so most comparisons end at their storage; a
/// 500-namespace snapshot compares in a fraction of what rebuilding the kept values costs.
enum PaneContentMatch {
    static func same(_ a: Snapshot, _ b: Snapshot) -> Bool {
        guard a.namespaces.count == b.namespaces.count, a.notes == b.notes else { return false }
        // Through the buffers: subscripting the arrays copies each namespace.
        return a.namespaces.withUnsafeBufferPointer { x in
            b.namespaces.withUnsafeBufferPointer { y in
                x.indices.allSatisfy { same(x[$0], y[$0]) }
            }
        }
    }

    static func same(_ a: Namespace, _ b: Namespace) -> Bool {
        if a.sharesFields(with: b) { return true }  // a namespace the live model did not touch
        guard a.id == b.id, a.links.count == b.links.count, sameHolders(a.heldBy, b.heldBy),
              sameLinks(a.links, b.links) else { return false }
        var a = a
        a.links = b.links
        a.pids = b.pids
        a.heldBy = b.heldBy
        a.heldSince = b.heldSince  // the leak age: measured from the current snapshot on every frame
        return a == b
    }

    /// Equal but for their counters.
    static func sameLinks(_ a: [Link], _ b: [Link]) -> Bool {
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                if x.baseAddress == y.baseAddress { return true }  // one array
                for i in x.indices {
                    var l = x[i]
                    l.stats = y[i].stats
                    if l != y[i] { return false }
                }
                return true
            }
        }
    }

    /// The same kinds of holders and the same bind mounts and fds: which process holds it may differ.
    static func sameHolders(_ a: [Holder], _ b: [Holder]) -> Bool {
        if a == b { return true }
        func held(_ hs: [Holder]) -> [Holder] { hs.filter { $0.kind != .process && $0.kind != .thread } }
        return NamespaceRows.holderKinds(a) == NamespaceRows.holderKinds(b) && held(a) == held(b)
    }
}
