import PlumbModel

/// The namespaces pane: host first, then every namespace with its display name, container, process, link
/// and listener counts and what holds it. Likely leaks (no name, no process) are marked `!` and coloured, with
/// why in the HELD BY column; a named namespace without a process is normal and only says so.
enum NamespaceListView {
    /// Everything the pane shows that can change while the snapshot's content stays the same (`PaneMemo`).
    struct Key: Equatable, Sendable {
        var focused: Bool
        var filter: String
        var top: Int, selected: Int?
        var heldWidth: Int
        /// PROCS of the visible rows (pids are not content), and the visible likely leaks' ages.
        var procs: [Int]
        var ages: [String?]
        /// The visible rows' badges and DROPS cells as drawn: a rate that moves off screen, or within what the
        /// cell shows, redraws nothing (500 namespaces' rates change every second on a host that drops multicast).
        var badges: [Finding.Severity?]
        var drops: [String]?
        var theme: Theme
        var glyphs: Glyphs
    }

    /// The list shows nothing of a link's state or addresses, nor routes or neighbours: unfiltered, its rows,
    /// widths and drawn pane stay while the shape does (`PaneCache.Level`); a filter can match addresses.
    static func level(_ state: AppState) -> PaneCache.Level { state.filter.isEmpty ? .shape : .content }

    static func draw(_ buf: inout ScreenBuffer, rect: Rect, state: AppState, rows: PaneRows, ctx: RenderContext) {
        let list = rows.namespaces
        let window = ListWindow(rect: rect.inset(by: 1).splitTop(1).1, count: list.count,
                                selected: rows.namespaceIndex, storedTop: state.scroll[.namespaces] ?? 0)
        let now = ctx.snapshot.takenAt
        let widths = state.paneCache.value(.namespaceWidths, content: rows.content, level: level(state),
                                           key: state.filter) { NamespaceListWidths(list) }
        let visible = window.visible.map(\.index)
        let shown = (visible.first ?? 0)..<((visible.last ?? -1) + 1)
        let key = Key(focused: state.focus == .namespaces, filter: state.filter, top: window.top,
                      selected: window.selected, heldWidth: widths.held(list, at: now),
                      procs: list.withUnsafeBufferPointer { all in visible.map { all[$0].pids.count } },
                      ages: widths.leaks.filter { shown.contains($0.row) }
                        .map { list[$0.row].heldFor(at: now).map(Readable.age) },
                      badges: list.withUnsafeBufferPointer { all in visible.map { rows.badges.namespaces[all[$0].id] } },
                      drops: state.drops.map { d in
                          list.withUnsafeBufferPointer { all in visible.map { dropCell(d.perNamespace[all[$0].id]) } }
                      },
                      theme: ctx.theme, glyphs: ctx.glyphs)
        PaneMemo.draw(&buf, rect: rect, slot: .namespacePane, cache: state.paneCache, content: rows.content,
                      level: level(state), key: key) { buf in
            drawPane(&buf, rect: rect, state: state, rows: rows, ctx: ctx)
        }
    }

    /// A namespace's DROPS cell: its rate, empty without drops.
    static func dropCell(_ rate: Double?) -> String {
        guard let rate, rate > 0 else { return "" }
        return DropCounts.rate(rate)
    }

    private static func drawPane(_ buf: inout ScreenBuffer, rect: Rect, state: AppState, rows: PaneRows,
                                 ctx: RenderContext) {
        let theme = ctx.theme, g = ctx.glyphs
        let list = rows.namespaces
        let focused = state.focus == .namespaces
        let title = state.filter.isEmpty ? "Namespaces" : "Namespaces (/\(state.filter))"
        let body = rect.inset(by: 1)
        let (headRect, rowsRect) = body.splitTop(1)
        let window = ListWindow(rect: rowsRect, count: list.count, selected: rows.namespaceIndex,
                                storedTop: state.scroll[.namespaces] ?? 0)
        PaneFrame.draw(&buf, rect: rect, title: title, focused: focused, footer: window.positionLabel,
                       theme: theme, glyphs: g)

        // Two cells for marker and leak flag, then the table. Widths over every row, text for the visible ones.
        let now = ctx.snapshot.takenAt
        let widths = state.paneCache.value(.namespaceWidths, content: rows.content, level: level(state),
                                           key: state.filter) { NamespaceListWidths(list) }
        let nameW = widths.name, containerW = widths.container, heldW = widths.held(list, at: now)
        // The drop-rate badge: a column only while drops are watched (the layout is unchanged otherwise).
        let dropRates = state.drops?.perNamespace
        var specs = [
            ColumnSpec("NAME", natural: min(24, nameW), minimum: 12, flexible: true),
            ColumnSpec("CONTAINER", natural: min(22, containerW), minimum: 10, drop: 2),
            ColumnSpec("PROCS", natural: 5, right: true),
            ColumnSpec("LINKS", natural: 5, drop: 1, right: true),
            ColumnSpec("LISTEN", natural: 6, drop: 4, right: true),
            ColumnSpec("HELD BY", natural: min(26, heldW), minimum: 10, drop: 3, flexible: true),
        ]
        if dropRates != nil { specs.insert(ColumnSpec("DROPS", natural: 6, minimum: 5, right: true), at: 2) }
        var cols = TableLayout.fit(specs, x: body.x + 2, width: body.width - 2)
        let dropCol: PlacedColumn? = dropRates != nil ? cols.remove(at: 2) : nil
        buf.header(dropRates != nil ? cols + [dropCol] : cols, y: headRect.y, style: theme.header, glyphs: g)

        for (i, y) in window.visible {
            let ns = list[i]
            // The badge with how long it has been held so: "fd only, no name, 3h 12m".
            let leak = ns.leakBadge.map { b in ns.heldFor(at: now).map { b + ", " + Readable.age($0) } ?? b }
            let base = leak != nil ? theme.leak : theme.text
            if let sev = rows.badges.namespaces[ns.id] {
                // A doctor finding outranks the leak mark: it says something is broken here.
                buf.put(sev == .error ? g.badgeError : g.badgeWarning, x: body.x + 1, y: y,
                        style: FindingsView.style(sev, theme))
            } else if leak != nil {
                buf.put("!", x: body.x + 1, y: y, style: theme.leak)
            }
            buf.cell(ns.displayName, cols[0], y: y, style: ns.isHost ? base.bolded : base, glyphs: g)
            buf.cell(NamespaceRows.container(ns), cols[1], y: y, style: ns.containers.isEmpty ? theme.dim : base, glyphs: g)
            buf.cell(String(ns.pids.count), cols[2], y: y, style: base, glyphs: g)
            buf.cell(String(ns.links.count), cols[3], y: y, style: base, glyphs: g)
            buf.cell(DetailRows.listenerCount(ns.sockets).map(String.init) ?? "-", cols[4], y: y,
                     style: ns.sockets == nil ? theme.dim : base, glyphs: g)
            let held = NamespaceRows.heldBy(ns) + (leak.map { " (leak? \($0))" } ?? (ns.isOrphan ? " (named, no process)" : ""))
            buf.cell(held, cols[5], y: y, style: leak != nil ? theme.leak : theme.dim, glyphs: g)
            if let dropRates, case let text = dropCell(dropRates[ns.id]), !text.isEmpty {
                buf.cell(text, dropCol, y: y, style: theme.error, glyphs: g)
            }
        }
        if list.isEmpty {
            buf.text(state.filter.isEmpty ? "no namespaces" : "nothing matches /\(state.filter)", x: body.x + 2,
                     y: rowsRect.y, width: body.width - 2, style: theme.dim, ellipsis: g.ellipsis)
        }
        window.highlight(&buf, focused: focused, theme: theme, glyphs: g)
    }
}
