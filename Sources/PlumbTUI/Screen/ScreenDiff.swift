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
                        if Cell.same(new, prev, at: base + x) { x += 1; continue }
                        var start = x
                        if new[base + start].isContinuation && start > 0 { start -= 1 }
                        var end = x + 1
                        while end < w && !Cell.same(new, prev, at: base + end) { end += 1 }
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

extension Cell {
    /// Whether `a[i] == b[i]`, first by the bits of the two cells: `==` on cells read from the buffers copied
    /// each one (a Character is a String) and compared the strings, 12,000 cells a frame, most of them equal.
    /// Equal bits are equal cells (a Character's bits are its inline text or its storage); different bits of the
    /// character may still be the same text, which `==` then decides.
    @inline(__always)
    static func same(_ a: UnsafeBufferPointer<Cell>, _ b: UnsafeBufferPointer<Cell>, at i: Int) -> Bool {
        if bitwiseComparable {
            let pa = UnsafeRawPointer(a.baseAddress! + i), pb = UnsafeRawPointer(b.baseAddress! + i)
            if pa.loadUnaligned(as: UInt64.self) == pb.loadUnaligned(as: UInt64.self),
               pa.loadUnaligned(fromByteOffset: 8, as: UInt64.self) == pb.loadUnaligned(fromByteOffset: 8, as: UInt64.self) {
                return a[i].style == b[i].style && a[i].width == b[i].width
            }
        }
        return a[i] == b[i]
    }

    /// The character is the cell's first 16 bytes (as it is on 64-bit platforms): otherwise only `==` is used.
    static let bitwiseComparable = MemoryLayout<Character>.size == 16 && MemoryLayout<Cell>.offset(of: \Cell.char) == 0
}
