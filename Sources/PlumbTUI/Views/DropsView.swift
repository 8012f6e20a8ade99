import PlumbModel

/// The Drops tab: what the kernel dropped in the last seconds, per namespace × reason × location with the
/// interfaces, count and rate, busiest first; the header says which reader is used and what was lost.
enum DropsView {
    static func draw(_ buf: inout ScreenBuffer, rect: Rect, state: AppState, rows: PaneRows, ctx: RenderContext) -> ListWindow? {
        let t = ctx.theme, g = ctx.glyphs
        guard rect.height > 1 else { return nil }
        let (head, body) = rect.splitTop(1)
        buf.text(header(state.drops), x: head.x + 1, y: head.y, width: head.width - 1,
                 style: state.drops?.note == nil ? t.header : t.warning, ellipsis: g.ellipsis)
        let cells: [[Segment]] = rows.drops.map { gr in
            [Segment(gr.namespace, t.text.bolded), Segment(gr.reason, t.error), Segment(gr.location, t.text),
             Segment(gr.interfaces.joined(separator: ","), t.dim), Segment(DropCounts.grouped(gr.count), t.text),
             Segment(DropCounts.rate(gr.rate), t.text),
             Segment(gr.topFlows.first.map { $0.flow.description } ?? "", t.address)]
        }
        func vals(_ i: Int) -> [String] { cells.map { $0[i].text } }
        let empty = state.drops.map { $0.isWatching ? "no drops in the last \(Int($0.windowSeconds)) s" : "" } ?? ""
        return TableView.draw(&buf, rect: body, columns: [
            ColumnSpec("NAMESPACE", values: vals(0), cap: 24, minimum: 9, flexible: true),
            ColumnSpec("REASON", values: vals(1), cap: 26, minimum: 10),
            ColumnSpec("LOCATION", values: vals(2), cap: 28, minimum: 10, drop: 3),
            ColumnSpec("IFACE", values: vals(3), cap: 20, drop: 4),
            ColumnSpec("DROPS", values: vals(4), cap: 9, drop: 1, right: true),
            ColumnSpec("RATE", values: vals(5), cap: 8, right: true),
            ColumnSpec("TOP 5-TUPLE", values: vals(6), cap: 60, minimum: 12, drop: 5, flexible: true, shrinkFirst: 1),
        ], rows: cells, selected: cells.isEmpty ? nil : state.selectedRow(.drops),
           storedTop: state.scroll[.details(.drops)] ?? 0, focused: state.focus == .details, empty: empty, ctx: ctx)
    }

    /// "BPF · 1,204 drops in 10 s · 0 lost", or why drops are host-wide or not watched.
    static func header(_ activity: DropActivity?) -> String {
        guard let a = activity else { return "drops are not watched (plumb needs root to watch them)" }
        guard a.isWatching else { return "drops are not watched: \(a.note ?? "the watcher did not start")" }
        var s = (a.mode == "bpf" ? "BPF" : "tracepoint") + " · \(DropCounts.grouped(a.summary.total)) drops in \(Int(a.windowSeconds)) s"
        if a.summary.lost > 0 { s += " · \(DropCounts.grouped(Int(a.summary.lost))) lost" }
        if a.summary.flowsNotKept > 0 { s += " · 5-tuples of \(DropCounts.grouped(a.summary.flowsNotKept)) not kept" }
        if let note = a.note { s += " · " + note }
        return s
    }
}
