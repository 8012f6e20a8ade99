import PlumbModel

/// The details pane: a tab strip in its top border (Link, Firewall, Routes, Neighbours, Sysctls,
/// Processes) and the active tab's content.
enum DetailsPane {
    static func draw(_ buf: inout ScreenBuffer, rect: Rect, state: AppState, rows: PaneRows, ctx: RenderContext) {
        let t = ctx.theme, g = ctx.glyphs
        let focused = state.focus == .details
        let inner = rect.inset(by: 1)
        var window: ListWindow?
        switch state.detailTab {
        case .link:
            LinkDetailView.draw(&buf, rect: inner, state: state, rows: rows, ctx: ctx)
        case .firewall:
            window = FirewallView.draw(&buf, rect: inner, state: state, rows: rows, ctx: ctx)
        case .events:
            EventsView.draw(&buf, rect: inner, state: state, ctx: ctx)
        case .findings:
            window = FindingsView.draw(&buf, rect: inner, state: state, rows: rows, ctx: ctx)
        case .conntrack:
            window = ConntrackView.draw(&buf, rect: inner, state: state, rows: rows, ctx: ctx)
        case .drops:
            window = DropsView.draw(&buf, rect: inner, state: state, rows: rows, ctx: ctx)
        case .ports:
            window = PortsView.draw(&buf, rect: inner, state: state, rows: rows, ctx: ctx)
        case .routes, .neighbors, .sysctls, .processes, .sockets:
            window = NamespaceTablesView.draw(&buf, rect: inner, tab: state.detailTab, state: state, rows: rows,
                                              ctx: ctx)
        }
        PaneFrame.draw(&buf, rect: rect, title: "", focused: focused, footer: window?.footer, theme: t,
                       glyphs: g)
        drawTabs(&buf, rect: rect, active: state.detailTab, focused: focused, ctx: ctx)
    }

    static func drawTabs(_ buf: inout ScreenBuffer, rect: Rect, active: DetailTab, focused: Bool, ctx: RenderContext) {
        let t = ctx.theme
        let x0 = rect.x + 2, width = rect.width - 4
        for tab in DetailTabStrip.layout(width: width) where tab.x < width {
            let style = tab.tab == active ? (focused ? t.tabActive : t.tabActiveUnfocused) : t.tabInactive
            buf.text(tab.title, x: x0 + tab.x, y: rect.y, width: width - tab.x, style: style, ellipsis: nil)
        }
    }
}
