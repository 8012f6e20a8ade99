import PlumbMap

/// Moving on the map along its edges: from the selected place, the places it is connected to. A box (a
/// namespace on a bus) is connected to its bus, to the other boxes on the same bus line, and to whatever its
/// namespace is wired to elsewhere (its boxes on other buses, its direct links and tunnels, the uplink that
/// publishes a port to it); a bus to its ports and to the uplinks it is NATed to; an uplink to the buses it
/// NATs and the ports it publishes. The arrows pick the nearest of those in their direction, Tab cycles them.
enum MapNeighbours {
    /// Indices of the regions connected to region `i`, in reading order (top to bottom, left to right).
    static func of(_ i: Int, map: HostMap, in p: MapPicture) -> [Int] {
        let r = p.regions[i]
        // A folded bus's "… N more" line stands for its bus.
        let node = r.foldOf ?? r.node
        // Indexed once: the linear lookups of HostMap would make this quadratic on a 1,000-endpoint host.
        var edges: [String: MapEdge] = [:]
        var nodes: Set<String> = [node]
        for e in map.edges {
            edges[e.id] = e
            if e.from == node || e.to == node { nodes.insert(e.from == node ? e.to : e.from) }
        }
        let buses = Set(map.nodes.lazy.filter { $0.kind == .bus }.map(\.id))
        var siblingsOf: String?
        if let id = r.edge, let e = edges[id], e.kind == .port { siblingsOf = e.to; nodes.insert(e.to) }
        var out: [Int] = []
        for (j, c) in p.regions.enumerated() where j != i {
            let connected: Bool
            if c.foldOf != nil {
                connected = c.foldOf == node || c.foldOf == siblingsOf
            } else if buses.contains(c.node) {
                // A bus is reached at its header, not through the boxes that name it.
                connected = c.edge == nil && nodes.contains(c.node)
            } else if let sib = siblingsOf, let id = c.edge, let e = edges[id], e.kind == .port, e.to == sib {
                connected = true
            } else if c.node == node && c.edge == r.edge {
                connected = false  // the same place drawn twice (a link line's two ends): not a move
            } else {
                connected = nodes.contains(c.node) && (c.node != node || c.edge != nil)
            }
            if connected { out.append(j) }
        }
        return out.sorted { (p.regions[$0].y, p.regions[$0].x) < (p.regions[$1].y, p.regions[$1].x) }
    }

    /// The connected region nearest to region `i` in `dir` (up and down aim at `column`, the column the last
    /// sideways move left the cursor in); nil when nothing connected lies that way.
    static func step(from i: Int, _ dir: MapDirection, map: HostMap, in p: MapPicture, column: Int? = nil) -> Int? {
        best(from: i, dir, among: of(i, map: map, in: p), in: p, column: column)
    }

    /// The nearest of `candidates` in `dir` from region `i`: above or below (nearest row first, then column),
    /// or left or right on overlapping rows.
    static func best(from i: Int, _ dir: MapDirection, among candidates: [Int], in p: MapPicture, column: Int? = nil) -> Int? {
        let c = p.regions[i]
        let aim = column ?? c.centerX
        var best: (Int, Int)?
        for j in candidates where j != i {
            let r = p.regions[j]
            let sameRows = r.y < c.y + c.height && r.y + r.height > c.y
            let score: Int?
            switch dir {
            case .up: score = r.y + r.height <= c.y ? (c.y - r.y) * 1000 + abs(r.centerX - aim) : nil
            case .down: score = r.y >= c.y + c.height ? (r.y - c.y) * 1000 + abs(r.centerX - aim) : nil
            case .left: score = sameRows && r.x < c.x ? c.x - r.x : nil
            case .right: score = sameRows && r.x > c.x ? r.x - c.x : nil
            }
            if let score, best == nil || score < best!.1 { best = (j, score) }
        }
        return best?.0
    }
}
