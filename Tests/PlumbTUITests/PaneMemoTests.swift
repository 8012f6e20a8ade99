import XCTest
import PlumbModel
@testable import PlumbTUI

/// The namespace list and the topology are copied from the last frame while their content and everything else
/// they show is the same (`PaneMemo`): whatever changes without a new content version (the clock, drops, the
/// doctor's badges, pids, the selection) must draw them again, exactly as a state that keeps nothing.
final class PaneMemoTests: XCTestCase {
    private let size = Size(width: 200, height: 60)
    private let version: UInt64 = 9

    private func uncached(_ s: AppState, _ ctx: RenderContext) -> ScreenBuffer {
        var fresh = s
        fresh.paneCache = PaneCache()
        fresh.snapshotContent = nil
        return AppView.render(fresh, ctx)
    }

    /// A live state (content version 9) on `namespace`, drawn once.
    private func live(on namespace: UInt64? = nil, focus: Pane = .namespaces, zoomed: Bool = false) -> (AppState, RenderContext) {
        var s = TestEnv.state(size)
        if let namespace { s.selectNamespace(namespace) }
        s.focus = focus
        s.zoomed = zoomed
        s.update(snapshot: TestEnv.snapshot, contentVersion: version)
        let ctx = TestEnv.context()
        _ = AppView.render(s, ctx)
        return (s, ctx)
    }

    /// The next update of the same content, `seconds` later (counters unchanged: only the clock moved).
    private func later(_ s: inout AppState, _ ctx: inout RenderContext, _ seconds: Double) -> ScreenBuffer {
        ctx.snapshot.takenAt += seconds
        s.update(snapshot: ctx.snapshot, contentVersion: version)
        return AppView.render(s, ctx)
    }

    func testCountersAndTimeAloneCopyBothPanes() {
        var (s, ctx) = live(focus: .topology)
        let drawn = (s.paneCache.builds(.namespacePane), s.paneCache.builds(.topologyPane))
        XCTAssertEqual(drawn.0, 1)
        XCTAssertEqual(drawn.1, 1)
        let host = ctx.snapshot.namespaces.firstIndex { $0.isHost }!
        ctx.snapshot.namespaces[host].links[1].stats.rxBytes += 123_456
        let frame = later(&s, &ctx, 2)
        XCTAssertEqual(frame, uncached(s, ctx))
        XCTAssertEqual(s.paneCache.builds(.namespacePane), drawn.0, "copied")
        XCTAssertEqual(s.paneCache.builds(.topologyPane), drawn.1, "copied")
    }

    func testTheLeakAgesInTheListFollowTheClock() {
        var (s, ctx) = live(zoomed: true)  // the HELD BY column needs the width
        XCTAssertNotNil(AppView.render(s, ctx).rowContaining("2h 3m"))
        let frame = later(&s, &ctx, 60)
        XCTAssertEqual(Golden.text(frame), Golden.text(uncached(s, ctx)))
        XCTAssertNotNil(frame.rowContaining("2h 4m"), Golden.text(frame))
        XCTAssertEqual(s.paneCache.builds(.namespacePane), 2)
    }

    func testTheTopologyTitleOfALeakFollowsTheClock() {
        var (s, ctx) = live(on: LabFixture.fdLeakID, focus: .topology, zoomed: true)  // the whole title
        XCTAssertNotNil(AppView.render(s, ctx).rowContaining("for at least 2h 3m"))
        let frame = later(&s, &ctx, 60)
        XCTAssertEqual(Golden.text(frame), Golden.text(uncached(s, ctx)))
        XCTAssertNotNil(frame.rowContaining("for at least 2h 4m"), Golden.text(frame))
    }

    func testDropRatesAndTheDoctorsBadgesAreDrawnAsTheyChange() {
        var (s, ctx) = live(focus: .topology)
        let redis = TestEnv.namespace("redis").id
        var drops = DropActivity(drops: [], windowSeconds: 10, mode: "bpf")
        drops.perNamespace = [redis: 3]
        drops.perInterface = [.init(namespace: TestEnv.namespace("host").id, interface: "veth3c1f2a9"): 3]
        var frames: [ScreenBuffer] = [AppView.render(s, ctx)]
        s.drops = drops
        frames.append(AppView.render(s, ctx))
        drops.perNamespace[redis] = 700
        drops.perInterface[.init(namespace: TestEnv.namespace("host").id, interface: "veth3c1f2a9")] = 700
        s.drops = drops
        frames.append(AppView.render(s, ctx))
        s.findings = [Finding(id: "x", check: "c", checkNumber: 1, severity: .error, title: "t",
                              subjects: [.init(namespace: TestEnv.namespace("host").id, kind: .link, name: "docker0"),
                                         .init(namespace: redis, kind: .link, name: "eth0")],
                              evidence: [], explanation: "")]
        frames.append(AppView.render(s, ctx))
        XCTAssertEqual(frames.last, uncached(s, ctx))
        for i in 1..<frames.count { XCTAssertNotEqual(frames[i], frames[i - 1], "frame \(i) shows the change") }
        s.findings = []
        s.drops = nil
        XCTAssertEqual(AppView.render(s, ctx), frames[0], "and back: the first frame again")
    }

    /// A host dropping multicast changes hundreds of rates every second: the panes keep what they drew unless
    /// the rows on screen show a different rate (or the LINK column must widen for one off screen).
    func testRatesThatChangeNothingDrawnKeepThePanes() {
        var (s, ctx) = live(focus: .topology)
        let redis = TestEnv.namespace("redis").id, host = TestEnv.namespace("host").id
        let veth = DropActivity.InterfaceKey(namespace: host, interface: "veth3c1f2a9")
        var drops = DropActivity(drops: [], windowSeconds: 10, mode: "bpf")
        drops.perNamespace = [redis: 3]
        drops.perInterface = [veth: 3]
        s.drops = drops
        _ = AppView.render(s, ctx)
        let built = (s.paneCache.builds(.namespacePane), s.paneCache.builds(.topologyPane))
        // The frame with these rates: what a state that never kept anything draws.
        func shown(_ d: DropActivity) -> ScreenBuffer {
            s.drops = d
            let frame = AppView.render(s, ctx)
            XCTAssertEqual(frame, uncached(s, ctx))
            return frame
        }
        // Within what the cells show ("3/s"), and rates of a namespace and an interface shown nowhere.
        drops.perNamespace[redis] = 3.2
        drops.perInterface[veth] = 2.9
        drops.perNamespace[4_000_000_123] = 50
        drops.perInterface[.init(namespace: 4_000_000_123, interface: "ptnone0")] = 50
        _ = shown(drops)
        XCTAssertEqual(s.paneCache.builds(.namespacePane), built.0, "nothing the namespace list shows changed")
        XCTAssertEqual(s.paneCache.builds(.topologyPane), built.1, "nothing the topology shows changed")
        // A rate on screen that reads differently draws its pane again.
        drops.perNamespace[redis] = 4
        var frame = shown(drops)
        XCTAssertNotNil(frame.rowContaining("4/s"), Golden.text(frame))
        XCTAssertEqual(s.paneCache.builds(.namespacePane), built.0 + 1)
        XCTAssertEqual(s.paneCache.builds(.topologyPane), built.1)
        // A badge that reads longer draws the topology again, but moves none of its columns (each move rewrote
        // the whole pane on the terminal).
        func kindColumn(_ f: ScreenBuffer) -> Int? {
            guard let line = Golden.text(f).split(separator: "\n").first(where: { $0.contains("KIND") }),
                  let r = line.range(of: "KIND") else { return nil }
            return line.distance(from: line.startIndex, to: r.lowerBound)
        }
        let kindBefore = kindColumn(frame)
        drops.perInterface[veth] = 12_345
        frame = shown(drops)
        XCTAssertNotNil(frame.rowContaining("12k/s drops"), Golden.text(frame))
        XCTAssertEqual(s.paneCache.builds(.topologyPane), built.1 + 1)
        XCTAssertNotNil(kindBefore)
        XCTAssertEqual(kindColumn(frame), kindBefore, "3/s and 12k/s drops: the columns stay")
    }

    func testFocusSelectionAndScrollDrawThePanesAgain() {
        var (s, ctx) = live(focus: .namespaces)
        for keys: [Key] in [[.down], [.tab], [.down, .down], [.pageDown], [.backTab], [.char("z")], [.char("z")]] {
            s.press(keys, snapshot: ctx.snapshot)
            XCTAssertEqual(AppView.render(s, ctx), uncached(s, ctx), "after \(keys)")
        }
        // Resized: the panes move.
        s.size = Size(width: 150, height: 45)
        _ = later(&s, &ctx, 1)
        XCTAssertEqual(AppView.render(s, ctx), uncached(s, ctx))
    }
}
