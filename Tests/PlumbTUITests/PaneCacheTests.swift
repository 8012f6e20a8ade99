import XCTest
import PlumbModel
@testable import PlumbTUI

/// What the panes make from the snapshot's content is kept while the source's content version stays the same
/// (`PaneCache`): a frame drawn from kept values must be the frame drawn without them, whatever the counters and
/// the time did, and a new version (or no version) must not reuse anything.
final class PaneCacheTests: XCTestCase {
    private let size = Size(width: 200, height: 60)

    /// The values made from the content alone (not the drawn panes, which also follow selection, pids, time).
    private let contentSlots: [PaneCache.Slot] = [.lookups, .namespaceList, .topology, .namespaceWidths,
                                                  .topologyWidths, .statusCounts]
    private func contentBuilds(_ s: AppState) -> [Int] { contentSlots.map { s.paneCache.builds($0) } }

    /// The state on a host link whose counters move at the next step, with the Link tab open (its counters are
    /// on screen), updated from step 30 at content `version`.
    private func opened(version: UInt64) -> (AppState, RenderContext) {
        var s = TestEnv.state(size)
        s.update(snapshot: TestEnv.snapshot, contentVersion: version)
        let next = LabFixture.snapshot(step: TestEnv.step + 1)
        let host = TestEnv.namespace("host")
        let moving = host.links.first { l in next.namespace(id: host.id)?.link(index: l.index)?.stats.rxBytes != l.stats.rxBytes }!
        s.selectedLink = LinkID(namespace: host.id, index: moving.index)
        s.focus = .topology
        s.update(snapshot: TestEnv.snapshot, contentVersion: version)
        return (s, TestEnv.context())
    }

    /// The next refresh of the same content: the next step's link counters and time (only those: the fixture's
    /// firewall counters move too, which the live source reads only with a new version).
    private func countersMoved(_ ctx: inout RenderContext, step: Int = TestEnv.step + 1) {
        let next = LabFixture.snapshot(step: step)
        ctx.previous = ctx.snapshot
        for i in ctx.snapshot.namespaces.indices {
            for j in ctx.snapshot.namespaces[i].links.indices {
                ctx.snapshot.namespaces[i].links[j].stats = next.namespaces[i].links[j].stats
            }
        }
        ctx.snapshot.takenAt = next.takenAt
        ctx.rates = LabFixture.history(upTo: step)
    }

    func testNewCountersOfTheSameContentAreDrawnFromTheNewSnapshot() throws {
        var (s, ctx) = opened(version: 5)
        let first = AppView.render(s, ctx)
        XCTAssertEqual(first, s.renderedUncached(ctx))
        let kept = s.paneBuilds
        XCTAssertTrue(kept.allSatisfy { $0 == 1 }, "every value made once: \(kept)")

        countersMoved(&ctx)
        let prepared = s.update(snapshot: ctx.snapshot, contentVersion: 5)
        let frame = AppView.render(s, ctx, prepared: prepared)
        XCTAssertEqual(s.paneBuilds, kept, "the same content: nothing made again")
        XCTAssertEqual(Golden.text(frame), Golden.text(s.renderedUncached(ctx)))
        XCTAssertEqual(frame, s.renderedUncached(ctx))
        // The link's counters on screen are the new snapshot's, not those of the rows kept from the first.
        let link = try XCTUnwrap(ctx.snapshot.namespace(id: s.selectedLink!.namespace)?.link(index: s.selectedLink!.index))
        let old = try XCTUnwrap(TestEnv.snapshot.namespace(id: s.selectedLink!.namespace)?.link(index: s.selectedLink!.index))
        XCTAssertNotEqual(link.stats.rxBytes, old.stats.rxBytes, "the fixture's counters move between steps")
        XCTAssertNotEqual(frame, first, "the counters (and rates) on screen changed")
        XCTAssertNotNil(frame.rowContaining(Format.bytes(link.stats.rxBytes)), Golden.text(frame))
        // A key after it (moving in the tree) uses the kept tree too, and draws what an uncached state draws: the
        // topology pane again (its selection moved), the namespace list copied.
        let before = s.selectedLink
        s.press([PaneRows(s, ctx.snapshot).topologyIndex(before) == 0 ? .down : .up], snapshot: ctx.snapshot)
        XCTAssertNotEqual(s.selectedLink, before)
        XCTAssertEqual(AppView.render(s, ctx), s.renderedUncached(ctx))
        XCTAssertEqual(contentBuilds(s), contentSlots.map { kept[$0.rawValue] })
        XCTAssertEqual(s.paneCache.builds(.topologyPane), kept[PaneCache.Slot.topologyPane.rawValue] + 1)
        XCTAssertEqual(s.paneCache.builds(.namespacePane), kept[PaneCache.Slot.namespacePane.rawValue])
    }

    func testTheLeakAgeGrowsWithTimeWhileTheContentIsTheSame() {
        var (s, ctx) = opened(version: 5)
        s.focus = .namespaces
        s.zoomed = true  // the HELD BY column needs the width
        s.update(snapshot: ctx.snapshot, contentVersion: 5)
        XCTAssertNotNil(AppView.render(s, ctx).rowContaining("2h 3m"))
        // Forty days later, same content: the fd-only leak's HELD BY reads "…, 40d 2h", wider than "…, 2h 3m".
        countersMoved(&ctx)
        ctx.snapshot.takenAt += 40 * 86_400
        s.update(snapshot: ctx.snapshot, contentVersion: 5)
        let frame = AppView.render(s, ctx)
        XCTAssertEqual(Golden.text(frame), Golden.text(s.renderedUncached(ctx)))
        XCTAssertNotNil(frame.rowContaining("40d"), Golden.text(frame))
    }

    func testANewContentVersionMakesEverythingAgain() {
        var (s, ctx) = opened(version: 5)
        _ = AppView.render(s, ctx)
        let kept = s.paneBuilds
        // An event renamed one of the host's links and the source counted a change of content.
        countersMoved(&ctx)
        let host = ctx.snapshot.namespaces.firstIndex { $0.isHost }!
        let i = ctx.snapshot.namespaces[host].links.firstIndex { $0.name == "docker0" }!
        ctx.snapshot.namespaces[host].links[i].name = "renamed0"
        s.update(snapshot: ctx.snapshot, contentVersion: 6)
        let frame = AppView.render(s, ctx)
        XCTAssertEqual(frame, s.renderedUncached(ctx))
        XCTAssertNotNil(frame.rowContaining("renamed0"), Golden.text(frame))
        XCTAssertEqual(s.paneBuilds, kept.map { $0 + 1 }, "a new version: every value made again")
    }

    func testANewVersionWhoseOnlyNewsArePidsKeepsEverything() {
        var (s, ctx) = opened(version: 5)
        _ = AppView.render(s, ctx)
        let kept = s.paneBuilds
        // A process started on the host (the source counts a new version): the host's pids and its process
        // holder moved, nothing the kept values show.
        countersMoved(&ctx)
        let host = ctx.snapshot.namespaces.firstIndex { $0.isHost }!
        ctx.snapshot.namespaces[host].pids.append(99_999)
        ctx.snapshot.namespaces[host].pids.removeFirst()
        ctx.snapshot.namespaces[host].pids.append(99_998)
        let h = ctx.snapshot.namespaces[host].heldBy.firstIndex { $0.kind == .process }!
        ctx.snapshot.namespaces[host].heldBy[h] = Holder(kind: .process, pid: 99_998)
        s.update(snapshot: ctx.snapshot, contentVersion: 6)
        let frame = AppView.render(s, ctx)
        XCTAssertEqual(s.paneCache.matchedVersions, 1)
        XCTAssertEqual(contentBuilds(s), contentSlots.map { kept[$0.rawValue] }, "only pids moved: nothing made again")
        XCTAssertEqual(s.paneCache.builds(.namespacePane), kept[PaneCache.Slot.namespacePane.rawValue] + 1,
                       "but the list shows the host's PROCS: drawn again")
        XCTAssertEqual(s.paneCache.builds(.topologyPane), kept[PaneCache.Slot.topologyPane.rawValue], "the tree is copied")
        XCTAssertEqual(Golden.text(frame), Golden.text(s.renderedUncached(ctx)))
        XCTAssertNotNil(frame.rowContaining("5     19"), "the host's PROCS (5 now) come from the new snapshot")
    }

    func testANamespaceThatLostItsLastProcessIsNewContent() {
        var (s, ctx) = opened(version: 5)
        s.focus = .namespaces
        s.zoomed = true  // the HELD BY column needs the width
        s.update(snapshot: ctx.snapshot, contentVersion: 5)
        _ = AppView.render(s, ctx)
        let kept = s.paneBuilds
        // redis's only process exited: it is held by nothing now, which HELD BY and the leak count show.
        countersMoved(&ctx)
        let redis = ctx.snapshot.namespaces.firstIndex { $0.displayName == "redis" }!
        ctx.snapshot.namespaces[redis].pids = []
        ctx.snapshot.namespaces[redis].heldBy.removeAll { $0.kind == .process }
        s.update(snapshot: ctx.snapshot, contentVersion: 6)
        let frame = AppView.render(s, ctx)
        XCTAssertEqual(s.paneCache.matchedVersions, 0)
        for slot in [PaneCache.Slot.lookups, .namespaceList, .namespaceWidths, .statusCounts] {
            XCTAssertEqual(s.paneCache.builds(slot), kept[slot.rawValue] + 1, "another kind of holder: \(slot) made again")
        }
        XCTAssertEqual(Golden.text(frame), Golden.text(s.renderedUncached(ctx)))
    }

    func testASourceThatReusesAVersionForOtherNamespacesIsNotTrusted() {
        var (s, ctx) = opened(version: 5)
        _ = AppView.render(s, ctx)
        // The same version with a namespace fewer breaks the source's promise: the count catches it.
        countersMoved(&ctx)
        ctx.snapshot.namespaces.removeAll { $0.id == LabFixture.fdLeakID }
        s.update(snapshot: ctx.snapshot, contentVersion: 5)
        let frame = AppView.render(s, ctx)
        XCTAssertEqual(frame, s.renderedUncached(ctx))
        XCTAssertNil(frame.rowContaining("fd only"), Golden.text(frame))
    }

    func testWithoutAVersionNothingIsKept() {
        var s = TestEnv.state(size)
        var ctx = TestEnv.context()
        _ = AppView.render(s, ctx)
        countersMoved(&ctx)
        s.update(snapshot: ctx.snapshot)
        _ = AppView.render(s, ctx)
        XCTAssertEqual(s.paneBuilds, PaneCache.Slot.allCases.map { _ in 0 })
    }

    func testAFilterTypedOverKeptRowsDrawsTheFilteredPanes() {
        var (s, ctx) = opened(version: 5)
        _ = AppView.render(s, ctx)
        countersMoved(&ctx)
        s.update(snapshot: ctx.snapshot, contentVersion: 5)
        s.press([.char("/")], snapshot: ctx.snapshot)
        s.type("web", snapshot: ctx.snapshot)
        let typed = AppView.render(s, ctx)
        XCTAssertEqual(typed, s.renderedUncached(ctx))
        s.press([.enter], snapshot: ctx.snapshot)
        XCTAssertEqual(AppView.render(s, ctx), s.renderedUncached(ctx))
        // Cleared again: the unfiltered values come back, drawn as before.
        s.press([.char("/"), .escape], snapshot: ctx.snapshot)
        XCTAssertEqual(s.filter, "")
        XCTAssertEqual(AppView.render(s, ctx), s.renderedUncached(ctx))
    }
}
