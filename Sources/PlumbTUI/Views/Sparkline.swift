/// A one-row chart of recent values: ▁▂▃▄▅▆▇█ scaled to the largest value shown. Zero is the lowest
/// glyph; any non-zero value is at least the second, so "idle" and "a little traffic" look different.
enum Sparkline {
    static func render(_ values: [Double], width: Int, glyphs: Glyphs) -> String {
        guard width > 0, !values.isEmpty else { return "" }
        let shown = values.suffix(width)
        let top = shown.max() ?? 0
        let levels = glyphs.sparks
        var s = ""
        for v in shown {
            if top <= 0 || v <= 0 { s.append(levels[0]); continue }
            let scaled = Int((v / top * Double(levels.count - 1)).rounded())
            s.append(levels[max(1, min(levels.count - 1, scaled))])
        }
        return s
    }
}
