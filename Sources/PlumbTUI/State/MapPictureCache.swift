import PlumbMap
import PlumbModel
import Synchronization
import Glibc

/// The Map view's graph and picture, kept between frames and keys: the graph is rebuilt only when the snapshot
/// changes (a new generation: `AppState.update(snapshot:)` counts them), the picture only when the graph or the
/// layout's inputs (width, unfolded buses, badges, rates) change. Without it every frame and every arrow key
/// built the whole graph and laid it out again (tens of milliseconds on a host with 1,000 endpoints).
///
/// One cache per open map (it lives in `MapViewState`, so closing the map drops it). Its key also carries the
/// snapshot's identity (the storage of its namespace list, its time and size), so a caller that hands over a
/// different snapshot without `update` (tests do) never gets a stale picture. When the source says what changed
/// (`AppState.snapshotContent`, the live model's content version) the key is that version instead: a new snapshot
/// whose only news is its counters (the idle TUI's every second) keeps the graph, and the picture too unless
/// the rates on it changed; building and laying out 500 namespaces every second was most of an open map's cost.
public final class MapPictureCache: Sendable {
    struct SnapshotKey: Equatable, Sendable {
        var generation: UInt64
        /// The address of the namespace list's storage (compared, never followed).
        var storage: UInt
        var takenAt: Double
        var namespaces: Int
        /// The source's content version, when it gave one (then the fields above but `namespaces` are 0).
        var content: UInt64?
    }

    private struct Entry: Sendable {
        var snapshot: SnapshotKey
        var cluster: MapClusterView?
        var map: HostMap
        var options: MapLayoutOptions?
        var picture: MapPicture?
    }

    private let entry = Mutex<Entry?>(nil)
    /// How many times the graph and the picture were built (tests check a frame reuses them).
    private let counts = Mutex<(graphs: Int, pictures: Int)>((0, 0))
    /// When the graph was last built for a live source's new content (CLOCK_MONOTONIC seconds), and whether a
    /// newer content waits for the next build.
    private let rebuilt = Mutex<(at: Double, deferred: Bool)>((-.infinity, false))
    /// A live source's graph is built at most this often: 50 link flaps a second publish five snapshots a second,
    /// and building and laying out 500 namespaces for each doubled the TUI's CPU with the map open. The panes
    /// follow every snapshot; the map, at most once a second.
    let rebuildSpacing: Double
    private let clock: @Sendable () -> Double

    public init() {
        rebuildSpacing = 1
        clock = { MapPictureCache.monotonicSeconds() }
    }

    /// A cache with its own clock and spacing (tests).
    init(rebuildSpacing: Double, clock: @escaping @Sendable () -> Double) {
        self.rebuildSpacing = rebuildSpacing
        self.clock = clock
    }

    static func monotonicSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// A newer snapshot's graph waited for `rebuildSpacing`, which has passed: the next frame builds it (the app
    /// draws one even when nothing else changed).
    public var isRebuildDue: Bool {
        let r = rebuilt.withLock { $0 }
        return r.deferred && clock() - r.at >= rebuildSpacing
    }

    /// `PLUMB_MAP_CACHE=0` turns the cache off (every frame and key builds and lays out the map again): only for
    /// measuring what the cache saves (bench/tui-map.sh).
    static let enabled = getenv("PLUMB_MAP_CACHE").map { String(cString: $0) != "0" } ?? true

    var builds: (graphs: Int, pictures: Int) { counts.withLock { $0 } }

    /// The graph and picture the last frame drew (nil before one was laid out): which edges are in view.
    func drawn() -> (HostMap, MapPicture)? {
        entry.withLock { e in e.flatMap { e in e.picture.map { (e.map, $0) } } }
    }

    /// The host's graph, with the cluster store's remote VTEPs and endpoints when there is a store.
    static func graph(_ snapshot: Snapshot, cluster: MapClusterView?) -> HostMap {
        let map = HostMapBuilder.build(snapshot)
        return cluster.map { map.adding($0) } ?? map
    }

    static func key(_ snapshot: Snapshot, generation: UInt64, content: UInt64? = nil) -> SnapshotKey {
        if let content {
            return SnapshotKey(generation: 0, storage: 0, takenAt: 0, namespaces: snapshot.namespaces.count, content: content)
        }
        return SnapshotKey(generation: generation,
                    storage: snapshot.namespaces.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) },
                    takenAt: snapshot.takenAt, namespaces: snapshot.namespaces.count)
    }

    /// The graph and picture for `snapshot` laid out with `options`, from the cache when both are unchanged.
    /// `keepingNotes`: the caller has no rates (a key handler), so the last frame's rates stand; the key then
    /// moves over the very picture that is on screen.
    func picture(_ snapshot: Snapshot, generation: UInt64, content: UInt64? = nil, cluster: MapClusterView? = nil,
                 keepingNotes: Bool = false, options: (HostMap) -> MapLayoutOptions) -> (HostMap, MapPicture) {
        let key = Self.key(snapshot, generation: generation, content: content)
        var e = entry.withLock { $0 }
        // A live source's new content (the same namespaces, another version) within `rebuildSpacing` of the last
        // build keeps the graph on screen until the spacing has passed.
        let now = clock()
        if let old = e, content != nil, old.snapshot.content != nil, old.snapshot != key, old.cluster == cluster,
           old.snapshot.namespaces == key.namespaces, now - rebuilt.withLock({ $0.at }) < rebuildSpacing {
            rebuilt.withLock { $0.deferred = true }
        } else if e?.snapshot != key || e?.cluster != cluster {
            if content != nil { rebuilt.withLock { $0 = (now, false) } }
            e = Entry(snapshot: key, cluster: cluster, map: Self.graph(snapshot, cluster: cluster))
            counts.withLock { $0.graphs += 1 }
        }
        guard var e else { fatalError("unreachable: the entry was just built") }
        var o = options(e.map)
        if keepingNotes { o.edgeNotes = e.options?.edgeNotes ?? [:] }
        if let p = e.picture, e.options == o { return (e.map, p) }
        let p = MapLayout.layout(e.map, options: o)
        counts.withLock { $0.pictures += 1 }
        e.options = o
        e.picture = p
        let stored = e
        entry.withLock { $0 = stored }
        return (e.map, p)
    }
}

extension MapPictureCache: Equatable {
    /// A cache is not part of what the view shows: two states differing only in their caches are equal.
    public static func == (a: MapPictureCache, b: MapPictureCache) -> Bool { true }
}
