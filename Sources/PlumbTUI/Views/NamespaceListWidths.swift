import PlumbModel

/// The widest text of the namespace list's NAME, CONTAINER and HELD BY columns over every row (not just the
/// visible ones), which depends on the rows' content only, except the leak age ending a likely leak's HELD BY
/// ("fd only, no name, 3h 12m"), which grows with time: those rows are remembered and their age measured per
/// frame. Kept while the content is the same (`PaneCache`): measuring 500 namespaces every second was most of
/// the list's frame.
struct NamespaceListWidths: Sendable {
    var name = 0, container = 0
    /// HELD BY without the leak rows' ages.
    var held = 0
    /// The likely leaks: their row and HELD BY width without the age.
    var leaks: [(row: Int, held: Int)] = []

    init(_ list: [Namespace]) {
        // Through the buffer: iterating or subscripting the array copies every namespace (14 retains each).
        list.withUnsafeBufferPointer { all in
            // Fields, not the namespace, go to the helpers: passing `all[i]` itself copied it.
            for i in all.indices {
                name = max(name, all[i].displayName.displayWidth)
                container = max(container, NamespaceRows.containerWidth(all[i].containers, why: all[i].why))
                let kinds = NamespaceRows.holderKinds(all[i].heldBy)
                let orphan = NamespaceRows.isOrphan(kinds: kinds, isHost: all[i].isHost)
                let leak = all[i].isLikelyLeak
                let note = !orphan ? 0 : leak ? 29 : 20  // " (leak? fd only, no name)", " (named, no process)"
                let w = NamespaceRows.heldBy(kinds: kinds).displayWidth + note
                if leak { leaks.append((i, w)) }
                held = max(held, w)
            }
        }
    }

    /// HELD BY's widest text at `now`: with the leak rows' ages (", 3h 12m").
    func held(_ list: [Namespace], at now: Double) -> Int {
        var w = held
        for (row, base) in leaks {
            let age = list[row].heldFor(at: now).map { Readable.age($0).displayWidth + 2 } ?? 0
            w = max(w, base + age)
        }
        return w
    }
}
