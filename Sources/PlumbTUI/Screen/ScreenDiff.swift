/// A run of changed cells on one row: what an adapter redraws after a cursor move.
public struct ScreenRun: Equatable, Sendable {
    public var x: Int
    public var y: Int
    public var cells: [Cell]
    public init(x: Int, y: Int, cells: [Cell]) { self.x = x; self.y = y; self.cells = cells }
}

extension ScreenBuffer {
    /// The runs of cells that differ from `old`. With no previous frame, or after a resize, every row is one
    /// run (a full redraw). A run never starts on the second half of a wide character: it is widened to
    /// include the character's first half, so the adapter always writes whole characters.
    public func changes(since old: ScreenBuffer?) -> [ScreenRun] {
        guard let old, old.size == size else {
            return (0..<size.height).map { y in
                ScreenRun(x: 0, y: y, cells: Array(cells[(y * size.width)..<((y + 1) * size.width)]))
            }
        }
        var runs: [ScreenRun] = []
        let w = size.width
        cells.withUnsafeBufferPointer { new in
            old.cells.withUnsafeBufferPointer { prev in
                for y in 0..<size.height {
                    let base = y * w
                    var x = 0
                    while x < w {
                        if new[base + x] == prev[base + x] { x += 1; continue }
                        var start = x
                        if new[base + start].isContinuation && start > 0 { start -= 1 }
                        var end = x + 1
                        while end < w && new[base + end] != prev[base + end] { end += 1 }
                        // Keep a wide character's second half with its first half.
                        if end < w && new[base + end].isContinuation { end += 1 }
                        runs.append(ScreenRun(x: start, y: y, cells: Array(new[(base + start)..<(base + end)])))
                        x = end
                    }
                }
            }
        }
        return runs
    }
}
