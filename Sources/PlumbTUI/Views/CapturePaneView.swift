/// The capture pane, below the topology: the packets as one-line summaries (newest at the bottom, followed
/// unless the user selected one), the selected packet's fields and bytes when opened, and the capture's
/// counters. Keys: Space pause, F follow, Enter detail, e filter, w save, x close.
enum CapturePaneView {
    static func draw(_ buf: inout ScreenBuffer, rect: Rect, state: AppState, ctx: RenderContext) {
        guard let pane = state.capture else { return }
        let t = ctx.theme, g = ctx.glyphs
        let feed = ctx.capture ?? CaptureFeed(status: "starting…")
        let focused = state.focus == .capture
        var title = "Capture: \(pane.title)"
        if !pane.filter.isEmpty { title += " [\(pane.filter)]" }
        title += feed.ended != nil ? " · ended" : pane.paused ? " · paused" : pane.following ? " · live" : " · held"
        let inside = PaneFrame.draw(&buf, rect: rect, title: title, focused: focused, theme: t, glyphs: g)
        guard inside.height >= 3, inside.width >= 10 else { return }
        let parts = CaptureGeometry.split(inside, showDetail: pane.showDetail)
        let multi = feed.rows.contains { !$0.source.isEmpty }
        let sourceWidth = multi ? min(24, feed.rows.map { $0.source.displayWidth }.max() ?? 0) : 0
        let cols: [PlacedColumn?] = {
            var specs = [ColumnSpec("TIME", natural: 12)]
            if multi { specs.append(ColumnSpec("SOURCE", natural: max(6, sourceWidth), drop: 1)) }
            specs.append(ColumnSpec("PACKET", natural: 40, minimum: 10, flexible: true))
            return TableLayout.fit(specs, x: inside.x + 1, width: inside.width - 1)
        }()
        buf.header(cols, y: parts.header.y, style: t.header, glyphs: g)
        let selection = pane.selected ?? (feed.rows.isEmpty ? nil : feed.rows.count - 1)
        let window = ListWindow(rect: parts.list, count: feed.rows.count, selected: selection,
                                storedTop: state.scroll[.capture] ?? 0)
        for (i, y) in window.visible {
            let row = feed.rows[i]
            buf.cell(row.time, cols[0], y: y, style: t.dim, glyphs: g)
            if multi { buf.cell(row.source, cols[1], y: y, style: t.peer, glyphs: g) }
            buf.cell(row.summary, cols[multi ? 2 : 1], y: y, style: row.isWarning ? t.warning : t.text, glyphs: g)
        }
        if feed.rows.isEmpty {
            let waiting = feed.ended == nil ? "waiting for packets…" : "no packets"
            buf.text(waiting, x: inside.x + 1, y: parts.list.y, width: inside.width - 1, style: t.dim, ellipsis: g.ellipsis)
        }
        if !pane.following || pane.showDetail {
            window.highlight(&buf, focused: focused, theme: t, glyphs: g)
        }
        if let d = parts.detail {
            buf.hline(x: d.x, y: d.y, length: d.width, char: g.horizontal, style: t.border)
            for (k, line) in feed.detail.prefix(d.height - 1).enumerated() {
                buf.text(line, x: d.x + 1, y: d.y + 1 + k, width: d.width - 1, style: t.text, ellipsis: g.ellipsis)
            }
        }
        // Why it ended comes first: it is what the user needs to read when the line is cut.
        var status = feed.status
        if let pos = window.positionLabel { status = pos + "  " + status }
        if let ended = feed.ended { status = ended + (status.isEmpty ? "" : " · ") + status }
        buf.text(status, x: inside.x + 1, y: parts.status.y, width: inside.width - 1,
                 style: feed.ended != nil ? t.warning : t.dim, ellipsis: g.ellipsis)
    }
}
