/// The `?` overlay, generated from the keymap: one section per context, every binding with its keys.
/// Reserved keys say "(not yet available)". Long descriptions wrap; two columns are used when one does
/// not fit; when even that is not enough the overlay scrolls.
enum HelpOverlay {
    struct Line: Equatable {
        var keys: String
        var help: String
        var isTitle: Bool
        var available: Bool
    }

    /// One entry per section title and binding, unwrapped.
    static func entries(_ keymap: Keymap, unicode: Bool) -> [[Line]] {
        keymap.sections().map { ctx, list in
            [Line(keys: ctx.title, help: "", isTitle: true, available: true)] + list.map { b in
                // Help texts use → for "leads to"; spell it out where Unicode is off.
                let help = unicode ? b.help : b.help.replacingAll("→", with: "->")
                return Line(keys: b.keysLabel(unicode: unicode),
                            help: b.available ? help : "\(help) (not yet available)", isTitle: false,
                            available: b.available)
            }
        }
    }

    /// Sections laid out for a column: help wrapped at `helpWidth`, a blank line between sections.
    static func layout(_ sections: [[Line]], helpWidth: Int) -> [[Line]] {
        sections.enumerated().map { i, section in
            var out: [Line] = i == 0 ? [] : [Line(keys: "", help: "", isTitle: false, available: true)]
            for line in section {
                let parts = line.isTitle ? [""] : wrap(line.help, width: helpWidth)
                for (j, p) in parts.enumerated() {
                    out.append(Line(keys: j == 0 ? line.keys : "", help: p, isTitle: line.isTitle,
                                    available: line.available))
                }
            }
            return out
        }
    }

    /// Greedy word wrap; a word longer than the width is cut by the drawing code's ellipsis.
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0, text.displayWidth > width else { return [text] }
        var lines: [String] = [], current = ""
        for word in text.split(separator: " ") {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if candidate.displayWidth > width && !current.isEmpty {
                lines.append(current); current = String(word)
            } else {
                current = candidate
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    static func draw(_ buf: inout ScreenBuffer, layout: Layout, scroll: Int, ctx: RenderContext) {
        let t = ctx.theme, g = ctx.glyphs
        let box = layout.helpRect()
        buf.fill(box, style: t.text)
        buf.box(box, glyphs: g, style: t.borderFocused, title: "Keys", titleStyle: t.titleFocused)
        let inner = box.inset(by: 1)
        let sections = entries(ctx.keymap, unicode: g.isUnicode)
        let keyWidth = min(sections.joined().filter { !$0.isTitle }.map(\.keys.displayWidth).max() ?? 10, 20) + 2

        // One column if it fits, else two (split between sections), else one that scrolls.
        var columns: [[Line]] = [Array(self.layout(sections, helpWidth: inner.width - keyWidth - 2).joined())]
        var colWidth = inner.width - 1
        if columns[0].count > inner.height && inner.width >= 2 * 40 + 3 {
            let w = (inner.width - 3) / 2
            let lines = Array(self.layout(sections, helpWidth: w - keyWidth - 1).joined())
            // Split where an entry starts (never inside a wrapped description), as evenly as possible.
            let cuts = (1..<lines.count).filter { !lines[$0].keys.isEmpty || lines[$0].help.isEmpty }
            if let cut = cuts.min(by: { max($0, lines.count - $0) < max($1, lines.count - $1) }) {
                let right = Array(lines[cut...].drop { $0.keys.isEmpty && $0.help.isEmpty })
                columns = [Array(lines[..<cut]), right]
                colWidth = w
            }
        }
        let tallest = columns.map(\.count).max() ?? 0
        let top = max(0, min(scroll, tallest - inner.height))
        for (ci, col) in columns.enumerated() {
            let x = inner.x + 1 + ci * (colWidth + 2)
            for (i, line) in col.dropFirst(top).prefix(inner.height).enumerated() {
                let y = inner.y + i
                if line.isTitle {
                    buf.text(line.keys, x: x, y: y, width: colWidth, style: t.header, ellipsis: g.ellipsis)
                    continue
                }
                buf.text(line.keys, x: x, y: y, width: keyWidth - 1, style: line.available ? t.keyHint : t.dim,
                         ellipsis: g.ellipsis)
                buf.text(line.help, x: x + keyWidth, y: y, width: colWidth - keyWidth,
                         style: line.available ? t.text : t.dim, ellipsis: g.ellipsis)
            }
        }
        // How to leave (and where we are), set into the bottom border.
        var footer = "Esc / ? / q close"
        if tallest > inner.height {
            let arrows = g.isUnicode ? "↑↓" : "j/k"
            footer += "  \(arrows) scroll \(top + 1)-\(min(tallest, top + inner.height))/\(tallest)"
        }
        buf.text(" \(footer) ", x: box.x + 2, y: box.maxY - 1, width: box.width - 4, style: t.borderFocused,
                 ellipsis: g.ellipsis)
    }
}
