/// Drawing primitives. Everything clips to the buffer; text also clips to a maximum width and marks the
/// cut with an ellipsis, so a long container name can never spill into the next column.
extension ScreenBuffer {
    /// Draws `text` at (x, y) in at most `width` columns (default: to the right edge). When the text is
    /// longer, its last visible column becomes `ellipsis` (pass nil for a hard cut). Control characters
    /// (C0, DEL, C1) are shown as `?` so a hostile interface name cannot move the cursor. Returns the columns
    /// drawn.
    @discardableResult
    public mutating func text(_ text: String, x: Int, y: Int, width: Int? = nil, style: Style = .plain,
                              ellipsis: Character? = "…") -> Int {
        guard y >= 0 && y < size.height else { return 0 }
        let limit = min(width ?? (size.width - x), size.width - x)
        guard limit > 0 else { return 0 }
        // ASCII but CR, which with a following LF is one grapheme cluster (one "?" on screen, as drawn below).
        let ascii = text.utf8.allSatisfy { $0 < 0x80 && $0 != 0x0D }
        let needsCut = (ascii ? text.utf8.count : text.displayWidth) > limit
        let room = needsCut && ellipsis != nil ? limit - 1 : limit
        var col = 0
        if ascii {
            // Byte by byte: names and numbers are ASCII, and breaking them into grapheme clusters was most of
            // drawing a frame. Every byte is one column.
            // `room` is within the buffer's width from `x`: one cell each, no width to look up.
            for b in text.utf8 {
                if col >= room { break }
                let c = b < 0x20 || b == 0x7f ? "?" : Character(Unicode.Scalar(b))
                if x + col >= 0 { setRaw(Cell(c, style: style), x: x + col, y: y) }
                col += 1
            }
        } else {
            col = graphemes(text, x: x, y: y, room: room, style: style)
        }
        if needsCut, let e = ellipsis {
            if x + col >= 0 { put(e, x: x + col, y: y, style: style) }
            col += 1
        }
        return col
    }

    /// `text(...)`'s general case: grapheme clusters of any width, up to `room` columns. Returns the columns drawn.
    private mutating func graphemes(_ text: String, x: Int, y: Int, room: Int, style: Style) -> Int {
        var col = 0
        for var c in text {
            if c.isASCII {
                if let a = c.asciiValue, a < 0x20 || a == 0x7f { c = "?" }
            } else if let s = c.unicodeScalars.first, s.value >= 0x80 && s.value <= 0x9f {
                c = "?"  // C1 controls: U+009B is a CSI to many terminals
            }
            let w = CharWidth.of(c)
            if col + w > room { break }
            if x + col >= 0 { put(c, x: x + col, y: y, style: style) }
            col += w
        }
        return col
    }

    /// Right-aligns `text` so it ends at column `maxX - 1` of the given span.
    @discardableResult
    public mutating func textRight(_ text: String, x: Int, y: Int, width: Int, style: Style = .plain,
                                   ellipsis: Character? = "…") -> Int {
        let w = min(text.displayWidth, width)
        return self.text(text, x: x + width - w, y: y, width: w, style: style, ellipsis: ellipsis)
    }

    public mutating func fill(_ rect: Rect, char: Character = " ", style: Style = .plain) {
        let r = rect.intersection(bounds)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY {
            var x = r.x
            while x < r.maxX { x += max(1, put(char, x: x, y: y, style: style)) }
        }
    }

    public mutating func hline(x: Int, y: Int, length: Int, char: Character, style: Style = .plain) {
        fill(Rect(x: x, y: y, width: length, height: 1), char: char, style: style)
    }

    public mutating func vline(x: Int, y: Int, length: Int, char: Character, style: Style = .plain) {
        fill(Rect(x: x, y: y, width: 1, height: length), char: char, style: style)
    }

    /// A rectangle outline with an optional title set into the top edge: `┌ Title ─────┐`.
    public mutating func box(_ rect: Rect, glyphs: Glyphs, style: Style = .plain, title: String? = nil,
                             titleStyle: Style? = nil) {
        guard rect.width >= 2 && rect.height >= 2 else { return }
        hline(x: rect.x + 1, y: rect.y, length: rect.width - 2, char: glyphs.horizontal, style: style)
        hline(x: rect.x + 1, y: rect.maxY - 1, length: rect.width - 2, char: glyphs.horizontal, style: style)
        vline(x: rect.x, y: rect.y + 1, length: rect.height - 2, char: glyphs.vertical, style: style)
        vline(x: rect.maxX - 1, y: rect.y + 1, length: rect.height - 2, char: glyphs.vertical, style: style)
        put(glyphs.topLeft, x: rect.x, y: rect.y, style: style)
        put(glyphs.topRight, x: rect.maxX - 1, y: rect.y, style: style)
        put(glyphs.bottomLeft, x: rect.x, y: rect.maxY - 1, style: style)
        put(glyphs.bottomRight, x: rect.maxX - 1, y: rect.maxY - 1, style: style)
        if let title, rect.width > 4 {
            text(" \(title) ", x: rect.x + 1, y: rect.y, width: rect.width - 2, style: titleStyle ?? style,
                 ellipsis: glyphs.ellipsis)
        }
    }
}
