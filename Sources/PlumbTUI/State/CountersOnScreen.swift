import PlumbMap
import PlumbModel

extension AppState {
    /// The links whose counters the screen uses, by namespace: the live source reads only these every interval
    /// (a host with 500 veths shows a few dozen). They are
    /// - the selected link and its veth peer: the Link tab's totals, rates, errors and sparklines (kept while
    ///   another tab is open, so the Link tab opens with its history);
    /// - the links of the topology pane's visible rows: the rows show no counters, but moving the selection
    ///   among them opens each one's Link tab with its sparklines;
    /// - with the Map open, the links of the edges in view (their rates are drawn on them), and no rows.
    /// `prepared`: the rows the next frame draws, when the loop has them (no second build).
    public func countersOnScreen(_ snapshot: Snapshot, prepared: PreparedRows? = nil) -> [UInt64: Set<Int>] {
        var out: [UInt64: Set<Int>] = [:]
        func add(_ id: LinkID) { out[id.namespace, default: []].insert(id.index) }
        if let sel = selectedLink {
            add(sel)
            if let peer = snapshot.namespace(id: sel.namespace)?.link(index: sel.index)?.peer,
               let ns = peer.namespace {
                add(LinkID(namespace: ns, index: peer.index))
            }
        }
        let l = layout
        guard !l.isTooSmall else { return out }
        if mapView != nil {
            for id in mapEdgesInView(snapshot) { add(id) }
            return out
        }
        guard let rect = l.rect(.topology) else { return out }
        let rows = prepared.flatMap { $0.matches(self, snapshot) ? $0.rows : nil } ?? PaneRows(self, snapshot)
        // As `TopologyView` places them: the pane's inside below its column header.
        let window = ListWindow(rect: rect.inset(by: 1).splitTop(1).1, count: rows.topology.count,
                                selected: rows.topologyIndex(selectedLink), storedTop: scroll[.topology] ?? 0)
        for (i, _) in window.visible { add(rows.topology[i].id) }
        return out
    }

    /// The links of the Map's edges whose places are in view (the picture the last frame drew, from the cache;
    /// laid out here when no frame drew one yet).
    func mapEdgesInView(_ snapshot: Snapshot) -> [LinkID] {
        guard let v = mapView else { return [] }
        let inner = MapScreen.bodyRect(self).inset(by: 1)
        guard inner.width > 0, inner.height > 0 else { return [] }
        // The picture on screen, as the cache keeps it (no layout's options made again for every frame).
        let (map, p) = (MapPictureCache.enabled ? v.cache.drawn() : nil) ?? MapScreen.picture(self, snapshot)
        let view = Rect(x: v.scrollX, y: v.scrollY, width: inner.width, height: inner.height)
        var shown = Set<String>()
        for r in p.regions {
            guard let e = r.edge else { continue }
            let seen = Rect(x: r.x, y: r.y, width: r.width, height: r.height).intersection(view)
            guard seen.width > 0 && seen.height > 0 else { continue }
            shown.insert(e)
        }
        return map.edges.compactMap { e in
            guard shown.contains(e.id), let ns = e.namespace, let i = e.ifindex else { return nil }
            return LinkID(namespace: ns, index: i)
        }
    }
}
