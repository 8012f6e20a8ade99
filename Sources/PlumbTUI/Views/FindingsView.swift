import PlumbModel

/// The Doctor tab: the findings (errors first) and, below them, the selected one's explanation, evidence and
/// fix plan. `f` applies the fix after showing the plan; `u` undoes the last fix.
enum FindingsView {
    static func draw(_ buf: inout ScreenBuffer, rect: Rect, state: AppState, rows: PaneRows, ctx: RenderContext) -> ListWindow? {
        let t = ctx.theme, g = ctx.glyphs
        let list = rows.findings
        // Zoomed (z), the list takes every row the selected finding's details leave (at most a third of the pane).
        let share = state.zoomed && state.focus == .details ? rect.height * 2 / 3 : rect.height * 2 / 5
        let (top, bottom) = rect.splitTop(list.isEmpty ? rect.height : max(3, min(list.count + 1, share)))
        let cells: [[Segment]] = list.map { f in
            [Segment(f.severity.rawValue, style(f.severity, t)), Segment("\(f.checkNumber) \(f.check)", t.dim),
             Segment(f.title, t.text),
             // "held": a fix the flow comparison does not offer (f shows why and still lets you insist).
             f.fix == nil ? Segment("", t.text) : f.impact?.offered == false ? Segment("held", t.warning) : Segment("fix", t.linkUp)]
        }
        let empty = state.findings.isEmpty ? "no findings: the doctor sees nothing wrong" : "no finding matches /\(state.filter)"
        let window = TableView.draw(&buf, rect: top, columns: [
            ColumnSpec("SEVERITY", natural: 8),
            ColumnSpec("CHECK", values: cells.map { $0[1].text }, cap: 22, minimum: 6, drop: 2),
            ColumnSpec("FINDING", values: cells.map { $0[2].text }, cap: 120, minimum: 20, flexible: true),
            ColumnSpec("FIX", natural: cells.contains { $0[3].text == "held" } ? 4 : 3, drop: 1),
        ], rows: cells, selected: list.isEmpty ? nil : state.selectedRow(.findings),
           storedTop: state.scroll[.details(.findings)] ?? 0, focused: state.focus == .details, empty: empty, ctx: ctx)
        let i = state.selectedRow(.findings)
        guard i < list.count, bottom.height > 1 else { return window }
        let f = list[i]
        buf.hline(x: bottom.x, y: bottom.y, length: bottom.width, char: g.horizontal, style: t.border)
        var lines: [Segment] = [Segment(f.explanation, t.text)]
        lines += f.evidence.map { Segment("  \($0)", t.dim) }
        if let fix = f.fix, !fix.steps.isEmpty {
            lines.append(Segment("fix (f):", t.header))
            lines += fix.steps.flatMap(\.descriptionLines).map { Segment("  \($0)", t.linkUp) }
            if let impact = f.impact, !impact.offered {
                lines.append(Segment("  not offered: \(impact.reason ?? "")", t.warning))
            }
            let first = FixOrder.prerequisites(of: f, among: state.findings)
            if !first.isEmpty {
                lines.append(Segment("fix first: " + first.map(\.id).joined(separator: ", "), t.warning))
            }
        } else {
            lines.append(Segment("no automatic fix: the explanation says what to do", t.dim))
        }
        lines.append(Segment("id \(f.id)", t.dim))
        var y = bottom.y + 1
        for seg in lines {
            guard y < bottom.maxY else { break }
            // Long explanations wrap; evidence and plan lines are cut with an ellipsis.
            for piece in wrap(seg.text, width: bottom.width - 1, wrapping: seg.style == t.text) {
                guard y < bottom.maxY else { break }
                buf.text(piece, x: bottom.x + 1, y: y, width: bottom.width - 1, style: seg.style, ellipsis: g.ellipsis)
                y += 1
            }
        }
        return window
    }

    static func style(_ s: Finding.Severity, _ t: Theme) -> Style {
        switch s {
        case .error: return t.error
        case .warning: return t.warning
        case .info: return t.dim
        }
    }

    /// Word wrap for plain text (one line when `wrapping` is off).
    static func wrap(_ text: String, width: Int, wrapping: Bool) -> [String] {
        guard wrapping, width > 10, text.displayWidth > width else { return [text] }
        var out: [String] = [], line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.displayWidth + 1 + word.count > width { out.append(line); line = "" }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { out.append(line) }
        return out
    }
}

/// The question over everything else while a plan waits for a yes.
enum ConfirmationOverlay {
    static func draw(_ buf: inout ScreenBuffer, layout: Layout, confirm c: Confirmation, ctx: RenderContext) {
        let t = ctx.theme, g = ctx.glyphs
        let widest = max(c.lines.map(\.displayWidth).max() ?? 0, c.title.displayWidth)
        let w = min(layout.size.width - 4, max(50, min(110, widest + 6)))
        let h = min(layout.size.height - 4, c.lines.count + 5)
        let r = Rect(x: (layout.size.width - w) / 2, y: max(1, (layout.size.height - h) / 2), width: w, height: h)
        buf.fill(r)
        buf.box(r, glyphs: g, style: t.borderFocused, title: c.title, titleStyle: t.titleFocused)
        for (k, line) in c.lines.prefix(h - 4).enumerated() {
            buf.text(line, x: r.x + 2, y: r.y + 1 + k, width: r.width - 4, style: t.text, ellipsis: g.ellipsis)
        }
        // A notice (a failed fix) has nothing to apply: any of the keys closes it.
        let hint = c.effect == .none ? "Enter / Esc: close" : "y / Enter: apply    n / Esc: change nothing"
        buf.text(hint, x: r.x + 2, y: r.maxY - 2, width: r.width - 4, style: t.keyHint, ellipsis: g.ellipsis)
    }
}
