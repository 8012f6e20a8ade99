/// A pane's border: brighter when focused, a title in the top edge, an optional label in the bottom edge
/// (scroll position). Returns the inside rect.
enum PaneFrame {
    @discardableResult
    static func draw(_ buf: inout ScreenBuffer, rect: Rect, title: String, focused: Bool, footer: String? = nil,
                     theme: Theme, glyphs: Glyphs) -> Rect {
        buf.box(rect, glyphs: glyphs, style: focused ? theme.borderFocused : theme.border,
                title: title.isEmpty ? nil : title,
                titleStyle: focused ? theme.titleFocused : theme.title)
        if let footer, rect.width > footer.displayWidth + 6 {
            buf.textRight(" \(footer) ", x: rect.x + 1, y: rect.maxY - 1, width: rect.width - 3,
                          style: focused ? theme.borderFocused : theme.border, ellipsis: glyphs.ellipsis)
        }
        return rect.inset(by: 1)
    }
}
