import XCTest
import PlumbMap
import PlumbModel
@testable import PlumbTUI

/// The Map view's moves follow the edges (not the reading order of the picture), checked on the frames the
/// screen buffer holds: the highlighted text is the node the edge leads to. And its cache: a frame or a key
/// between two snapshots builds neither the graph nor the picture again.
final class MapNavigationTests: XCTestCase {
    let size = Size(width: 160, height: 45)

    func opened(on name: String) -> AppState { TestEnv.mapOpened(on: name, size: size) }

    /// The highlighted cell of the frame holds the start of `text` (the map draws the selection in the theme's
    /// selection style).
    func assertSelected(_ s: AppState, _ text: String, _ why: String, file: StaticString = #filePath, line: UInt = #line) {
        let buf = AppView.render(s, TestEnv.context())
        let frame = buf.lines().joined(separator: "\n")
        XCTAssertEqual(buf.style(of: text), TestEnv.context().theme.selection, "\(why)\n\(frame)", file: file, line: line)
    }

    func testDownFromABoxFollowsItsNamespaceToItsOtherBusNotTheNextRow() {
        // sensor is on br-3f2a1b9c0d11 and, through a macvlan, on eth0: the buses drawn between (cni-podman0,
        // docker0) are not connected to it.
        var s = opened(on: "sensor")
        assertSelected(s, "sensor ───", "the map opens on sensor's first box")
        s.press([.down])
        XCTAssertEqual(s.mapView?.selection?.node, MapID.bus(TestEnv.namespace("host").id, TestEnv.linkID("host", "eth0").index))
        assertSelected(s, "eth0 · macvlan parent", "down: the macvlan parent sensor hangs from, past two unconnected buses")
        s.press([.down])
        XCTAssertEqual(s.mapView?.selection?.node, MapID.namespace(TestEnv.namespace("sensor").id))
        assertSelected(s, "eth1 192.168.1.30", "then a port of that bus: sensor's macvlan, under the header's middle")
    }

    func testUpFromABusHeaderGoesToTheUplinkItIsNatedTo() {
        var s = opened(on: "redis")
        s.press([.up])
        assertSelected(s, "docker: bridge (docker0) · 172.17.0.0/16", "up from a box: its bus")
        s.press([.up])
        assertSelected(s, "▲ eth0", "up from docker0: the uplink it is NATed to, not the boxes of cni-podman0 above it")
    }

    func testLeftAndRightStayOnTheBus() {
        var s = opened(on: "grafana")
        s.press([.right])
        assertSelected(s, "postgres ──", "right: the next port on docker0")
        s.press([.left, .left])
        assertSelected(s, "batch ──", "left twice: the first port")
        s.press([.left])
        assertSelected(s, "batch ──", "nothing further left on the bus or anywhere on those rows: it stays")
    }

    func testTabCyclesTheNeighboursOfWhereItStarted() {
        var s = opened(on: "sensor")
        let start = s.mapView?.selection
        var seen: [String] = []
        for _ in 0..<7 {
            s.press([.tab])
            seen.append(s.mapView?.selection?.node ?? "")
        }
        let host = TestEnv.namespace("host").id
        let busOfSensor = MapID.bus(host, TestEnv.linkID("host", "br-3f2a1b9c0d11").index)
        // Its bus, its three mates on it, the macvlan parent, and sensor's own box there: six, then around again.
        XCTAssertEqual(seen[0], busOfSensor)
        XCTAssertEqual(Set(seen[1...3]), Set(["web-api", "web-frontend", "web-worker"].map { MapID.namespace(TestEnv.namespace($0).id) }))
        XCTAssertEqual(seen[4], MapID.bus(host, TestEnv.linkID("host", "eth0").index))
        XCTAssertEqual(seen[5], MapID.namespace(TestEnv.namespace("sensor").id))
        XCTAssertNotEqual(s.mapView?.selection?.edge, start?.edge, "sensor's other box: its macvlan")
        XCTAssertEqual(seen[6], busOfSensor, "the seventh Tab comes round to the first neighbour")
        s.press([.backTab])
        XCTAssertEqual(s.mapView?.selection?.node, MapID.namespace(TestEnv.namespace("sensor").id))
        assertSelected(s, "eth1 192.168.1.30", "Shift-Tab from the bus came back to sensor's macvlan box")
    }

    func testAFrameBetweenSnapshotsReusesTheGraphAndPicture() {
        var s = opened(on: "redis")
        let cache = s.mapView!.cache
        let ctx = TestEnv.context()
        _ = AppView.render(s, ctx)
        let first = cache.builds
        for _ in 0..<5 { _ = AppView.render(s, ctx) }
        s.press([.left, .right])
        _ = AppView.render(s, ctx)
        XCTAssertEqual(cache.builds.graphs, first.graphs, "frames and keys between snapshots build no graph")
        XCTAssertEqual(cache.builds.pictures, first.pictures, "nor a picture: keys move over the picture on screen")
        s.update(snapshot: TestEnv.snapshot)
        _ = AppView.render(s, ctx)
        XCTAssertEqual(cache.builds.graphs, first.graphs + 1, "a new snapshot (generation) builds the graph again")
        // A different snapshot handed over without update (its namespace list is other storage) is not confused
        // with the cached one.
        var other = TestEnv.snapshot
        other.namespaces.removeLast()
        _ = s.press([.right], snapshot: other)
        XCTAssertEqual(cache.builds.graphs, first.graphs + 2)
        s.press([.char("+")])
        XCTAssertEqual(cache.builds.graphs, first.graphs + 3, "back to the first snapshot: built again, never stale")
    }

    /// The map open on redis with `cache`, drawn once from the fixture at content `version`; and the index of
    /// web-api, whose first link the tests change.
    private func liveMapOpened(_ cache: MapPictureCache, version: UInt64) throws -> (AppState, RenderContext, Int) {
        var s = opened(on: "redis")
        s.mapView!.cache = cache
        let ctx = TestEnv.context()
        s.update(snapshot: TestEnv.snapshot, contentVersion: version)
        _ = AppView.render(s, ctx)
        let web = try XCTUnwrap(TestEnv.snapshot.namespaces.firstIndex { $0.displayName == "web-api" })
        return (s, ctx, web)
    }

    func testASnapshotWhoseOnlyNewsIsItsCountersKeepsTheGraph() throws {
        // The live source's content version: the idle TUI's snapshot every second differs only in counters.
        let cache = MapPictureCache(rebuildSpacing: 0, clock: { 0 })
        var (s, ctx, web) = try liveMapOpened(cache, version: 7)
        let first = cache.builds
        var counted = TestEnv.snapshot
        counted.namespaces[web].links[0].stats.rxBytes += 1_000
        counted.takenAt += 1
        ctx.snapshot = counted
        s.update(snapshot: counted, contentVersion: 7)
        let frame = Golden.text(AppView.render(s, ctx))
        XCTAssertEqual(cache.builds.graphs, first.graphs, "same content version: the graph is kept")
        XCTAssertEqual(cache.builds.pictures, first.pictures, "and, with no rates on it, the picture")
        XCTAssertTrue(frame.contains("web-api"), frame)
        // Anything else changed (a link went down: an event, a read): a new version builds the graph again.
        var changed = counted
        changed.namespaces[web].links[0].operState = "DOWN"
        ctx.snapshot = changed
        s.update(snapshot: changed, contentVersion: 8)
        _ = AppView.render(s, ctx)
        XCTAssertEqual(cache.builds.graphs, first.graphs + 1)
        // A source that gives no version (nil) is keyed on the snapshot itself, as before.
        s.update(snapshot: changed)
        _ = AppView.render(s, ctx)
        XCTAssertEqual(cache.builds.graphs, first.graphs + 2)
    }

    func testALiveSourcesNewContentIsBuiltAtMostOnceASecond() throws {
        // 50 flaps a second publish five snapshots a second: the map builds its graph at most once a second,
        // keeps the one on screen meanwhile, and says when the waiting one is due (the app then draws).
        final class Clock: @unchecked Sendable { var t = 100.0 }
        let clock = Clock()
        let cache = MapPictureCache(rebuildSpacing: 1, clock: { clock.t })
        var (s, ctx, web) = try liveMapOpened(cache, version: 1)
        let first = cache.builds
        var down = TestEnv.snapshot
        down.namespaces[web].links[0].operState = "DOWN"
        ctx.snapshot = down
        clock.t += 0.2
        s.update(snapshot: down, contentVersion: 2)
        _ = AppView.render(s, ctx)
        XCTAssertEqual(cache.builds.graphs, first.graphs, "0.2 s after the last build: the graph on screen stays")
        XCTAssertFalse(cache.isRebuildDue)
        clock.t += 0.5
        XCTAssertFalse(cache.isRebuildDue)
        clock.t += 0.4
        XCTAssertTrue(cache.isRebuildDue, "a second after the last build the waiting content is due")
        _ = AppView.render(s, ctx)
        XCTAssertEqual(cache.builds.graphs, first.graphs + 1)
        XCTAssertFalse(cache.isRebuildDue)
        // New namespaces are never kept waiting.
        var fewer = down
        fewer.namespaces.removeLast()
        ctx.snapshot = fewer
        clock.t += 0.1
        s.update(snapshot: fewer, contentVersion: 3)
        _ = AppView.render(s, ctx)
        XCTAssertEqual(cache.builds.graphs, first.graphs + 2)
    }
}
