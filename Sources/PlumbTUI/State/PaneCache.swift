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
/// Two levels: a value kept at `.content` is dropped by any change of content; one kept at `.shape` only by a
/// change of the snapshot's shape (`PaneContentMatch.Match.sameShape`: the same namespaces and links but for the
/// links' states, addresses and bridge port states, and the routes and neighbours). Links flapping change the
/// content every second but not the shape: the lookups, the namespace list, the unfiltered tree and the widths
/// over 500 namespaces stay; what they do not hold (a link's state and addresses) is read from the current
/// snapshot, and the topology widths refresh only the rows whose addresses or port state changed
/// (`refreshed`).
///
/// A kept value can hold `Namespace` values of an earlier snapshot of the same content: their counters, pids
/// and holders' pids are old, so those are always read from the current snapshot (`SnapshotIndex`,
/// `PaneRows.namespaces`), never from a kept value.
///
/// One cache per `AppState` lineage (copies of a state share it, as they share the content version).
public final class PaneCache: Sendable {
    /// Which content (and shape) the kept values belong to: the cache's own counts of contents and shapes seen.
    struct Content: Equatable, Sendable {
        fileprivate var epoch: UInt64
        fileprivate var shape: UInt64
    }

    /// What change drops a kept value: any change of content, or only a change of shape.
    enum Level: Sendable {
        case content, shape
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
        var level: Level
        var epoch: UInt64
        var shape: UInt64

        func valid(for c: Content, at level: Level) -> Bool {
            guard self.level == level else { return false }
            return level == .shape ? shape == c.shape : epoch == c.epoch
        }
    }

    private struct Store: Sendable {
        var epoch: UInt64 = 0
        var shape: UInt64 = 0
        var version: UInt64?
        /// The newest snapshot of the kept content: a new version is compared with it. Held, so that the arrays
        /// it shares with the next snapshot stay alive.
        var snapshot: Snapshot?
        var kept: [Kept?] = Array(repeating: nil, count: Slot.allCases.count)
        var builds: [Int] = Array(repeating: 0, count: Slot.allCases.count)
        /// Kept values brought up to a new content by `refreshed` (tests).
        var refreshes: [Int] = Array(repeating: 0, count: Slot.allCases.count)
        /// How many new versions were found to have the same content (tests).
        var matched = 0
        /// How many new versions were found to have another content of the same shape (tests).
        var sameShape = 0
    }

    private let store = Mutex(Store())

    public init() {}

    /// The content of `snapshot`, whose source calls it `version` (nil: unknown, keep nothing). Under the kept
    /// version, or another version with the same content, the values kept stay; under another content of the
    /// same shape, those kept at `.shape`; otherwise none.
    func content(version: UInt64?, of snapshot: Snapshot) -> Content? {
        guard let version else { return nil }
        // Freed after the lock: a replaced snapshot or dropped values can be the last owners of many arrays.
        var released: (Snapshot?, [Kept?]) = (nil, [])
        let content = store.withLock { s -> Content in
            let match: PaneContentMatch.Match
            if s.version == version, s.snapshot?.namespaces.count == snapshot.namespaces.count {
                match = .same  // the source's word (the count checks a source that reuses a version)
            } else if let old = s.snapshot {
                match = PaneContentMatch.match(old, snapshot)
                if match == .same { s.matched += 1 }
            } else {
                match = .different
            }
            switch match {
            case .same:
                break
            case .sameShape:
                s.sameShape += 1
                s.epoch &+= 1
                released.1 = s.kept
                s.kept = s.kept.map { k in k?.level == .shape ? k : nil }
            case .different:
                s.epoch &+= 1
                s.shape &+= 1
                released.1 = s.kept
                s.kept = Array(repeating: nil, count: Slot.allCases.count)
            }
            s.version = version
            released.0 = s.snapshot
            s.snapshot = snapshot
            return Content(epoch: s.epoch, shape: s.shape)
        }
        withExtendedLifetime(released) {}
        return content
    }

    /// The value of `slot` for `key`, made by `make` unless it was kept at `level` for the same content (or
    /// shape) and key. Without a content nothing is kept.
    func value<K: Equatable & Sendable, V: Sendable>(_ slot: Slot, content: Content?, level: Level = .content,
                                                      key: K, make: () -> V) -> V {
        guard let content else { return make() }
        let kept = store.withLock { s in s.kept[slot.rawValue] }
        if let kept, kept.valid(for: content, at: level), (kept.key as? K) == key, let v = kept.value as? V {
            return v
        }
        let v = make()
        store.withLock { s in
            // Another content came meanwhile: keep nothing.
            guard s.epoch == content.epoch, s.shape == content.shape else { return }
            s.kept[slot.rawValue] = Kept(key: key, value: v, level: level, epoch: s.epoch, shape: s.shape)
            s.builds[slot.rawValue] += 1
        }
        return v
    }

    /// The value of `slot` for `key` at `.shape`: kept as is for the same content, brought up to a new content
    /// of the same shape by `refresh` (given the value kept for an earlier content), made by `make` otherwise.
    func refreshed<K: Equatable & Sendable, V: Sendable>(_ slot: Slot, content: Content?, key: K,
                                                          refresh: (V) -> V, make: () -> V) -> V {
        guard let content else { return make() }
        let kept = store.withLock { s in s.kept[slot.rawValue] }
        if let kept, kept.valid(for: content, at: .shape), (kept.key as? K) == key, let v = kept.value as? V {
            if kept.epoch == content.epoch { return v }
            let fresh = refresh(v)
            store.withLock { s in
                guard s.epoch == content.epoch, s.shape == content.shape else { return }
                s.kept[slot.rawValue] = Kept(key: key, value: fresh, level: .shape, epoch: s.epoch, shape: s.shape)
                s.refreshes[slot.rawValue] += 1
            }
            return fresh
        }
        return value(slot, content: content, level: .shape, key: key, make: make)
    }

    /// How many times each slot's value was made and kept (tests check that a frame reuses them).
    func builds(_ slot: Slot) -> Int { store.withLock { $0.builds[slot.rawValue] } }

    /// How many times a slot's kept value was brought up to a new content of the same shape.
    func refreshes(_ slot: Slot) -> Int { store.withLock { $0.refreshes[slot.rawValue] } }

    /// How many new versions kept the values because their content was the same.
    var matchedVersions: Int { store.withLock { $0.matched } }

    /// How many new versions kept the values kept at `.shape` because their shape was the same.
    var sameShapeVersions: Int { store.withLock { $0.sameShape } }
}

extension PaneCache: Equatable {
    /// A cache is not part of what the screen shows: two states differing only in their caches are equal.
    public static func == (a: PaneCache, b: PaneCache) -> Bool { true }
}
