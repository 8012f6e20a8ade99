import XCTest
@testable import PlumbTUI

final class ScreenDiffTests: XCTestCase {
    /// What an adapter does with the runs: the result must equal the new frame.
    private func apply(_ runs: [ScreenRun], to old: ScreenBuffer) -> ScreenBuffer {
        var b = old
        for r in runs {
            for (i, c) in r.cells.enumerated() where !c.isContinuation { b.put(c.char, x: r.x + i, y: r.y, style: c.style) }
        }
        return b
    }

    func testIdenticalBuffersHaveNoChanges() {
        var a = ScreenBuffer(size: Size(width: 10, height: 3))
        a.text("hello", x: 1, y: 1)
        XCTAssertEqual(a.changes(since: a), [])
    }

    func testOneCellChange() {
        let a = ScreenBuffer(size: Size(width: 10, height: 3))
        var b = a
        b.put("x", x: 4, y: 2, style: .plain)
        let runs = b.changes(since: a)
        XCTAssertEqual(runs.count, 1)
        XCTAssertEqual(runs[0].x, 4)
        XCTAssertEqual(runs[0].y, 2)
        XCTAssertEqual(runs[0].cells.map(\.char), ["x"])
    }

    func testStyleOnlyChangeIsAChange() {
        var a = ScreenBuffer(size: Size(width: 10, height: 1))
        a.text("up", x: 0, y: 0)
        var b = a
        b.restyle(Rect(x: 0, y: 0, width: 2, height: 1)) { $0.fg = .green }
        XCTAssertEqual(b.changes(since: a).map(\.cells.count), [2])
    }

    func testSeparateRunsOnOneRow() {
        let a = ScreenBuffer(size: Size(width: 20, height: 1))
        var b = a
        b.text("ab", x: 1, y: 0)
        b.text("cd", x: 10, y: 0)
        let runs = b.changes(since: a)
        XCTAssertEqual(runs.map(\.x), [1, 10])
        XCTAssertEqual(runs.map { String($0.cells.map(\.char)) }, ["ab", "cd"])
        XCTAssertEqual(apply(runs, to: a), b)
    }

    func testNoPreviousFrameOrResizeRedrawsEverything() {
        var b = ScreenBuffer(size: Size(width: 5, height: 3))
        b.text("x", x: 0, y: 0)
        XCTAssertEqual(b.changes(since: nil).count, 3)
        XCTAssertEqual(b.changes(since: nil).map(\.cells.count), [5, 5, 5])
        XCTAssertEqual(b.changes(since: ScreenBuffer(size: Size(width: 6, height: 3))).count, 3)
    }

    func testRunIncludesWholeWideCharacter() {
        var a = ScreenBuffer(size: Size(width: 6, height: 1))
        a.text("网", x: 2, y: 0)
        var b = ScreenBuffer(size: Size(width: 6, height: 1))
        b.text("络", x: 2, y: 0)
        let runs = b.changes(since: a)
        XCTAssertEqual(runs.count, 1)
        XCTAssertEqual(runs[0].x, 2)
        XCTAssertEqual(runs[0].cells.count, 2)
        XCTAssertEqual(apply(runs, to: a), b)
    }

    func testDiffOfRealFramesReproducesTheNewFrame() {
        var state = TestEnv.state(Size(width: 120, height: 40))
        let ctx = TestEnv.context()
        let before = AppView.render(state, ctx)
        state.press([.down, .down, .tab, .down])
        let after = AppView.render(state, ctx)
        let runs = after.changes(since: before)
        XCTAssertFalse(runs.isEmpty)
        XCTAssertLessThan(runs.reduce(0) { $0 + $1.cells.count }, 120 * 40 / 2, "a selection move redraws little")
        XCTAssertEqual(apply(runs, to: before), after)
    }
}
