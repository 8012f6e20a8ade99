import PlumbModel

/// The top row: the name, how long the snapshot took to read, and hints for the keys that open
/// everything else (taken from the keymap, so they follow rebinding).
enum TitleBarView {
    static let hinted: [(Action, String)] = [
        (.filter, "filter"), (.command, "command"), (.help, "help"), (.quit, "quit"),
    ]

    static func draw(_ buf: inout ScreenBuffer, rect: Rect, state: AppState, ctx: RenderContext) {
        let t = ctx.theme
        buf.fill(rect, style: t.text)
        let e = ctx.glyphs.ellipsis
        var x = rect.x + buf.text(" Plumb ", x: rect.x, y: rect.y, style: t.appTitle, ellipsis: e)
        let d = ctx.snapshot.discovery
        let took = d.discoveryMillis + d.netlinkMillis + d.firewallMillis + d.wiringMillis
        x += buf.text("  snapshot read in \(Format.millis(took))", x: x, y: rect.y, width: rect.maxX - x, style: t.dim,
                      ellipsis: e)
        if state.paused {
            x += buf.text("  PAUSED", x: x, y: rect.y, width: rect.maxX - x, style: t.warning, ellipsis: e)
        }

        var hints: [Segment] = []
        for (action, word) in hinted {
            guard let key = ctx.keymap.firstKey(for: action) else { continue }
            hints += [Segment(key.label(unicode: ctx.glyphs.isUnicode), t.keyHint), Segment(" \(word)  ", t.text)]
        }
        let w = hints.reduce(0) { $0 + $1.text.displayWidth }
        if rect.maxX - w > x + 2 { buf.segments(hints, x: rect.maxX - w, y: rect.y, width: w, glyphs: ctx.glyphs) }
    }
}
