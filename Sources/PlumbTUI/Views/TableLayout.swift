/// Fits table columns into a width: flexible columns shrink first (the widest one each time, down to its
/// minimum); only when that is not enough do columns with a drop priority disappear (highest number
/// first). The last column takes whatever is left, so long text (rules, command lines) uses the full
/// width before its ellipsis.
struct ColumnSpec {
    var title: String
    /// Widest content including the title.
    var natural: Int
    var minimum: Int
    /// 0 never dropped; otherwise dropped in descending order when space runs out.
    var dropPriority: Int
    var flexible: Bool
    /// Among flexible columns, higher values give up their width first (addresses before peers).
    var shrinkFirst: Int
    var rightAligned: Bool

    init(_ title: String, natural: Int, minimum: Int = 3, drop: Int = 0, flexible: Bool = false,
         shrinkFirst: Int = 0, right: Bool = false) {
        self.title = title; self.natural = max(natural, title.displayWidth)
        self.minimum = min(minimum, self.natural)  // a column never needs more than its widest value
        self.dropPriority = drop; self.flexible = flexible; self.shrinkFirst = shrinkFirst; self.rightAligned = right
    }

    /// Natural width from the widest of `values`, capped so one huge value cannot starve the others.
    init(_ title: String, values: [String], cap: Int = 40, minimum: Int = 3, drop: Int = 0,
         flexible: Bool = false, shrinkFirst: Int = 0, right: Bool = false) {
        let widest = values.reduce(0) { max($0, $1.displayWidth) }
        self.init(title, natural: min(cap, widest), minimum: minimum, drop: drop, flexible: flexible,
                  shrinkFirst: shrinkFirst, right: right)
    }
}

struct PlacedColumn {
    var spec: ColumnSpec
    var x: Int
    var width: Int
}

enum TableLayout {
    static let gap = 2

    /// Placed columns (nil for dropped ones, so callers index by spec position) within `width` from `x`.
    static func fit(_ specs: [ColumnSpec], x: Int, width: Int) -> [PlacedColumn?] {
        var active = Array(specs.indices)
        var widths = specs.map(\.natural)
        func total() -> Int { active.reduce(0) { $0 + widths[$1] } + max(0, active.count - 1) * gap }
        func shrinkFlexible() {
            while total() > width {
                let candidates = active.filter { specs[$0].flexible && widths[$0] > specs[$0].minimum }
                let first = candidates.map { specs[$0].shrinkFirst }.max()
                guard let widest = candidates.filter({ specs[$0].shrinkFirst == first })
                    .max(by: { widths[$0] < widths[$1] }) else { return }
                widths[widest] -= 1
            }
        }
        shrinkFlexible()
        while total() > width, let drop = active.filter({ specs[$0].dropPriority > 0 })
            .max(by: { specs[$0].dropPriority < specs[$1].dropPriority }) {
            active.removeAll { $0 == drop }
            widths = specs.map(\.natural)
            shrinkFlexible()
        }
        // Still too wide: shrink fixed columns too, last resort before clipping at the edge.
        for i in active.reversed() where total() > width {
            widths[i] = max(specs[i].minimum, widths[i] - (total() - width))
        }
        // (Not a right-aligned number column: its values would drift away from their header.)
        if let last = active.last, !specs[last].rightAligned {
            widths[last] = max(widths[last], width - (total() - widths[last]))
        }
        var out = [PlacedColumn?](repeating: nil, count: specs.count)
        var cx = x
        for i in active {
            out[i] = PlacedColumn(spec: specs[i], x: cx, width: min(widths[i], max(0, x + width - cx)))
            cx += widths[i] + gap
        }
        return out
    }
}

extension ScreenBuffer {
    /// Draws one cell of a table row, right-aligned when the column says so, with an ellipsis when cut.
    mutating func cell(_ text: String, _ col: PlacedColumn?, y: Int, style: Style, glyphs: Glyphs) {
        guard let col, col.width > 0 else { return }
        if col.spec.rightAligned && text.displayWidth <= col.width {
            textRight(text, x: col.x, y: y, width: col.width, style: style, ellipsis: glyphs.ellipsis)
        } else {
            self.text(text, x: col.x, y: y, width: col.width, style: style, ellipsis: glyphs.ellipsis)
        }
    }

    /// The column titles of a table.
    mutating func header(_ cols: [PlacedColumn?], y: Int, style: Style, glyphs: Glyphs) {
        for c in cols { cell(c?.spec.title ?? "", c, y: y, style: style, glyphs: glyphs) }
    }
}
