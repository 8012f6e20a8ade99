import PlumbModel

/// The Conntrack tab: the selected namespace's table fill and its rates (entries new and destroyed per second,
/// bytes per second per entry when accounting is on) above the entries, busiest first.
enum ConntrackView {
    static func draw(_ buf: inout ScreenBuffer, rect: Rect, state: AppState, rows: PaneRows, ctx: RenderContext) -> ListWindow? {
        let t = ctx.theme, g = ctx.glyphs
        guard rect.height > 1 else { return nil }
        let (head, body) = rect.splitTop(1)
        let sample = state.conntrack.flatMap { $0.namespace == rows.namespace?.id ? $0 : nil }
        let header = state.conntrackNote ?? sample.map(ConntrackRows.summary) ?? "reading conntrack…"
        buf.text(header, x: head.x + 1, y: head.y, width: head.width - 1,
                 style: state.conntrackNote == nil ? t.header : t.warning, ellipsis: g.ellipsis)
        let rates = sample?.byteRates ?? [:]
        let cells: [[Segment]] = rows.conntrack.map { e in
            let nat = e.nat
            return [Segment(e.protocolName, t.text), Segment(e.tcpState?.name ?? "", t.dim),
                    Segment(ConntrackRows.endpoints(e.original), t.text),
                    Segment(nat == .none ? "" : ConntrackRows.endpoints(e.reply), t.linkUp),
                    Segment(nat == .none ? "" : nat.rawValue, t.linkUp),
                    Segment(e.timeout.map { "\($0)s" } ?? "", t.dim),
                    Segment(rates[e.id].map(Format.byteRate) ?? "", t.text)]
        }
        func vals(_ i: Int) -> [String] { cells.map { $0[i].text } }
        let empty = sample == nil ? "" : "no conntrack entries"
        return TableView.draw(&buf, rect: body, columns: [
            ColumnSpec("PROTO", values: vals(0), cap: 8, minimum: 3),
            ColumnSpec("STATE", values: vals(1), cap: 11, drop: 3),
            ColumnSpec("ORIGINAL", values: vals(2), cap: 60, minimum: 20, flexible: true),
            ColumnSpec("REPLY (NAT)", values: vals(3), cap: 60, minimum: 10, drop: 4, flexible: true, shrinkFirst: 1),
            ColumnSpec("NAT", natural: 4, drop: 2),
            ColumnSpec("TIMEOUT", values: vals(5), cap: 8, drop: 1, right: true),
            ColumnSpec("RATE", values: vals(6), cap: 10, drop: 5, right: true),
        ], rows: cells, selected: cells.isEmpty ? nil : state.selectedRow(.conntrack),
           storedTop: state.scroll[.details(.conntrack)] ?? 0, focused: state.focus == .details, empty: empty, ctx: ctx)
    }
}
