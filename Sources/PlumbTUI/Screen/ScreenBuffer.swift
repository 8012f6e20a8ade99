/// A width x height grid of cells: what one frame looks like. Views draw into it; the curses adapter draws
/// only what differs from the previous frame; tests read it back as text.
public struct ScreenBuffer: Equatable, Sendable {
    public let size: Size
    /// Row-major, `size.width * size.height` cells.
    public private(set) var cells: [Cell]

    public init(size: Size, fill: Cell = .blank) {
        self.size = size
        let n = max(0, size.width * size.height)
        if fill == .blank {
            // Each blank made in place from the literal: copying `fill` into 12,000 cells went through the
            // Character's value witnesses and a retain per cell, on every frame.
            cells = Array(unsafeUninitializedCapacity: n) { buf, count in
                for i in 0..<n { (buf.baseAddress! + i).initialize(to: Cell()) }
                count = n
            }
        } else {
            cells = Array(repeating: fill, count: n)
        }
    }

    public var bounds: Rect { Rect(size: size) }

    public subscript(x: Int, y: Int) -> Cell {
        guard x >= 0, y >= 0, x < size.width, y < size.height else { return .blank }
        return cells[y * size.width + x]
    }

    /// Writes one character at (x, y), keeping wide characters whole: overwriting either half of a wide
    /// character blanks the other half, and a wide character that does not fit before the right edge is
    /// replaced by a space. Returns the columns consumed (0 when outside).
    @discardableResult
    public mutating func put(_ c: Character, x: Int, y: Int, style: Style) -> Int {
        guard y >= 0, y < size.height, x >= 0, x < size.width else { return 0 }
        let w = CharWidth.of(c)
        if w == 2 && x + 1 >= size.width {
            setRaw(Cell(" ", style: style), x: x, y: y)
            return 1
        }
        setRaw(Cell(c, style: style, width: UInt8(w)), x: x, y: y)
        if w == 2 {
            // The second half: not through setRaw, whose repair would blank the first half just written.
            let j = y * size.width + x + 1
            if cells[j].width == 2 && x + 2 < size.width && cells[j + 1].isContinuation {
                cells[j + 1] = Cell(" ", style: cells[j + 1].style)
            }
            cells[j] = .continuation(style)
        }
        return w
    }

    /// Replaces one cell, repairing any wide character it cuts in half. (x, y) must be inside the buffer.
    mutating func setRaw(_ cell: Cell, x: Int, y: Int) {
        let i = y * size.width + x
        let old = cells[i]
        if old.isContinuation && x > 0 && cells[i - 1].width == 2 {
            cells[i - 1] = Cell(" ", style: cells[i - 1].style)
        }
        if old.width == 2 && cell.width != 2 && x + 1 < size.width && cells[i + 1].isContinuation {
            cells[i + 1] = Cell(" ", style: cells[i + 1].style)
        }
        cells[i] = cell
    }

    /// Changes the style of every cell in `rect` (selection highlight, dimming) without touching text.
    public mutating func restyle(_ rect: Rect, _ change: (inout Style) -> Void) {
        let r = rect.intersection(bounds)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY {
            for x in r.x..<r.maxX { change(&cells[y * size.width + x].style) }
        }
    }
}

// MARK: - Copying a region (a pane kept from an earlier frame: PaneMemo)
extension ScreenBuffer {
    /// The cells of `r` (inside the buffer), row by row.
    func cells(in r: Rect) -> [Cell] {
        var out: [Cell] = []
        out.reserveCapacity(max(0, r.width * r.height))
        for y in r.y..<r.maxY { out += cells[(y * size.width + r.x)..<(y * size.width + r.maxX)] }
        return out
    }

    /// Puts back cells taken by `cells(in: r)` from a buffer of the same size, as they were (wide characters
    /// and all).
    mutating func copy(_ taken: [Cell], into r: Rect) {
        guard taken.count == r.width * r.height else { return }
        for y in r.y..<r.maxY {
            let from = (y - r.y) * r.width
            cells.replaceSubrange((y * size.width + r.x)..<(y * size.width + r.maxX), with: taken[from..<(from + r.width)])
        }
    }
}

// MARK: - Reading back (tests, golden files, screenshots without a terminal)
extension ScreenBuffer {
    /// Row `y` as text, continuation cells skipped, trailing spaces kept.
    public func row(_ y: Int) -> String {
        guard y >= 0 && y < size.height else { return "" }
        var s = ""
        s.reserveCapacity(size.width)
        for x in 0..<size.width {
            let c = cells[y * size.width + x]
            if !c.isContinuation { s.append(c.char) }
        }
        return s
    }

    /// Every row as text with trailing spaces removed: the form golden files store.
    public func lines() -> [String] {
        (0..<size.height).map { y in
            var s = row(y)
            while s.last == " " { s.removeLast() }
            return s
        }
    }

    public var plainText: String { lines().joined(separator: "\n") }

    /// The column and row where `text` first appears (scanning rows top to bottom), for tests that then
    /// check the style there.
    public func find(_ text: String) -> (x: Int, y: Int)? {
        for y in 0..<size.height {
            let r = row(y)
            guard let range = r.firstRange(of: text) else { continue }
            // Map the character offset back to a column (wide characters take two).
            return (x: CharWidth.of(String(r[r.startIndex..<range.lowerBound])), y: y)
        }
        return nil
    }

    /// The style of the first cell of `text` (nil when not on screen).
    public func style(of text: String) -> Style? {
        guard let p = find(text) else { return nil }
        return self[p.x, p.y].style
    }
}
