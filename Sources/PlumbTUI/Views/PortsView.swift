import PlumbModel

/// The Ports tab: every published port of the host (DNAT rules and docker-proxy, as `plumb ports` lists them):
/// the host port, where it leads (namespace or container and address), who made it, whether a new connection
/// from outside reaches the target (the trace's evaluator), and who listens there. Below the table, the
/// selected mapping's rule, its docker-proxy processes, its listeners and the doctor's findings about it.
enum PortsView {
    static func draw(_ buf: inout ScreenBuffer, rect: Rect, state: AppState, rows: PaneRows, ctx: RenderContext) -> ListWindow? {
        let t = ctx.theme, g = ctx.glyphs
        let list = rows.ports
        let (top, bottom) = rect.splitTop(list.isEmpty ? rect.height : max(3, min(list.count + 1, rect.height * 3 / 5)))
        let cells: [[Segment]] = list.map { p in
            let bad = PortRows.isBroken(p)
            return [Segment(p.hostEndpoint, t.text), Segment(p.targetEndpoint, t.linkUp),
                    Segment(p.targetName ?? "-", p.targetName == nil ? t.dim : t.text), Segment(p.owner, t.dim),
                    Segment(PortRows.reached(p), p.reachesTarget == false ? t.error : t.text),
                    Segment(PortRows.listener(p), bad ? t.warning : (p.listener == .unknown ? t.dim : t.text))]
        }
        func vals(_ i: Int) -> [String] { cells.map { $0[i].text } }
        let empty = state.ports.isEmpty ? "no published ports (no DNAT rule nat PREROUTING reaches, no docker-proxy)"
            : "no published port matches /\(state.filter)"
        let window = TableView.draw(&buf, rect: top, columns: [
            ColumnSpec("HOST PORT", values: vals(0), cap: 30, minimum: 12),
            ColumnSpec("TARGET", values: vals(1), cap: 28, minimum: 10, drop: 4),
            ColumnSpec("IN", values: vals(2), cap: 30, minimum: 6, flexible: true),
            ColumnSpec("BY", values: vals(3), cap: 12, drop: 2),
            ColumnSpec("REACHED", natural: 7, drop: 3),
            ColumnSpec("LISTENER", values: vals(5), cap: 15, minimum: 6),
        ], rows: cells, selected: list.isEmpty ? nil : state.selectedRow(.ports),
           storedTop: state.scroll[.details(.ports)] ?? 0, focused: state.focus == .details, empty: empty, ctx: ctx)
        let i = state.selectedRow(.ports)
        guard i < list.count, bottom.height > 1 else { return window }
        let p = list[i]
        buf.hline(x: bottom.x, y: bottom.y, length: bottom.width, char: g.horizontal, style: t.border)
        var lines: [Segment] = []
        let made = rows.index.snapshot.namespace(id: p.namespace)?.displayName ?? "net:[\(p.namespace)]"
        lines.append(Segment("\(p.hostEndpoint) in \(made) → \(p.targetEndpoint) in \(p.targetName ?? "no namespace in view")", t.header))
        if let chain = p.chain { lines.append(Segment("  -A \(chain) \(p.rule ?? "")", t.dim)) }
        for proxy in p.proxies { lines.append(Segment("  docker-proxy \(proxy)", t.dim)) }
        lines.append(Segment("  listening at \(p.effectiveTargetPort.map(String.init) ?? "?"): "
                             + (p.listener == .unknown ? "not read" : p.listenerAddresses.isEmpty ? "nobody" : p.listenerAddresses.joined(separator: ", ")),
                             PortRows.isBroken(p) ? t.warning : t.dim))
        let about = state.findings.filter { f in
            f.subjects.contains { $0.namespace == p.namespace && $0.kind == .port && $0.name == p.hostEndpoint }
        }
        for f in about { lines.append(Segment("\(f.severity.rawValue): \(f.title) (Doctor tab)", FindingsView.style(f.severity, t))) }
        var y = bottom.y + 1
        for seg in lines where y < bottom.maxY {
            buf.text(seg.text, x: bottom.x + 1, y: y, width: bottom.width - 1, style: seg.style, ellipsis: g.ellipsis)
            y += 1
        }
        return window
    }
}
