import PlumbModel

/// One row of the topology tree: a link, where it sits in the tree, and why it is shown.
///
/// Rows are kept while the snapshot's shape is the same (`PaneCache`, unfiltered trees): links going down and up
/// change their flags, states and addresses but not the tree. So a row holds no `Link`, only its name (part of
/// the shape) and where it is in its namespace's links; the link itself is read from the current snapshot
/// (`SnapshotIndex.link(_:)` with the row).
struct TopologyRow: Equatable, Sendable {
    var id: LinkID
    var name: String
    /// Where the link is in its namespace's `links` (that namespace: `id.namespace`).
    var position: Int
    var depth: Int
    /// For each ancestor level (outermost first): whether that ancestor was the last of its siblings,
    /// which decides between `│ ` and blank in the tree prefix.
    var ancestorsLast: [Bool]
    var isLast: Bool
    /// A child that lives in another namespace (a container's macvlan on the host's eth0).
    var isForeign: Bool
    /// Shown only because a descendant matched the filter.
    var isContext: Bool

    /// `├─ `, `│  └─ ` …
    func treePrefix(_ g: Glyphs) -> String {
        guard depth > 0 else { return "" }
        var s = ""
        for last in ancestorsLast.dropFirst() { s += last ? g.treeSpace : g.treePipe }
        return s + (isLast ? g.treeLast : g.treeBranch)
    }
}

/// Builds the tree of one namespace's links: bridges with their ports under them, macvlan/vxlan/vlan
/// children under their parents (also children living in other namespaces), then standalone links.
/// A link appears once: enslavement to a bridge wins over having a parent.
enum TopologyRows {
    static func build(_ ns: Namespace, index: SnapshotIndex, filter: String) -> [TopologyRow] {
        let links = ns.links  // read once: the namespace's fields are behind a reference
        var children: [Int: [LinkID]] = [:]
        var isChild = Set<Int>()
        let local = Set(links.map(\.index))
        for l in links {
            if let m = l.master, local.contains(m.index), m.index != l.index {
                children[m.index, default: []].append(LinkID(namespace: ns.id, index: l.index))
                isChild.insert(l.index)
            } else if let p = l.parent, p.namespace == ns.id, local.contains(p.index), p.index != l.index {
                children[p.index, default: []].append(LinkID(namespace: ns.id, index: l.index))
                isChild.insert(l.index)
            }
        }
        for l in links {
            if let foreign = index.foreignChildren[LinkID(namespace: ns.id, index: l.index)] {
                children[l.index, default: []] += foreign
            }
        }

        // Bridges first, then other parents, then standalone links; ifindex order inside each group.
        func group(_ l: Link) -> Int { l.kind == .bridge ? 0 : children[l.index] != nil ? 1 : 2 }
        let roots = links.filter { !isChild.contains($0.index) }
            .sorted { (group($0), $0.index) < (group($1), $1.index) }

        let f = Filter(filter)
        let showAll = f.matchesNamespaceItself(ns)
        var rows: [TopologyRow] = []
        rows.reserveCapacity(links.count)
        var visited = Set<LinkID>()
        // This namespace's links by index: a lookup through the index per row made a 500-link host quadratic.
        var position: [Int: Int] = [:]
        position.reserveCapacity(links.count)
        for (i, l) in links.enumerated() where position[l.index] == nil { position[l.index] = i }
        // The link and where it is in its namespace's links.
        func link(_ id: LinkID) -> (Link, Int)? {
            if id.namespace == ns.id { return position[id.index].map { (links[$0], $0) } }
            guard let owner = index.namespace(id.namespace) else { return nil }
            let theirs = owner.links
            return theirs.firstIndex { $0.index == id.index }.map { (theirs[$0], $0) }
        }
        func matches(_ link: Link, _ id: LinkID) -> Bool {
            if showAll { return true }
            if id.namespace == ns.id { return f.matches(link, in: ns, index: index) }
            guard let owner = index.namespace(id.namespace) else { return false }
            return f.matches(link, in: owner, index: index)
        }

        // Emits `id` and its subtree when anything in it passes the filter; returns whether it emitted.
        @discardableResult
        func emit(_ id: LinkID, depth: Int, ancestorsLast: [Bool], isLast: Bool) -> Bool {
            guard !visited.contains(id), let (link, at) = link(id) else { return false }
            visited.insert(id)
            let selfMatches = matches(link, id)
            let rowAt = rows.count
            let kids = id.namespace == ns.id ? (children[id.index] ?? []) : []
            rows.append(TopologyRow(id: id, name: link.name, position: at, depth: depth, ancestorsLast: ancestorsLast, isLast: isLast,
                                    isForeign: id.namespace != ns.id, isContext: !selfMatches))
            var emittedChild = false
            // Emit children first into a scratch list so `isLast` refers to the last *shown* child.
            var shown: [Int] = []
            for (i, k) in kids.enumerated() {
                let before = rows.count
                if emit(k, depth: depth + 1, ancestorsLast: ancestorsLast + [isLast], isLast: i == kids.count - 1) {
                    shown.append(before); emittedChild = true
                }
            }
            if let lastShown = shown.last, !rows[lastShown].isLast { markLast(&rows, at: lastShown) }
            if !selfMatches && !emittedChild {
                rows.removeSubrange(rowAt...)
                return false
            }
            return true
        }
        for (i, r) in roots.enumerated() {
            emit(LinkID(namespace: ns.id, index: r.index), depth: 0, ancestorsLast: [], isLast: i == roots.count - 1)
        }
        return rows
    }

    /// A filtered-out sibling may leave a child that is last *on screen* but not in the data: fix its
    /// branch glyph and the continuation lines of its own subtree.
    private static func markLast(_ rows: inout [TopologyRow], at i: Int) {
        let depth = rows[i].depth
        rows[i].isLast = true
        var j = i + 1
        while j < rows.count && rows[j].depth > depth {
            rows[j].ancestorsLast[depth] = true
            j += 1
        }
    }
}
