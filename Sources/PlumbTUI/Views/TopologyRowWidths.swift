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
        w += r.link.name.displayWidth
        if r.isForeign { w += 1 + index.name(of: r.id.namespace).displayWidth }
        return w
    }

    func lead(_ l: Link, id: LinkID, index: SnapshotIndex, here: UInt64) -> Int {
        var w = 0, parts = 0
        func add(_ n: Int) { w += n + (parts > 0 ? 1 : 0); parts += 1 }
        if let p = l.peer { add(arrow + 1 + index.labelWidth(p, from: id.namespace)) }
        if let p = l.parent, id.namespace == here, p.namespace != id.namespace || l.master != nil {
            add(3 + index.labelWidth(p, from: id.namespace))
        }
        if let v = l.vxlan { add(TopologyView.vxlanText(v, glyphs: glyphs).displayWidth) }
        if let m = l.macvlanMode { add(m.displayWidth) }
        if let bp = l.bridgePort, bp.state != "forwarding" { add(5 + bp.state.displayWidth) }
        return w
    }

    func addresses(_ l: Link) -> Int {
        l.addresses.isEmpty ? 0 : l.addresses.reduce(l.addresses.count - 1) { $0 + $1.description.utf8.count }
    }
}
