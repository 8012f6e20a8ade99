import PlumbMap
import PlumbModel

/// The Map view (`m`): which place of the picture is selected, how far the view is scrolled, which buses are
/// unfolded. The picture itself is recomputed from the snapshot (`MapScreen.picture`), so the selection is
/// kept as an identity (the node and the edge that placed it), never as a position.
public struct MapViewState: Sendable, Equatable {
    public struct Selection: Sendable, Equatable {
        public var node: String
        public var edge: String?
        public var foldOf: String?
    }
    public var selection: Selection?
    public var scrollX = 0
    public var scrollY = 0
    public var expanded: Set<String> = []
    /// The column up and down aim for: the last box's centre, kept while passing a full-width bus header, so
    /// down after up comes back to the same box.
    public var column: Int?
    /// Where a run of Tab presses started: Tab cycles the places connected to it (nil: start from the selection).
    public var tabAnchor: Selection?
    /// The graph and picture of the last frame, reused until the snapshot or the layout's inputs change.
    public var cache = MapPictureCache()

    public init() {}
}

/// One way to move on the map.
public enum MapDirection: Sendable { case up, down, left, right }

/// The picture the Map view shows for a state, and the pure moves over it.
public enum MapScreen {
    /// The map of `snapshot` laid out for the view's width, with the doctor's badges and the live rates.
    /// Keys and frames between two snapshots reuse the open map's cache (`MapPictureCache`).
    public static func picture(_ state: AppState, _ snapshot: Snapshot, rates: RateHistory? = nil) -> (HostMap, MapPicture) {
        func options(_ map: HostMap) -> MapLayoutOptions {
            var o = MapLayoutOptions(width: max(40, bodyRect(state).width - 2))
            o.expanded = state.mapView?.expanded ?? []
            o.badges = badges(state.findings, map).merging(dropBadges(state.drops, map)) { "\($0) \($1)" }
            if let rates { o.edgeNotes = notes(rates, map) }
            return o
        }
        if MapPictureCache.enabled, let cache = state.mapView?.cache {
            return cache.picture(snapshot, generation: state.snapshotGeneration, content: state.snapshotContent,
                                 cluster: state.cluster, keepingNotes: rates == nil,
                                 options: options)
        }
        let map = MapPictureCache.graph(snapshot, cluster: state.cluster)
        return (map, MapLayout.layout(map, options: options(map)))
    }

    /// The screen between the title bar and the status line.
    static func bodyRect(_ state: AppState) -> Rect {
        Rect(x: 0, y: 1, width: state.size.width, height: max(0, state.size.height - 2))
    }

    /// `⚠N` on each node and edge the doctor has findings about (the worst severity decides the glyph).
    static func badges(_ findings: [Finding], _ map: HostMap) -> [String: String] {
        var count: [String: (Int, Finding.Severity)] = [:]
        func add(_ id: String, _ s: Finding.Severity) {
            let c = count[id] ?? (0, .info)
            count[id] = (c.0 + 1, max(c.1, s))
        }
        for f in findings {
            for subject in f.subjects {
                let ns = MapID.namespace(subject.namespace)
                if subject.kind == .link {
                    for e in map.edges where e.namespace == subject.namespace && e.interface == subject.name { add(e.id, f.severity) }
                    for n in map.nodes where n.namespace == subject.namespace && n.kind != .namespace && n.name == subject.name {
                        add(n.id, f.severity)
                    }
                } else {
                    add(ns, f.severity)
                }
            }
        }
        return count.mapValues { "\($0.1 == .error ? "✗" : "⚠")\($0.0)" }
    }

    /// `12/s drops` (the drops watcher's window, as the panes show it) on each namespace that drops packets, on
    /// each uplink, bus or VTEP whose device does, and on the veth and tunnel lines whose interface does.
    static func dropBadges(_ drops: DropActivity?, _ map: HostMap) -> [String: String] {
        guard let drops else { return [:] }
        var out: [String: String] = [:]
        func put(_ id: String, _ rate: Double?) {
            if let rate, rate > 0 { out[id] = DropCounts.rate(rate) + " drops" }
        }
        for n in map.nodes {
            guard let ns = n.namespace else { continue }
            switch n.kind {
            case .namespace: put(n.id, drops.perNamespace[ns])
            case .uplink, .bus, .vtep: put(n.id, drops.perInterface[.init(namespace: ns, interface: n.name)])
            case .remote, .remoteEndpoint: break
            }
        }
        for e in map.edges where e.kind == .veth || e.kind == .tunnel {
            if let ns = e.namespace, let i = e.interface { put(e.id, drops.perInterface[.init(namespace: ns, interface: i)]) }
        }
        return out
    }

    /// `↓1.2k ↑300` for each edge whose link has a rate.
    static func notes(_ rates: RateHistory, _ map: HostMap) -> [String: String] {
        var out: [String: String] = [:]
        for e in map.edges {
            guard let ns = e.namespace, let i = e.ifindex, let r = rates.rates(LinkID(namespace: ns, index: i)) else { continue }
            out[e.id] = "↓\(compact(r.rxBytes))↑\(compact(r.txBytes))"
        }
        return out
    }

    /// Bytes per second in at most four characters: `0`, `950`, `1.5k`, `12k`, `3.4M`, `1.2G`.
    static func compact(_ v: Double) -> String {
        let units: [(Double, String)] = [(1e9, "G"), (1e6, "M"), (1e3, "k")]
        for (scale, unit) in units where v >= scale {
            let x = v / scale
            return (x < 10 ? Format.oneDecimal(x) : String(Int(x.rounded()))) + unit
        }
        return String(Int(v.rounded()))
    }

    /// The index of the selected region (the first region when nothing is selected).
    static func selectedIndex(_ sel: MapViewState.Selection?, in p: MapPicture) -> Int? {
        guard !p.regions.isEmpty else { return nil }
        guard let sel else { return 0 }
        return p.regions.firstIndex { $0.node == sel.node && $0.edge == sel.edge && $0.foldOf == sel.foldOf }
            ?? p.regions.firstIndex { $0.node == sel.node } ?? 0
    }

    /// The nearest region in `dir` from region `i`, connected or not: above or below (nearest row first, then
    /// column), or left or right on the same rows.
    /// What the arrows use when the node has no connected neighbour that way (`MapNeighbours.step` first), so
    /// that every node, even one wired to nothing near it, stays reachable.
    static func move(from i: Int, _ dir: MapDirection, in p: MapPicture, column: Int? = nil) -> Int {
        MapNeighbours.best(from: i, dir, among: Array(p.regions.indices), in: p, column: column) ?? i
    }

    /// The first region (after the selected one, wrapping) whose node's name (a bus's network name too) or
    /// addresses contain `text`.
    static func find(_ text: String, from i: Int?, map: HostMap, in p: MapPicture) -> Int? {
        let needle = text.lowercased()
        guard !needle.isEmpty, !p.regions.isEmpty else { return nil }
        let nodes = Dictionary(map.nodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let edges = Dictionary(map.edges.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let start = ((i ?? -1) + 1) % p.regions.count
        for k in 0..<p.regions.count {
            let j = (start + k) % p.regions.count
            let r = p.regions[j]
            guard r.foldOf == nil, let n = nodes[r.node] else { continue }
            let words = [n.name, n.title] + n.addresses.map(\.description) + (r.edge.flatMap { edges[$0] }?.addresses ?? []).map(\.description)
            if words.contains(where: { $0.lowercased().contains(needle) }) { return j }
        }
        return nil
    }

    /// Scrolls so region `r` is inside a view of `w`×`h` cells.
    static func reveal(_ r: MapRegion, _ v: inout MapViewState, width w: Int, height h: Int) {
        if r.y < v.scrollY { v.scrollY = r.y }
        if r.y + r.height > v.scrollY + h { v.scrollY = r.y + r.height - h }
        if r.x < v.scrollX { v.scrollX = r.x }
        if r.x + min(r.width, w) > v.scrollX + w { v.scrollX = r.x + min(r.width, w) - w }
        v.scrollX = max(0, v.scrollX); v.scrollY = max(0, v.scrollY)
    }
}
