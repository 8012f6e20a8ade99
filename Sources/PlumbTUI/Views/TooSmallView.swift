/// Shown instead of the panes when the terminal cannot hold them: says the size needed and the size now.
enum TooSmallView {
    static func draw(_ buf: inout ScreenBuffer, size: Size, ctx: RenderContext) {
        let need = Layout.minimum
        let lines = ["terminal too small", "(need \(need.width)x\(need.height),", "have \(size.width)x\(size.height))",
                     "q quits"]
        // One line when it fits, else one phrase per line.
        let one = "terminal too small (need \(need.width)x\(need.height), have \(size.width)x\(size.height))"
        let shown = one.displayWidth <= size.width ? [one, "q quits"] : lines
        let y0 = max(0, (size.height - shown.count) / 2)
        for (i, l) in shown.enumerated() {
            let x = max(0, (size.width - l.displayWidth) / 2)
            buf.text(l, x: x, y: y0 + i, style: i == 0 ? ctx.theme.warning : ctx.theme.dim,
                     ellipsis: ctx.glyphs.ellipsis)
        }
    }
}
