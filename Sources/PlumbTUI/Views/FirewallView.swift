import PlumbModel

/// The selected namespace's packet filter: tables, their chains (labelled with the tool that owns them)
/// and rules, each with packet/byte counters and the packets added since the previous snapshot. Rules
/// whose counters moved are highlighted: that is where the traffic went.
enum FirewallView {
    static func draw(_ buf: inout ScreenBuffer, rect: Rect, state: AppState, rows: PaneRows,
                     ctx: RenderContext) -> ListWindow {
        let t = ctx.theme, g = ctx.glyphs
        let fw = rows.firewall(previous: ctx.previous)
        let (head, body) = rect.splitTop(1)
        let hasPrevious = ctx.previous != nil
        let cols = TableLayout.fit([
            ColumnSpec("PKTS", natural: 6, right: true),
            ColumnSpec("BYTES", natural: 7, drop: 2, right: true),
            ColumnSpec(g.isUnicode ? "ΔPKTS" : "+PKTS", natural: 6, drop: hasPrevious ? 1 : 9, right: true),
            ColumnSpec("CHAIN / RULE", natural: 20, minimum: 10, flexible: true),
        ], x: rect.x + 2, width: rect.width - 2)
        buf.header(cols, y: head.y, style: t.header, glyphs: g)
        let window = ListWindow(rect: body, count: fw.count, selected: state.selectedRow(.firewall),
                                storedTop: state.scroll[.details(.firewall)] ?? 0)
        let ruleCol = cols[3]
        // The table of the first visible row, beside the header: a scrolled list still says where it is.
        if let c = ruleCol, window.top < fw.count, fw[window.top].table >= 0 {
            let table = fw.first { $0.kind == .table && $0.table == fw[window.top].table }?.text ?? ""
            let x = c.x + c.spec.title.displayWidth + 2
            buf.text("(\(table))", x: x, y: head.y, width: c.x + c.width - x, style: t.dim, ellipsis: g.ellipsis)
        }

        for (i, y) in window.visible {
            let row = fw[i]
            switch row.kind {
            case .table:
                buf.text(row.text, x: rect.x + 2, y: y, width: rect.width - 2, style: t.title, ellipsis: g.ellipsis)
            case .note:
                buf.text("! " + row.text, x: rect.x + 2, y: y, width: rect.width - 2, style: t.warning,
                         ellipsis: g.ellipsis)
            case .chain, .rule:
                let moved = row.moved
                if let p = row.packets {
                    buf.cell(Format.count(p), cols[0], y: y, style: moved ? t.counterMoved : t.text, glyphs: g)
                }
                if let b = row.bytes {
                    buf.cell(Format.bytes(b), cols[1], y: y, style: moved ? t.counterMoved : t.dim, glyphs: g)
                }
                if let d = row.deltaPackets, row.packets != nil {
                    buf.cell(Format.delta(d), cols[2], y: y, style: moved ? t.counterMoved : t.dim, glyphs: g)
                }
                guard let c = ruleCol else { continue }
                var segs: [Segment]
                if row.kind == .chain {
                    segs = [Segment(row.text, t.text.bolded)]
                    if let p = row.policy { segs.append(Segment(" policy \(p)", p == "DROP" ? t.warning : t.dim)) }
                    if let o = row.owner { segs.append(Segment("  [\(o.rawValue)]", t.owner)) }
                } else {
                    segs = [Segment("  " + row.text, moved ? t.counterMoved : t.text)]
                }
                buf.segments(segs, x: c.x, y: y, width: c.width, glyphs: g)
            }
        }
        if fw.isEmpty {
            buf.text("no firewall tables in this namespace", x: rect.x + 2, y: body.y, width: rect.width - 2,
                     style: t.dim, ellipsis: g.ellipsis)
        }
        window.highlight(&buf, focused: state.focus == .details, theme: t, glyphs: g)
        return window
    }
}
