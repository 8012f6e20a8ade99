import PlumbModel
import Synchronization

/// What the panes make from a snapshot's content alone (its lookups, the namespace list, the topology tree, the
/// column widths), kept between updates and frames while the content is the same. The idle TUI gets a snapshot
/// every second whose only news is its link counters and time: rebuilding all of it for 500 namespaces and a
/// 500-link host every second was most of the UI thread's work.
///
/// The content is known to be the same when the snapshot source's content version (`AppState.snapshotContent`)
/// is. A new version is compared with the snapshot the values were kept for (`PaneContentMatch`): processes
/// that start and exit move pids (a new version every few seconds on a busy host) but change none of what
/// is kept. Nothing is kept without a version (nil: the source cannot say what changed), and every value is
/// also keyed on what else it depends on (filter, selected namespace, glyphs).
///
/// A kept value can hold `Namespace` or `Link` values of an earlier snapshot of the same content: their
/// counters, pids and holders' pids are old, so those are always read from the current snapshot
/// (`SnapshotIndex`, `PaneRows.namespaces`), never from a kept row.
///
/// One cache per `AppState` lineage (copies of a state share it, as they share the content version).
public final class PaneCache: Sendable {
    /// Which content the kept values belong to: the cache's own count of contents seen.
    struct Content: Equatable, Sendable {
        fileprivate var epoch: UInt64
    }

    /// The kinds of values kept, one of each.
    enum Slot: Int, CaseIterable, Sendable {
        case lookups, namespaceList, topology, namespaceWidths, topologyWidths, statusCounts
        /// Drawn panes (`PaneMemo`).
        case namespacePane, topologyPane
    }

    private struct Kept: Sendable {
        var key: any Sendable
        var value: any Sendable
    }

    private struct Store: Sendable {
        var epoch: UInt64 = 0
        var version: UInt64?
        /// The newest snapshot of the kept content: a new version is compared with it. Held, so that the arrays
        /// it shares with the next snapshot stay alive.
        var snapshot: Snapshot?
        var kept: [Kept?] = Array(repeating: nil, count: Slot.allCases.count)
        var builds: [Int] = Array(repeating: 0, count: Slot.allCases.count)
        /// How many new versions were found to have the same content (tests).
        var matched = 0
    }

    private let store = Mutex(Store())

    public init() {}

    /// The content of `snapshot`, whose source calls it `version` (nil: unknown, keep nothing). Under the kept
    /// version, or another version with the same content, the values kept stay; otherwise they are dropped.
    func content(version: UInt64?, of snapshot: Snapshot) -> Content? {
        guard let version else { return nil }
        return store.withLock { s in
            if s.version == version, s.snapshot?.namespaces.count == snapshot.namespaces.count {
                // The source's word: the same content (the count checks a source that reuses a version).
            } else if let old = s.snapshot, PaneContentMatch.same(old, snapshot) {
                s.matched += 1
            } else {
                s.epoch &+= 1
                s.kept = Array(repeating: nil, count: Slot.allCases.count)
            }
            s.version = version
            s.snapshot = snapshot
            return Content(epoch: s.epoch)
        }
    }

    /// The value of `slot` for `key`, made by `make` unless it was kept for the same content and key. Without a
    /// content nothing is kept.
    func value<K: Equatable & Sendable, V: Sendable>(_ slot: Slot, content: Content?, key: K,
                                                      make: () -> V) -> V {
        guard let content else { return make() }
        let kept = store.withLock { s in s.epoch == content.epoch ? s.kept[slot.rawValue] : nil }
        if let kept, (kept.key as? K) == key, let v = kept.value as? V { return v }
        let v = make()
        store.withLock { s in
            guard s.epoch == content.epoch else { return }  // another content came meanwhile: keep nothing
            s.kept[slot.rawValue] = Kept(key: key, value: v)
            s.builds[slot.rawValue] += 1
        }
        return v
    }

    /// How many times each slot's value was made and kept (tests check that a frame reuses them).
    func builds(_ slot: Slot) -> Int { store.withLock { $0.builds[slot.rawValue] } }

    /// How many new versions kept the values because their content was the same.
    var matchedVersions: Int { store.withLock { $0.matched } }
}

extension PaneCache: Equatable {
    /// A cache is not part of what the screen shows: two states differing only in their caches are equal.
    public static func == (a: PaneCache, b: PaneCache) -> Bool { true }
}
