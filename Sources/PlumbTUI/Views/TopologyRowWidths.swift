import PlumbModel

/// Display widths of a topology row's three texts (tree prefix + name, "connects to", addresses), counted
/// without building them: the column layout needs every row, the text only the rows on screen. Each function
/// mirrors the one that builds the text (`TopologyRow.treePrefix`, `TopologyView.leadsTo`, the joined addresses);
/// a test checks they agree.
struct TopologyRowWidths {
    let glyphs: Glyphs
    private let branch: Int, last: Int, pipe: Int, space: Int, arrow: Int

    init(glyphs g: Glyphs) {
        glyphs = g
        branch = g.treeBranch.displayWidth; last = g.treeLast.displayWidth
        pipe = g.treePipe.displayWidth; space = g.treeSpace.displayWidth; arrow = g.arrow.displayWidth
    }

    func name(_ r: TopologyRow, index: SnapshotIndex) -> Int {
        var w = 0
        if r.depth > 0 {
            for l in r.ancestorsLast.dropFirst() { w += l ? space : pipe }
            w += r.isLast ? last : branch
        }
        w += r.name.displayWidth
        if r.isForeign { w += 1 + index.name(of: r.id.namespace).displayWidth }
        return w
    }

    /// "connects to" but its last part, the bridge port's state (which changes with the link's state).
    struct Lead: Sendable, Equatable {
        var width = 0, parts = 0
    }

    func lead(_ l: Link, id: LinkID, index: SnapshotIndex, here: UInt64) -> Int {
        lead(leadWithoutPort(l, id: id, index: index, here: here), port: l.bridgePort?.state)
    }

    func leadWithoutPort(_ l: Link, id: LinkID, index: SnapshotIndex, here: UInt64) -> Lead {
        var w = Lead()
        func add(_ n: Int) { w.width += n + (w.parts > 0 ? 1 : 0); w.parts += 1 }
        if let p = l.peer { add(arrow + 1 + index.labelWidth(p, from: id.namespace)) }
        if let p = l.parent, id.namespace == here, p.namespace != id.namespace || l.master != nil {
            add(3 + index.labelWidth(p, from: id.namespace))
        }
        if let v = l.vxlan { add(TopologyView.vxlanText(v, glyphs: glyphs).displayWidth) }
        if let m = l.macvlanMode { add(m.displayWidth) }
        return w
    }

    /// The whole "connects to" with the bridge port state `port` ("port disabled" unless forwarding).
    func lead(_ base: Lead, port: String?) -> Int {
        guard let port, port != "forwarding" else { return base.width }
        return base.width + 5 + port.displayWidth + (base.parts > 0 ? 1 : 0)
    }

    func addresses(_ l: Link) -> Int { addresses(l.addresses) }

    func addresses(_ a: [IPPrefix]) -> Int {
        a.isEmpty ? 0 : a.reduce(a.count - 1) { $0 + $1.description.utf8.count }
    }
}
