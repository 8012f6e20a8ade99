/// A scrolling table with a header row and a selection: the routes, neighbours, sysctls and processes
/// tabs are all this, with different columns.
enum TableView {
    static func draw(_ buf: inout ScreenBuffer, rect: Rect, columns: [ColumnSpec], rows: [[Segment]],
                     selected: Int?, storedTop: Int, focused: Bool, empty: String, ctx: RenderContext) -> ListWindow {
        let t = ctx.theme, g = ctx.glyphs
        let (head, body) = rect.splitTop(1)
        let cols = TableLayout.fit(columns, x: rect.x + 2, width: rect.width - 2)
        buf.header(cols, y: head.y, style: t.header, glyphs: g)
        let window = ListWindow(rect: body, count: rows.count, selected: selected, storedTop: storedTop)
        for (i, y) in window.visible {
            for (c, seg) in rows[i].enumerated() where c < cols.count {
                buf.cell(seg.text, cols[c], y: y, style: seg.style, glyphs: g)
            }
        }
        if rows.isEmpty {
            buf.text(empty, x: rect.x + 2, y: body.y, width: rect.width - 2, style: t.dim, ellipsis: g.ellipsis)
        }
        window.highlight(&buf, focused: focused, theme: t, glyphs: g)
        return window
    }
}
