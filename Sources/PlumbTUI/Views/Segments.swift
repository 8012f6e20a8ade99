/// A piece of text with its own style, for lines that mix colours (a state, then counters, then a delta).
struct Segment {
    var text: String
    var style: Style
    init(_ text: String, _ style: Style) { self.text = text; self.style = style }
}

extension ScreenBuffer {
    /// Draws segments one after another within `width` columns; the segment that crosses the edge gets
    /// the ellipsis. Returns the columns used.
    @discardableResult
    mutating func segments(_ segs: [Segment], x: Int, y: Int, width: Int, glyphs: Glyphs) -> Int {
        var used = 0
        for s in segs {
            let room = width - used
            if room <= 0 { break }
            used += text(s.text, x: x + used, y: y, width: room, style: s.style, ellipsis: glyphs.ellipsis)
        }
        return used
    }
}
