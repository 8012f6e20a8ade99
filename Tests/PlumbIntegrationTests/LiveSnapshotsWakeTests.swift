import Foundation
import XCTest
import PlumbApp
import PlumbKernel
import PlumbModel

/// The live source sleeps until its next read is due (no polling: an idle TUI must cost next to nothing), so
/// what cannot wait interrupts the sleep: a new namespace on screen is read at once, and `r` reads everything.
final class LiveSnapshotsWakeTests: RootTestCase {
    func testANewFocusAndAskingForARefreshWakeTheSleepingSourceAtOnce() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let ns = try lab.addNamespace("lsw")
        let id = try TopologyFixture.inode("/run/netns/\(ns)")
        var options = SnapshotOptions()
        options.scanFds = false
        // Nothing is due for 30 s after the first read: every update below comes from an interrupt.
        let live = LiveSnapshots(interval: 30, options: options)
        live.start()
        defer { live.stop() }
        /// The first update within `seconds` that `accept` takes, and how long it took.
        func next(within seconds: Double, _ accept: (SnapshotUpdate) -> Bool) -> (SnapshotUpdate, TimeInterval)? {
            let start = Date()
            while Date().timeIntervalSince(start) < seconds {
                if let u = live.take(), accept(u) { return (u, Date().timeIntervalSince(start)) }
                usleep(5_000)
            }
            return nil
        }
        let first = try XCTUnwrap(next(within: 15) { _ in true }, "the first snapshot")
        XCTAssertNotNil(first.0.snapshot.namespace(id: id))
        usleep(300_000)
        _ = live.take()

        live.setFocus([id], firewall: false, polled: false)
        let focused = try XCTUnwrap(next(within: 5) { $0.read == [id] }, "the namespace now on screen is read")
        print("new focus read after \(Int(focused.1 * 1000)) ms")
        XCTAssertLessThan(focused.1, 0.5, "a new focus does not wait for the next interval")

        live.refreshNow()
        let full = try XCTUnwrap(next(within: 10) { $0.read == nil }, "r reads every namespace")
        print("full read after r: \(Int(full.1 * 1000)) ms")
        XCTAssertLessThan(full.1, 3, "r does not wait for the next interval")
        XCTAssertNotNil(full.0.snapshot.namespace(id: id))
    }
}
