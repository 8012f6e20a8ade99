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

    /// Counters that stand still for `quietReads` reads are not handed over (no frame for nothing); packets end
    /// the quiet at the next read, and that update says since when the counters stood still.
    func testAQuietScreenIsNotHandedOverAndTrafficEndsTheQuiet() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let a = try lab.addNamespace("qa"), b = try lab.addNamespace("qb")
        try lab.ip(a, "link", "add", "ptqa", "type", "veth", "peer", "name", "ptqb", "netns", b)
        try lab.ip(a, "addr", "add", "10.213.91.1/24", "dev", "ptqa")
        try lab.ip(b, "addr", "add", "10.213.91.2/24", "dev", "ptqb")
        try lab.ip(a, "link", "set", "ptqa", "up")
        try lab.ip(b, "link", "set", "ptqb", "up")
        let id = try TopologyFixture.inode("/run/netns/\(a)")
        var options = SnapshotOptions()
        options.scanFds = false
        // 20 reads a second: the 60 reads of standing-still counters take 3 s.
        let live = LiveSnapshots(interval: 0.05, options: options)
        live.quietHeartbeat = 2
        live.start()
        defer { live.stop() }
        live.setFocus([id], firewall: false, polled: false)
        var lastUpdate = Date(), quietFor = 0.0, version: UInt64?
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && quietFor < 1.5 {
            if let u = live.take() { lastUpdate = Date(); version = u.contentVersion }
            quietFor = Date().timeIntervalSince(lastUpdate)
            usleep(10_000)
        }
        XCTAssertGreaterThanOrEqual(quietFor, 1.5, "standing-still counters are not handed over (30 reads in 1.5 s)")
        // The heartbeat: an update at least every 2 s even so (a leak's age is reckoned from the snapshot's
        // time). Updates for other news (the host's processes come and go) may come between; a heartbeat is one
        // with the content version of the update before, and it says the counters stood still.
        var times: [Date] = [lastUpdate]
        var heartbeats = 0
        while Date().timeIntervalSince(lastUpdate) < 4.5 {
            if let u = live.take() {
                times.append(Date())
                if u.contentVersion == version {
                    heartbeats += 1
                    XCTAssertEqual(u.quiet?.namespaces, [id], "a heartbeat says the counters stood still")
                }
                version = u.contentVersion
            }
            usleep(10_000)
        }
        times.append(Date())
        let gaps = zip(times.dropFirst(), times).map { $0.timeIntervalSince($1) }
        print("quiet: \(heartbeats) heartbeats, gaps \(gaps.map { Int($0 * 1000) }) ms")
        XCTAssertLessThan(gaps.max() ?? 99, 2.6, "no quiet spell goes without an update for longer than the heartbeat")

        try lab.ping(from: b, "10.213.91.1")
        var seen: SnapshotUpdate?
        let end = Date().addingTimeInterval(3)
        while seen == nil && Date() < end {
            if let u = live.take(), u.read == [id] { seen = u }
            usleep(5_000)
        }
        let update = try XCTUnwrap(seen, "packets end the quiet")
        let quiet = try XCTUnwrap(update.quiet, "the update says since when the counters stood still")
        XCTAssertEqual(quiet.namespaces, [id])
        XCTAssertLessThan(quiet.at, update.snapshot.takenAt)
        XCTAssertLessThan(update.snapshot.takenAt - quiet.at, 0.5, "the last standing-still read, one interval before")
    }
}
