import Foundation
import XCTest
import Dispatch
import Glibc
@testable import PlumbTUI

/// A frame must be cheap enough to redraw on every key: rendering the topology at 200x60 and diffing it
/// against the previous frame stays under 16 ms (one frame at 60 Hz) of CPU in a debug build.
final class FrameTimeTests: XCTestCase {
    private func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

    private func measure(runs: Int = 50, _ body: (Int) -> Void) -> [Double] {
        (0..<runs).map { i in
            let t0 = threadCPUMilliseconds()
            body(i)
            return threadCPUMilliseconds() - t0
        }
    }

    func testTopologyFrameTime() {
        let size = Size(width: 200, height: 60)
        let ctx = TestEnv.context()
        var s = TestEnv.state(size)
        s.press([.tab])
        var previous = AppView.renderPane(.topology, s, ctx, size: size)
        var changed = 0
        let times = measure { i in
            s.press([i % 10 < 5 ? .down : .up])  // a moving selection, as when holding j/k
            let frame = AppView.renderPane(.topology, s, ctx, size: size)
            changed += frame.changes(since: previous).count
            previous = frame
        }
        let m = median(times)
        print(String(format: "topology 200x60 render+diff: median %.2f ms, min %.2f, max %.2f (50 runs, %d runs changed)",
                     m, times.min()!, times.max()!, changed))
        XCTAssertGreaterThan(changed, 0)
        XCTAssertLessThan(m, 16)
    }

    func testFullFrameTime() {
        let size = Size(width: 200, height: 60)
        let ctx = TestEnv.context()
        var s = TestEnv.state(size)
        s.press([.tab, .down, .enter])
        var previous = AppView.render(s, ctx)
        let times = measure { i in
            s.press([i % 10 < 5 ? .down : .up])
            let frame = AppView.render(s, ctx)
            _ = frame.changes(since: previous)
            previous = frame
        }
        print(String(format: "full app 200x60 (3 panes) render+diff: median %.2f ms, min %.2f, max %.2f (50 runs)",
                     median(times), times.min()!, times.max()!))
        XCTAssertLessThan(median(times), 50, "the whole screen stays interactive")
    }
}

/// CPU time this thread has used, in milliseconds. Speed limits in unit tests are checked against it, not against
/// the wall clock: on a shared machine the wall clock measures the other processes as much as the code.
func threadCPUMilliseconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) / 1e6
}
