import PlumbModel

/// How to lay a map out.
public struct MapLayoutOptions: Sendable, Equatable {
    /// Columns available; the picture never gets wider.
    public var width: Int
    /// Buses (by node id) shown unfolded.
    public var expanded: Set<String> = []
    /// Every bus unfolded (`plumb map --expand`).
    public var expandAll = false
    /// Rows of boxes a bus may use before its ports fold into columns of one line each.
    public var maxBoxRows = 2
    /// Lines a folded bus shows (the last says how many more there are).
    public var foldLines = 3
    /// Live text for a port's box (the TUI's rx/tx rates), by edge id.
    public var edgeNotes: [String: String] = [:]
    /// The doctor's badges (`⚠2`), by node id or edge id.
    public var badges: [String: String] = [:]

    public init(width: Int) { self.width = width }
}

/// A place in the picture that stands for a node (and the edge that put it there: a box is a port).
public struct MapRegion: Sendable, Equatable {
    public var node: String
    public var edge: String?
    public var x: Int, y: Int, width: Int, height: Int
    /// A folded bus's "… N more" cell: selecting it and expanding shows the rest.
    public var foldOf: String?

    public var centerX: Int { x + width / 2 }
    public var centerY: Int { y + height / 2 }
}

/// The two cells an edge joins in the picture.
public struct MapAnchor: Sendable, Equatable {
    public var from: (Int, Int)
    public var to: (Int, Int)
    public static func == (a: MapAnchor, b: MapAnchor) -> Bool { a.from == b.from && a.to == b.to }
}

/// The laid-out map: the canvas and the regions navigation and search use.
public struct MapPicture: Sendable, Equatable {
    public var canvas: MapCanvas
    public var regions: [MapRegion]
    /// Where each drawn edge runs, in cells (a box's drop to its bus line, a link line's two names).
    public var anchors: [String: MapAnchor]

    public var width: Int { canvas.width }
    public var height: Int { canvas.height }

    public func text(ascii: Bool = false) -> String { canvas.text(ascii: ascii) }

    /// The first region of `node` (its box, its bus header, its line).
    public func region(of node: String) -> MapRegion? { regions.first { $0.node == node } }
}

/// Lays a `HostMap` out as text, top to bottom: the uplinks with their NAT and published ports; each bus with
/// its ports as boxes hanging from it (a bus with many ports folds them into columns of one line each); the
/// direct links and tunnels; the aside list. Everything is placed in the graph's order (sorted by names), so
/// the same map gives the same picture and a new container moves only what follows it on its own bus.
public enum MapLayout {
    public static func layout(_ map: HostMap, options: MapLayoutOptions) -> MapPicture {
        var l = Layouter(map: map, options: options)
        l.run()
        return MapPicture(canvas: l.canvas, regions: l.regions, anchors: l.anchors)
    }
}

private struct Layouter {
    let map: HostMap
    let o: MapLayoutOptions
    let width: Int
    var canvas: MapCanvas
    var regions: [MapRegion] = []
    var anchors: [String: MapAnchor] = [:]
    var y = 0
    let nodes: [String: MapNode]
    /// Port edges by bus id, in graph order.
    var ports: [String: [MapEdge]] = [:]
    var nat: [String: [MapEdge]] = [:]       // by bus id
    var natByUplink: [String: [MapEdge]] = [:]
    var published: [String: [MapEdge]] = [:] // by uplink id

    init(map: HostMap, options: MapLayoutOptions) {
        self.map = map
        o = options
        width = max(40, options.width)
        canvas = MapCanvas(width: width)
        nodes = Dictionary(map.nodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for e in map.edges {
            switch e.kind {
            case .port: ports[e.to, default: []].append(e)
            case .nat: nat[e.from, default: []].append(e); natByUplink[e.to, default: []].append(e)
            case .published: published[e.from, default: []].append(e)
            default: break
            }
        }
    }

    mutating func run() {
        uplinks()
        for bus in map.nodes where bus.kind == .bus { self.bus(bus) }
        links()
        remoteEndpoints()
        aside()
    }

    func name(_ id: String) -> String { nodes[id]?.name ?? id }

    /// A name with its namespace when it is not the host's: `vx42@lab-ha`.
    func qualified(_ id: String) -> String {
        guard let n = nodes[id] else { return id }
        if n.kind == .vtep || n.kind == .bus, let ns = n.namespaceName, ns != "host" { return "\(n.name)@\(MapText.clean(ns))" }
        return n.name
    }

    // MARK: uplinks

    /// Writes `words` from column `x`, wrapping onto lines indented by `indent`; returns the lines used and
    /// where each word went (column, row, cells).
    @discardableResult
    mutating func flow(_ words: [(String, MapStyle)], x: Int, indent: Int) -> (lines: Int, at: [(Int, Int, Int)]) {
        var cx = x, lines = 1
        var at: [(Int, Int, Int)] = []
        for (i, (w, style)) in words.enumerated() {
            let n = MapText.count(w)
            if i > 0 && cx + 1 + n > width { y += 1; lines += 1; cx = indent } else if i > 0 { cx += 1 }
            let start = cx
            cx = canvas.put(MapText.fit(w, width - cx), x: cx, y: y, style: style)
            at.append((start, y, cx - start))
        }
        return (lines, at)
    }

    mutating func uplinks() {
        let ups = map.nodes.filter { $0.kind == .uplink }
        if ups.isEmpty {
            canvas.put("no uplink: the host has no default route", x: 0, y: y, style: .dim)
            y += 1
        }
        for up in ups {
            let top = y
            var words: [(String, MapStyle)] = [("▲ \(up.name)", .heading)]
            words += up.addresses.map { ($0.description, .address) }
            let state = up.linkState ?? .unknown
            words.append((state.rawValue, MapStyle(state)))
            if let b = o.badges[up.id] { words.append((b, .badge)) }
            let natEdges = natByUplink[up.id] ?? []
            if !natEdges.isEmpty {
                words.append(("· NAT for", .dim))
                words += natEdges.enumerated().map { i, e in (qualified(e.from) + (i < natEdges.count - 1 ? "," : ""), .name) }
            }
            let pub = published[up.id] ?? []
            let firstPort = words.count + 1
            if !pub.isEmpty {
                words.append(("· ports", .dim))
                words += pub.enumerated().map { i, e in
                    let parts = (e.label ?? "").split(separator: "→", maxSplits: 1).map(String.init)
                    let text = parts.count == 2 ? "\(parts[0])→\(name(e.to)):\(parts[1])" : (e.label ?? "")
                    return (text + (i < pub.count - 1 ? "," : ""), .address)
                }
            }
            let (lines, at) = flow(words, x: 0, indent: 4)
            regions.append(MapRegion(node: up.id, x: 0, y: top, width: width, height: lines))
            // The bus end of each NAT edge is set when the bus is drawn.
            for e in natEdges { anchors[e.id] = MapAnchor(from: (0, top), to: (0, top)) }
            for (i, e) in pub.enumerated() where firstPort + i < at.count {
                let (px, py, pw) = at[firstPort + i]
                regions.append(MapRegion(node: e.to, edge: e.id, x: px, y: py, width: pw, height: 1))
                anchors[e.id] = MapAnchor(from: (2, top), to: (px, py))
            }
            y += 1
        }
        y += 1
    }

    // MARK: buses

    struct Box {
        var edge: MapEdge
        var title: String
        var line: String
        var bottom: String
        var state: MapLinkState
    }

    func box(for e: MapEdge) -> Box {
        let node = nodes[e.from]
        var title = node?.name ?? e.from
        if let b = o.badges[e.from] ?? o.badges[e.id] { title += " \(b)" }
        let addr = e.addresses.first?.address.description
        let line = [e.interface.map(MapText.clean), addr].compactMap { $0 }.joined(separator: " ")
        // The link's state and its live rates first: they are what a narrow box must not cut.
        var bottom = [e.state.rawValue + (e.state == .up ? o.edgeNotes[e.id].map { " \($0)" } ?? "" : "")]
        if let node {
            switch node.kind {
            case .vtep: bottom.append(e.label ?? "vxlan")
            default:
                bottom.append(node.runtime ?? "")
                if node.state == "no process" { bottom.append("no proc") }
            }
        }
        return Box(edge: e, title: title, line: line, bottom: bottom.filter { !$0.isEmpty }.joined(separator: " · "),
                   state: e.state)
    }

    mutating func bus(_ bus: MapNode) {
        let edges = ports[bus.id] ?? []
        // Header: name, subnet, gateway, owner, NAT, where it lives, how many ports.
        let top = y
        var words: [(String, MapStyle)] = [(MapText.clean(bus.title), .heading)]
        if let ns = bus.namespaceName, ns != "host" { words.append(("in \(MapText.clean(ns))", .dim)) }
        if bus.busKind == .macvlan { words.append(("· macvlan parent", .dim)) }
        if let s = bus.subnet { words.append(("· \(s)", .address)) }
        if let g = bus.gateway { words.append(("gw \(g)", .address)) }
        if let owner = bus.ownerWords { words.append(("· \(MapText.clean(owner))", .owner)) }
        for e in nat[bus.id] ?? [] { words.append(("· NAT→\(name(e.to))", .dim)) }
        if bus.linkState != .up, let s = bus.linkState { words.append(("· \(s.rawValue)", MapStyle(s))) }
        words.append(("· \(edges.count) port\(edges.count == 1 ? "" : "s")", .dim))
        if let b = o.badges[bus.id] { words.append((b, .badge)) }
        let lines = flow(words, x: 0, indent: 2).lines
        regions.append(MapRegion(node: bus.id, x: 0, y: top, width: width, height: lines))
        for e in nat[bus.id] ?? [] { anchors[e.id]?.from = (0, top) }
        y += 1
        guard !edges.isEmpty else {
            canvas.horizontal("━", from: 0, to: min(width - 1, 20), y: y, style: .bus)
            y += 1
            return
        }
        let boxes = edges.map(box(for:))
        let inner = min(26, max(12, boxes.map { max(MapText.count($0.title) + 4, MapText.count($0.line)) }.max() ?? 12))
        let boxW = inner + 2
        let perRow = max(1, (width - 1) / (boxW + 1))
        if boxes.count <= perRow * o.maxBoxRows {
            drawBoxes(boxes, bus: bus, boxW: boxW, perRow: perRow)
        } else {
            drawColumns(boxes, bus: bus)
        }
    }

    mutating func drawBoxes(_ boxes: [Box], bus: MapNode, boxW: Int, perRow: Int) {
        let rows = (boxes.count + perRow - 1) / perRow
        for r in 0..<rows {
            let row = Array(boxes[(r * perRow)..<min(boxes.count, (r + 1) * perRow)])
            let lineY = y
            let lastX = 1 + row.count * (boxW + 1) - 1
            canvas.horizontal("━", from: 0, to: lastX, y: lineY, style: .bus)
            if rows > 1 { canvas.put(r == 0 ? "┏" : r == rows - 1 ? "┗" : "┣", x: 0, y: lineY, style: .bus) }
            for (i, b) in row.enumerated() {
                let x = 1 + i * (boxW + 1)
                drawBox(b, x: x, y: lineY + 1, w: boxW)
                anchors[b.edge.id] = MapAnchor(from: (x + 2, lineY + 1), to: (x + 2, lineY))
                canvas.put("┯", x: x + 2, y: lineY, style: MapStyle(b.state))
            }
            if rows > 1 && r < rows - 1 { for dy in 1...3 { canvas.put("┃", x: 0, y: lineY + dy, style: .bus) } }
            y += 4
        }
    }

    mutating func drawBox(_ b: Box, x: Int, y top: Int, w: Int) {
        let st = MapStyle(b.state)
        // ┌─┴ title ─────┐
        canvas.put("┌", x: x, y: top, style: .dim)
        canvas.horizontal("─", from: x + 1, to: x + w - 2, y: top, style: .dim)
        canvas.put("┐", x: x + w - 1, y: top, style: .dim)
        canvas.put("┴", x: x + 2, y: top, style: st)
        canvas.put(" " + MapText.fit(b.title, w - 6) + " ", x: x + 3, y: top, style: .name, limit: x + w - 1)
        // │eth0 172.17.0.2│
        canvas.put("│", x: x, y: top + 1, style: .dim)
        canvas.put(MapText.fit(b.line, w - 2), x: x + 1, y: top + 1, style: .address)
        canvas.put("│", x: x + w - 1, y: top + 1, style: .dim)
        // └ docker · up ──┘
        canvas.put("└", x: x, y: top + 2, style: .dim)
        canvas.horizontal("─", from: x + 1, to: x + w - 2, y: top + 2, style: .dim)
        canvas.put("┘", x: x + w - 1, y: top + 2, style: .dim)
        canvas.put(" " + MapText.fit(b.bottom, w - 4) + " ", x: x + 1, y: top + 2, style: st, limit: x + w - 1)
        regions.append(MapRegion(node: b.edge.from, edge: b.edge.id, x: x, y: top, width: w, height: 3))
    }

    /// Many ports: one line each (`name address state`), in columns filled top to bottom, folded to
    /// `foldLines` lines unless expanded.
    mutating func drawColumns(_ boxes: [Box], bus: MapNode) {
        canvas.horizontal("━", from: 0, to: width - 1, y: y, style: .bus)
        y += 1
        let entries = boxes.map { b -> (Box, String) in
            let state = b.state.rawValue + (b.state == .up ? o.edgeNotes[b.edge.id].map { " \($0)" } ?? "" : "")
            return (b, "\(b.title) \(b.line) \(state)")
        }
        let colW = min(40, max(16, (entries.map { MapText.count($0.1) }.max() ?? 16) + 2))
        let cols = max(1, (width - 1) / (colW + 1))
        let needed = (entries.count + cols - 1) / cols
        let unfolded = o.expandAll || o.expanded.contains(bus.id)
        let lines = unfolded ? needed : min(needed, o.foldLines)
        let shown = lines * cols >= entries.count ? entries.count : lines * cols - 1
        for i in 0..<shown {
            let (b, text) = entries[i]
            let x = 1 + (i / lines) * (colW + 1), ly = y + i % lines
            canvas.put("├", x: x - 1 < 0 ? 0 : x - 1, y: ly, style: MapStyle(b.state))
            let titleEnd = canvas.put(MapText.fit(b.title, colW - 1), x: x, y: ly, style: .name, limit: x + colW)
            let rest = String(text.unicodeScalars.dropFirst(MapText.count(b.title)))
            canvas.put(rest, x: titleEnd, y: ly, style: .address, limit: x + colW)
            regions.append(MapRegion(node: b.edge.from, edge: b.edge.id, x: x - 1, y: ly, width: colW, height: 1))
            anchors[b.edge.id] = MapAnchor(from: (x - 1, ly), to: (x - 1, y - 1))
        }
        if shown < entries.count {
            let i = shown
            let x = 1 + (i / lines) * (colW + 1), ly = y + i % lines
            canvas.put("… \(entries.count - shown) more (+ unfolds)", x: x, y: ly, style: .dim, limit: x + colW)
            regions.append(MapRegion(node: bus.id, x: x - 1, y: ly, width: colW, height: 1, foldOf: bus.id))
        }
        y += lines
    }

    // MARK: links and aside

    mutating func links() {
        let direct = map.edges.filter { $0.kind == .veth || $0.kind == .tunnel }
        guard !direct.isEmpty else { return }
        y += 1
        canvas.put("direct links and tunnels", x: 0, y: y, style: .heading)
        y += 1
        for e in direct {
            // `lab-ha:underlay ⇄ lab-hb:underlay`, `vx42@lab-ha ≈≈ vni 42 ≈≈ vx42@lab-hb`, `host:vxlan100 ≈≈ …`.
            let fromIsNamespace = nodes[e.from]?.kind == .namespace
            let a = qualified(e.from) + (fromIsNamespace ? ":\(MapText.clean(e.interface ?? ""))" : "")
            var z = qualified(e.to)
            if e.kind == .veth, nodes[e.to]?.kind == .namespace { z += ":\(MapText.clean(e.peerInterface ?? ""))" }
            if nodes[e.to]?.kind == .remote, let r = nodes[e.to]?.runtime { z += " (\(r))" }
            var x = 1
            let ax = x
            x = canvas.put(a, x: x, y: y, style: .name)
            regions.append(MapRegion(node: e.from, edge: e.id, x: ax, y: y, width: x - ax, height: 1))
            let vni = String(e.label?.split(separator: "→").first ?? "").split(separator: " ").joined(separator: " ")
            let mid = e.kind == .veth ? " ⇄ " : " ≈≈ \(vni) ≈≈ "
            x = canvas.put(mid, x: x, y: y, style: MapStyle(e.state))
            let zx = x
            x = canvas.put(z, x: x, y: y, style: .name)
            regions.append(MapRegion(node: e.to, edge: e.id, x: zx, y: y, width: max(1, x - zx), height: 1))
            anchors[e.id] = MapAnchor(from: (ax, y), to: (zx, y))
            x = canvas.put(" · \(e.state.rawValue)\(o.edgeNotes[e.id].map { " \($0)" } ?? "")", x: x, y: y, style: MapStyle(e.state))
            if let b = o.badges[e.id] { canvas.put(" \(b)", x: x, y: y, style: .badge) }
            y += 1
        }
    }

    /// With a cluster store: the other hosts' endpoints of each cluster overlay, one line each, with their host
    /// and how the packet gets there (the host's VTEP, or none when its agent is not running).
    mutating func remoteEndpoints() {
        let hosted = map.edges.filter { $0.kind == .hosted }
        guard !hosted.isEmpty else { return }
        y += 1
        canvas.put("remote endpoints (cluster store)", x: 0, y: y, style: .heading)
        y += 1
        for e in hosted {
            let n = nodes[e.from], to = nodes[e.to]
            let top = y
            var words: [(String, MapStyle)] = [("•", .dim), (n?.name ?? e.from, .name)]
            if let a = n?.addresses.first?.description, a != n?.name { words.append((a, .address)) }
            if let i = e.interface { words.append((MapText.clean(i), .address)) }
            words.append(("on \(MapText.clean(n?.host ?? "?"))", .name))
            if let net = n?.network { words.append(("· \(MapText.clean(net))", .dim)) }
            if let r = to?.runtime { words.append(("· \(MapText.clean(r))", .dim)) }
            let lines = flow(words, x: 1, indent: 3).lines
            regions.append(MapRegion(node: e.from, edge: e.id, x: 1, y: top, width: width - 1, height: lines))
            anchors[e.id] = MapAnchor(from: (1, top), to: (1, top))
            y += 1
        }
    }

    mutating func aside() {
        guard !map.aside.isEmpty else { return }
        y += 1
        canvas.put("aside (not wired to anything on the map)", x: 0, y: y, style: .heading)
        y += 1
        for a in map.aside {
            let words: [(String, MapStyle)] = [("•", .dim), (MapText.clean(a.name), .name), ("— " + MapText.clean(a.reason), .dim)]
            flow(words, x: 1, indent: 3)
            y += 1
        }
    }
}
