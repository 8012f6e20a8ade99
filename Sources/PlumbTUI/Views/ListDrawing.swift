/// The shared mechanics of every list: which rows are visible, the selection marker and highlight, and
/// the "position/total" label in the pane's bottom border.
struct ListWindow {
    var rect: Rect  // where rows go (below the column header)
    var count: Int
    var selected: Int?
    var top: Int
    /// What the list leaves out, for the bottom border beside the position: "4 kernel threads hidden (a)".
    var hiddenNote: String?

    init(rect: Rect, count: Int, selected: Int?, storedTop: Int) {
        self.rect = rect; self.count = count; self.selected = selected
        top = ScrollWindow.top(selection: selected, storedTop: storedTop, visible: rect.height, count: count)
    }

    /// (row index, screen y) of each visible row.
    var visible: [(index: Int, y: Int)] {
        guard count > 0, rect.height > 0 else { return [] }
        return (top..<min(count, top + rect.height)).map { ($0, rect.y + $0 - top) }
    }

    /// Marks the selected row: the marker always, the highlight only in the focused pane.
    func highlight(_ buf: inout ScreenBuffer, focused: Bool, theme: Theme, glyphs: Glyphs) {
        guard let s = selected, s >= top, s < top + rect.height, s < count else { return }
        let y = rect.y + s - top
        buf.put(glyphs.selectionMarker, x: rect.x, y: y, style: focused ? theme.borderFocused : theme.dim)
        if focused {
            let sel = theme.selection
            buf.restyle(Rect(x: rect.x, y: y, width: rect.width, height: 1)) { st in
                if sel.reverse { st.reverse = true }
                if sel.bold { st.bold = true }
                if sel.bg != .default { st.bg = sel.bg }
                if sel.fg != .default { st.fg = sel.fg }
            }
        }
    }

    /// "12/47" for the bottom border, nil when everything fits.
    var positionLabel: String? {
        guard count > rect.height else { return nil }
        return "\((selected ?? top) + 1)/\(count)"
    }

    /// The position and what is hidden, for the bottom border; nil when there is neither.
    var footer: String? {
        let parts = [positionLabel, hiddenNote].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " · ")
    }
}
