import PlumbModel

/// Composes one frame: title bar, the visible panes, status line, and the help overlay on top. Pure:
/// the same state and context always give the same buffer.
public enum AppView {
    public static func render(_ state: AppState, _ ctx: RenderContext, size: Size? = nil,
                              prepared: PreparedRows? = nil) -> ScreenBuffer {
        var s = state
        if let size { s.size = size }
        var buf = ScreenBuffer(size: s.size)
        let layout = s.layout
        if layout.isTooSmall {
            TooSmallView.draw(&buf, size: s.size, ctx: ctx)
            return buf
        }
        let rows = prepared.flatMap { $0.matches(s, ctx.snapshot) ? $0.rows : nil } ?? PaneRows(s, ctx.snapshot)
        TitleBarView.draw(&buf, rect: layout.titleBar, state: s, ctx: ctx)
        if s.mapView != nil {
            MapView.draw(&buf, state: s, ctx: ctx)
        } else {
            for pane in Pane.allCases {
                guard let r = layout.rect(pane) else { continue }
                draw(pane, into: &buf, rect: r, state: s, rows: rows, ctx: ctx)
            }
        }
        StatusLineView.draw(&buf, rect: layout.statusBar, state: s, rows: rows, ctx: ctx)
        if s.showHelp { HelpOverlay.draw(&buf, layout: layout, scroll: s.scroll[.help] ?? 0, ctx: ctx) }
        if let c = s.confirm { ConfirmationOverlay.draw(&buf, layout: layout, confirm: c, ctx: ctx) }
        return buf
    }

    /// One pane alone, filling `size` (tests and screenshots of a single view).
    public static func renderPane(_ pane: Pane, _ state: AppState, _ ctx: RenderContext, size: Size) -> ScreenBuffer {
        var buf = ScreenBuffer(size: size)
        var s = state
        s.size = size
        draw(pane, into: &buf, rect: Rect(size: size), state: s, rows: PaneRows(s, ctx.snapshot), ctx: ctx)
        return buf
    }

    static func draw(_ pane: Pane, into buf: inout ScreenBuffer, rect: Rect, state: AppState, rows: PaneRows,
                     ctx: RenderContext) {
        switch pane {
        case .namespaces: NamespaceListView.draw(&buf, rect: rect, state: state, rows: rows, ctx: ctx)
        case .topology: TopologyView.draw(&buf, rect: rect, state: state, rows: rows, ctx: ctx)
        case .details: DetailsPane.draw(&buf, rect: rect, state: state, rows: rows, ctx: ctx)
        case .capture: CapturePaneView.draw(&buf, rect: rect, state: state, ctx: ctx)
        }
    }
}
