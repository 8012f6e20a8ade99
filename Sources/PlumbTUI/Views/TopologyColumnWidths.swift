import PlumbModel

/// The widths of every topology row's texts (tree prefix and name, "connects to", addresses), for the column
/// layout: measuring a 500-link host's rows every second was a third of the topology's frame. The names and
/// most of "connects to" (peers, parents, VXLAN, macvlan mode) depend on the tree's shape and the glyphs only,
/// so they are kept while both are the same (`PaneCache.Level.shape`); a link's addresses and bridge port state
/// change with its state (a flapping veth loses its IPv6 link-local address and its port is disabled), so each
/// row remembers those it was measured with and `refreshed` measures again only the rows whose changed. The
/// badges after a name (a finding, a drop rate) change without the content and are added per frame.
struct TopologyColumnWidths: Sendable {
    /// Tree prefix and name (without badges), per row.
    var names: [Int] = []
    var widestName = 0
    var leads: [Int] = []
    var addresses: [Int] = []
    /// Per row: "connects to" without the port state, and how many parts it has.
    private var leadBase: [TopologyRowWidths.Lead] = []
    /// Per row: the bridge port state and addresses its widths were measured with.
    private var measured: [Measured] = []

    private struct Measured: Sendable, Equatable {
        var port: String?
        var addresses: [IPPrefix]
    }

    init(_ tree: [TopologyRow], index: SnapshotIndex, here: UInt64, glyphs: Glyphs) {
        let widths = TopologyRowWidths(glyphs: glyphs)
        names.reserveCapacity(tree.count); leads.reserveCapacity(tree.count); addresses.reserveCapacity(tree.count)
        leadBase.reserveCapacity(tree.count); measured.reserveCapacity(tree.count)
        for r in tree {
            let n = widths.name(r, index: index)
            names.append(n)
            widestName = max(widestName, n)
            guard let l = index.link(r) else {
                leadBase.append(.init()); measured.append(Measured(port: nil, addresses: []))
                leads.append(0); addresses.append(0)
                continue
            }
            let base = widths.leadWithoutPort(l, id: r.id, index: index, here: here)
            let m = Measured(port: l.bridgePort?.state, addresses: l.addresses)
            leadBase.append(base)
            measured.append(m)
            leads.append(widths.lead(base, port: m.port))
            addresses.append(widths.addresses(m.addresses))
        }
    }

    /// These widths for the same tree in a snapshot of the same shape: the rows whose link's addresses or port
    /// state differ from those measured are measured again.
    func refreshed(_ tree: [TopologyRow], index: SnapshotIndex, here: UInt64, glyphs: Glyphs) -> TopologyColumnWidths {
        guard tree.count == measured.count else { return TopologyColumnWidths(tree, index: index, here: here, glyphs: glyphs) }
        let widths = TopologyRowWidths(glyphs: glyphs)
        var w = self
        let local = index.namespace(here)?.links ?? []  // the tree's own links: read once
        // By index: iterating the rows or links by value copies each one.
        tree.withUnsafeBufferPointer { rows in
            local.withUnsafeBufferPointer { links in
                for i in rows.indices {
                    let p = rows[i].position
                    let now: Measured
                    if rows[i].id.namespace == here, links.indices.contains(p), links[p].index == rows[i].id.index {
                        if links[p].bridgePort?.state == measured[i].port, links[p].addresses == measured[i].addresses {
                            continue
                        }
                        now = Measured(port: links[p].bridgePort?.state, addresses: links[p].addresses)
                    } else {
                        // A child living in another namespace.
                        now = index.withLink(rows[i]) { Measured(port: $0.bridgePort?.state, addresses: $0.addresses) }
                            ?? index.link(rows[i]).map { Measured(port: $0.bridgePort?.state, addresses: $0.addresses) }
                            ?? Measured(port: nil, addresses: [])
                        if now == measured[i] { continue }
                    }
                    w.measured[i] = now
                    w.leads[i] = widths.lead(leadBase[i], port: now.port)
                    w.addresses[i] = widths.addresses(now.addresses)
                }
            }
        }
        return w
    }

    /// What the layout is kept for, besides the shape: the tree (its namespace and filter) and the glyphs.
    struct Key: Equatable, Sendable {
        var namespace: UInt64
        var filter: String
        var glyphs: Glyphs
    }
}
