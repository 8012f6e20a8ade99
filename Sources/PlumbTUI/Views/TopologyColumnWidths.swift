import PlumbModel

/// The widths of every topology row's texts (tree prefix and name, "connects to", addresses), for the column
/// layout: they depend on the tree's content and the glyphs only, so they are kept while both are the same
/// (`PaneCache`); measuring a 500-link host's rows every second was a third of the topology's frame. The badges
/// after a name (a finding, a drop rate) change without the content and are added per frame.
struct TopologyColumnWidths: Sendable {
    /// Tree prefix and name (without badges), per row.
    var names: [Int] = []
    var widestName = 0
    var leads: [Int] = []
    var addresses: [Int] = []

    init(_ tree: [TopologyRow], index: SnapshotIndex, here: UInt64, glyphs: Glyphs) {
        let widths = TopologyRowWidths(glyphs: glyphs)
        names.reserveCapacity(tree.count); leads.reserveCapacity(tree.count); addresses.reserveCapacity(tree.count)
        for r in tree {
            let n = widths.name(r, index: index)
            names.append(n)
            widestName = max(widestName, n)
            leads.append(widths.lead(r.link, id: r.id, index: index, here: here))
            addresses.append(widths.addresses(r.link))
        }
    }

    /// What the layout is kept for, besides the content: the tree (its namespace and filter) and the glyphs.
    struct Key: Equatable, Sendable {
        var namespace: UInt64
        var filter: String
        var glyphs: Glyphs
    }
}
