import PlumbMap
import PlumbModel

/// The Map view's keys: open and close, move, unfold, find, and leave for a node's details, a capture or a
/// shell (those act on the node under the cursor, as the panes' keys act on their selection).
extension AppState {
    mutating func toggleMap(snapshot: Snapshot) {
        if mapView != nil { mapView = nil; return }
        var v = MapViewState()
        // Start on the namespace selected in the panes, when the map shows it.
        let (_, p) = MapScreen.picture(self, snapshot)
        let host = snapshot.host?.id
        if let ns = selectedNamespace, ns != host, let r = p.regions.first(where: { $0.node == MapID.namespace(ns) }) {
            v.selection = .init(node: r.node, edge: r.edge, foldOf: r.foldOf)
        } else if let r = p.regions.first {
            v.selection = .init(node: r.node, edge: r.edge, foldOf: r.foldOf)
        }
        mapView = v
        revealSelection(in: p)
    }

    /// The map's own meaning of a key; nil when the action is not the map's (the global one applies).
    mutating func performInMap(_ action: Action, snapshot: Snapshot) -> Effect? {
        guard mapView != nil else { return nil }
        let (map, p) = MapScreen.picture(self, snapshot)
        let current = MapScreen.selectedIndex(mapView?.selection, in: p)
        // Arrows follow the edges: the nearest connected place that way, else (nothing connected lies there) the
        // nearest place at all, so a node wired to nothing near it can still be reached.
        func go(_ dir: MapDirection) {
            guard let i = current else { return }
            let column = dir == .up || dir == .down ? mapView?.column : nil
            select(MapNeighbours.step(from: i, dir, map: map, in: p, column: column)
                   ?? MapScreen.move(from: i, dir, in: p, column: column), in: p)
            mapView?.tabAnchor = nil
        }
        // Tab / Shift-Tab: the next or previous place connected to where the run of Tabs started.
        func cycle(_ by: Int) {
            guard let i = current else { return }
            let anchorSel = mapView?.tabAnchor ?? mapView?.selection
            let anchor = MapScreen.selectedIndex(anchorSel, in: p) ?? i
            let around = MapNeighbours.of(anchor, map: map, in: p)
            guard !around.isEmpty else { message = .info("nothing on the map is connected to this node"); return }
            let at = around.firstIndex(of: i)
            let next = at.map { (($0 + by) % around.count + around.count) % around.count } ?? (by > 0 ? 0 : around.count - 1)
            let keep = p.regions[anchor]
            select(around[next], in: p)
            mapView?.tabAnchor = .init(node: keep.node, edge: keep.edge, foldOf: keep.foldOf)
        }
        switch action {
        case .moveUp: go(.up)
        case .moveDown: go(.down)
        case .mapLeft, .previousTab: go(.left)
        case .mapRight, .nextTab: go(.right)
        case .mapNextNeighbour: cycle(1)
        case .mapPreviousNeighbour: cycle(-1)
        case .pageUp, .pageDown:
            let h = max(1, MapScreen.bodyRect(self).height - 3)
            let y = (mapView?.scrollY ?? 0) + (action == .pageUp ? -h : h)
            mapView?.scrollY = max(0, min(max(0, p.height - h), y))
        case .top: select(0, in: p)
        case .bottom: select(max(0, p.regions.count - 1), in: p)
        case .back, .map: mapView = nil
        case .mapUnfold:
            guard let i = current else { return Effect.none }
            let r = p.regions[i]
            let bus = r.foldOf ?? (map.node(r.node)?.kind == .bus ? r.node : nil)
            guard let bus else { message = .info("+ unfolds a bus: select a bus or its '… more' line"); return Effect.none }
            if mapView!.expanded.contains(bus) { mapView!.expanded.remove(bus) } else { mapView!.expanded.insert(bus) }
        case .filter:
            input = .mapFind; inputText = ""
        case .drillIn: openDetails(map: map, picture: p, index: current)
        case .liveTrace: askTraceFromMap(map: map, picture: p, index: current, snapshot: snapshot)
        case .capture, .shell:
            guard applyMapSelection(map: map, picture: p, index: current) else { return Effect.none }
            mapView = nil
            return nil  // the panes' capture and shell act on the selection just made
        default: return nil
        }
        return Effect.none
    }

    /// `/` on the map: select the next node whose name or address contains the text, and pan to it.
    mutating func findOnMap(_ text: String, snapshot: Snapshot) {
        let (map, p) = MapScreen.picture(self, snapshot)
        guard let j = MapScreen.find(text, from: MapScreen.selectedIndex(mapView?.selection, in: p), map: map, in: p) else {
            message = .error("no node on the map matches '\(text)'")
            return
        }
        select(j, in: p)
        message = .info("found \(map.node(p.regions[j].node)?.name ?? text)")
    }

    private mutating func select(_ i: Int, in p: MapPicture) {
        guard p.regions.indices.contains(i) else { return }
        let r = p.regions[i]
        mapView?.selection = .init(node: r.node, edge: r.edge, foldOf: r.foldOf)
        if r.width < p.width / 2 { mapView?.column = r.centerX }
        revealSelection(in: p)
    }

    private mutating func revealSelection(in p: MapPicture) {
        guard var v = mapView, let i = MapScreen.selectedIndex(v.selection, in: p) else { return }
        let body = MapScreen.bodyRect(self)
        MapScreen.reveal(p.regions[i], &v, width: max(1, body.width - 2), height: max(1, body.height - 2))
        mapView = v
    }

    /// Points the panes' selection at the node under the cursor (its namespace, and the link that placed it).
    private mutating func applyMapSelection(map: HostMap, picture p: MapPicture, index: Int?) -> Bool {
        guard let index, let node = map.node(p.regions[index].node) else { return false }
        guard let ns = node.namespace else {
            if let host = node.host {
                message = .info("\(node.name)\(node.kind == .remoteEndpoint ? " \(node.addresses.first?.description ?? "")" : "") is on host \(host): nothing to open here")
            } else {
                message = .info("\(node.name) is outside this host: nothing to open there")
            }
            return false
        }
        selectNamespace(ns)
        if let e = p.regions[index].edge.flatMap({ id in map.edges.first { $0.id == id } }), let li = e.ifindex, let lns = e.namespace {
            selectedLink = LinkID(namespace: lns, index: li)
        } else if let li = node.ifindex {
            selectedLink = LinkID(namespace: ns, index: li)
        }
        return true
    }

    /// `t`: a live trace from the node under the cursor, its first hop offered as the destination. The map
    /// stays open behind the prompt and the answer's dialog.
    private mutating func askTraceFromMap(map: HostMap, picture p: MapPicture, index: Int?, snapshot: Snapshot) {
        guard let index, let node = map.node(p.regions[index].node) else { return }
        let edge = p.regions[index].edge.flatMap { id in map.edges.first { $0.id == id } }
        guard let s = TraceSuggestion.forMapNode(node, placedBy: edge, map: map, snapshot: snapshot) else {
            message = .info("\(node.name) is outside this host: a live trace starts in one of its namespaces")
            return
        }
        askTraceDestination(s)
    }

    /// Enter: the node's details, in the same tabs as the panes.
    private mutating func openDetails(map: HostMap, picture p: MapPicture, index: Int?) {
        guard applyMapSelection(map: map, picture: p, index: index) else { return }
        mapView = nil
        focus = .details
        detailTab = .link
    }
}
