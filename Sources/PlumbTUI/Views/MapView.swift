import PlumbMap
import PlumbModel

/// The Map view: the whole host as `plumb map` draws it, live — edges coloured by link state, rates in the
/// boxes, the doctor's badges on nodes and edges, the node under the cursor highlighted, scrolled to keep it
/// in view. It replaces the panes while open (`m`).
enum MapView {
    static func draw(_ buf: inout ScreenBuffer, state: AppState, ctx: RenderContext) {
        guard let v = state.mapView else { return }
        let rect = MapScreen.bodyRect(state)
        guard rect.width >= 4, rect.height >= 3 else { return }
        let (map, p) = MapScreen.picture(state, ctx.snapshot, rates: ctx.rates)
        let ascii = ctx.glyphs == .ascii
        let k = ctx.keymap
        let hint = [(Action.moveUp, "move"), (.drillIn, "details"), (.capture, "capture"), (.shell, "shell"),
                    (.filter, "find"), (.mapUnfold, "unfold"), (.back, "close")]
            .compactMap { a, w in k.firstKey(for: a).map { "\($0.label(unicode: !ascii)) \(w)" } }.joined(separator: "  ")
        buf.box(rect, glyphs: ctx.glyphs, style: ctx.theme.borderFocused,
                title: "Map · \(counted(map.nodes.count, "node")), \(counted(map.edges.count, "edge")) · \(hint)", titleStyle: ctx.theme.titleFocused)
        let inner = rect.inset(by: 1)
        let selected = MapScreen.selectedIndex(v.selection, in: p).map { p.regions[$0] }
        for row in 0..<inner.height {
            let y = v.scrollY + row
            guard y < p.height else { break }
            let cells = p.canvas.cells[y], styles = p.canvas.styles[y]
            for col in 0..<inner.width {
                let x = v.scrollX + col
                guard x < cells.count else { break }
                let s = cells[x]
                guard s != " " else { continue }
                let c = Character(ascii ? MapGlyphs.ascii(s) : s)
                buf.put(c, x: inner.x + col, y: inner.y + row, style: style(styles[x], ctx.theme))
            }
        }
        if let r = selected {
            let shown = Rect(x: inner.x + r.x - v.scrollX, y: inner.y + r.y - v.scrollY, width: r.width, height: r.height)
                .intersection(inner)
            buf.restyle(shown) { $0 = ctx.theme.selection }
        }
    }

    static func style(_ s: MapStyle, _ t: Theme) -> Style {
        switch s {
        case .plain, .name: return t.text
        case .dim: return t.dim
        case .heading: return t.header
        case .address, .owner: return t.address
        case .bus: return t.border
        case .badge: return t.warning
        case .up: return t.linkUp
        case .down: return t.linkDown
        case .noCarrier: return t.linkNoCarrier
        case .unknown: return t.linkUnknown
        }
    }
}
