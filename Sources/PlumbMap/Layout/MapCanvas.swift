/// What a cell of the map means, so each front end can colour it its own way (the TUI by theme, SVG by class,
/// text not at all).
public enum MapStyle: UInt8, Sendable, CaseIterable {
    case plain, dim, heading, name, address, bus, owner, badge
    case up, down, noCarrier, unknown

    public init(_ state: MapLinkState) {
        switch state {
        case .up: self = .up
        case .down: self = .down
        case .noCarrier: self = .noCarrier
        case .unknown: self = .unknown
        }
    }
}

/// A grid of one-cell characters with a style each: the map's picture before any front end draws it.
/// Every character written is one terminal cell wide (names are cleaned by `MapText.clean` first).
public struct MapCanvas: Sendable, Equatable {
    public private(set) var width: Int
    public private(set) var cells: [[Unicode.Scalar]] = []
    public private(set) var styles: [[MapStyle]] = []

    public init(width: Int) { self.width = max(1, width) }

    public var height: Int { cells.count }

    /// Appends blank rows until row `y` exists.
    mutating func ensure(_ y: Int) {
        while cells.count <= y {
            cells.append([Unicode.Scalar](repeating: " ", count: width))
            styles.append([MapStyle](repeating: .plain, count: width))
        }
    }

    /// Writes `text` at (x, y), cut at the right edge; returns the column after the last cell written.
    @discardableResult
    mutating func put(_ text: String, x: Int, y: Int, style: MapStyle = .plain, limit: Int? = nil) -> Int {
        ensure(y)
        let end = min(width, limit ?? width)
        var cx = x
        for s in text.unicodeScalars {
            guard cx < end else { break }
            if cx >= 0 { cells[y][cx] = s; styles[y][cx] = style }
            cx += 1
        }
        return cx
    }

    mutating func put(_ s: Unicode.Scalar, x: Int, y: Int, style: MapStyle) {
        ensure(y)
        guard x >= 0, x < width else { return }
        cells[y][x] = s; styles[y][x] = style
    }

    mutating func horizontal(_ s: Unicode.Scalar, from x0: Int, to x1: Int, y: Int, style: MapStyle) {
        ensure(y)
        var x = max(0, x0)
        while x <= min(x1, width - 1) { cells[y][x] = s; styles[y][x] = style; x += 1 }
    }

    /// Row `y` as text, trailing blanks removed; `ascii` swaps box drawing for `+-|=` and arrows for `<>`.
    public func line(_ y: Int, ascii: Bool = false) -> String {
        var row = cells[y]
        while let last = row.last, last == " " { row.removeLast() }
        var s = String.UnicodeScalarView()
        for c in row { s.append(ascii ? MapGlyphs.ascii(c) : c) }
        return String(s)
    }

    public func text(ascii: Bool = false) -> String {
        (0..<height).map { line($0, ascii: ascii) + "\n" }.joined()
    }
}

/// The box-drawing and arrow characters the layout uses, and their ASCII stand-ins for `--ascii`.
public enum MapGlyphs {
    static let table: [Unicode.Scalar: Unicode.Scalar] = [
        "─": "-", "━": "=", "│": "|", "┃": "|", "┌": "+", "┐": "+", "└": "+", "┘": "+",
        "┴": "+", "┯": "+", "┏": "+", "┣": "+", "┗": "+", "├": "+", "═": "=", "·": "-",
        "→": ">", "←": "<", "⇄": "=", "≈": "~", "↓": "v", "↑": "^", "…": "~", "▲": "^", "⚠": "!", "✗": "x",
        "┄": "-", "┆": ":",
    ]

    public static func ascii(_ s: Unicode.Scalar) -> Unicode.Scalar {
        s.isASCII ? s : table[s] ?? "?"
    }
}

/// Text helpers of the map.
public enum MapText {
    /// One cell per character: control characters and anything past U+02FF (wide, combining, or exotic
    /// characters whose width a terminal may judge differently) become `?`.
    public static func clean(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            out.append(u.value < 0x20 || (u.value >= 0x7F && u.value < 0xA0) || u.value > 0x2FF ? "?" : u)
        }
        return String(out)
    }

    /// For the exports (DOT, Mermaid, SVG), which are UTF-8 documents and not terminal cells: every printable
    /// character stays (`→`, `⇄`, a container's non-ASCII name); control, format (bidi overrides), separator,
    /// private-use and unassigned code points become `?`.
    public static func printable(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            switch u.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
                out.append("?")
            default:
                out.append(u)
            }
        }
        return String(out)
    }

    /// `s` cut to `n` cells, with `…` when it was longer.
    static func fit(_ s: String, _ n: Int) -> String {
        guard n > 0 else { return "" }
        let scalars = Array(s.unicodeScalars)
        if scalars.count <= n { return s }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[0..<(n - 1)])
        out.append("…")
        return String(out)
    }

    static func count(_ s: String) -> Int { s.unicodeScalars.count }
}
