import Foundation
import XCTest
import PlumbApp
import PlumbModel
import PlumbSystem
@testable import PlumbTUI

/// The loop owns its waiting: it sleeps on the terminal's input and the snapshot source's pipe together, and
/// wakes for whichever comes first (the terminal itself never waits, nor touches the source's pipe).
final class AppWaitTests: XCTestCase {
    /// A terminal whose keyboard is a pipe: any byte written to `keyboard` types `q`.
    final class PipeTerminal: Terminal {
        let keyboard: WakePipe
        private(set) var frames: [ScreenBuffer] = []
        var size = Size(width: 100, height: 30)
        init() throws { keyboard = try WakePipe() }

        var inputDescriptor: Int32 { keyboard.readDescriptor }
        func pendingKey() -> Key? {
            guard case .ready = try? InputWait.wait(for: [keyboard.readDescriptor], timeoutMillis: 0) else { return nil }
            keyboard.drain()
            return .char("q")
        }
        /// Called after each frame with the number drawn so far (the test reacts to what is on screen).
        var onFrame: (Int) -> Void = { _ in }
        func draw(_ frame: ScreenBuffer) {
            frames.append(frame)
            onFrame(frames.count)
        }
        func invalidate() {}
        func suspend() {}
        func resume() {}
    }

    func testInputWaitReportsReadyTimeoutAndWhich() throws {
        let a = try WakePipe(), b = try WakePipe()
        XCTAssertEqual(try InputWait.wait(for: [a.readDescriptor, b.readDescriptor], timeoutMillis: 0), .timedOut)
        b.wake()
        XCTAssertEqual(try InputWait.wait(for: [a.readDescriptor, b.readDescriptor], timeoutMillis: 1000), .ready([1]))
        b.drain()
        XCTAssertEqual(try InputWait.wait(for: [a.readDescriptor, -1], timeoutMillis: 0), .timedOut, "a negative descriptor is skipped")
    }

    /// A snapshot published while the loop sleeps is drawn at once (not after the 1 s timeout), the source's
    /// pipe is drained by the loop, and a key typed later quits it.
    func testTheLoopWakesForANewSnapshotAndForAKey() throws {
        let term = try PipeTerminal()
        let fake = FakeKernel()
        let wake = try WakePipe()
        fake.snapshots.wakePipe = wake
        var later = TestEnv.snapshot
        later.namespaces.removeAll { $0.displayName == "redis" }
        let app = TUIApp(first: TestEnv.snapshot, kernel: fake.kernel, terminal: term)
        // Once the first frame is up (the loop then sleeps), the source publishes from another thread, as
        // LiveSnapshots does; once the new snapshot is on screen, the user types q (a fallback key after 3 s).
        let source = Unchecked(fake.snapshots), keyboard = term.keyboard, update = SnapshotUpdate(snapshot: later, read: nil)
        let publisher = DispatchQueue(label: "pt-publisher")
        var started = Date()
        term.onFrame = { count in
            if count == 1 {
                started = Date()
                publisher.asyncAfter(deadline: .now() + 0.05) {
                    source.value.publish(update)
                    wake.wake()
                }
                publisher.asyncAfter(deadline: .now() + 3) { keyboard.wake() }
            }
            if count == 2 { keyboard.wake() }
        }
        app.run()
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertLessThan(elapsed, 0.9, "the loop slept through the wake-ups (each wait is 1 s)")
        XCTAssertEqual(term.frames.count, 2, "the new snapshot was drawn, then the key quit")
        XCTAssertFalse(term.frames.last!.lines().joined(separator: "\n").contains("redis"))
        XCTAssertEqual(try InputWait.wait(for: [wake.readDescriptor], timeoutMillis: 0), .timedOut, "the loop drained the pipe")
    }
}

/// Hands a test double to the publishing thread (it locks what it shares).
private final class Unchecked<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
