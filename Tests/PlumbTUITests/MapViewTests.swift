import XCTest
import PlumbMap
import PlumbModel
@testable import PlumbTUI

/// The Map view (`m`): golden frames of the lab host at 80×24, 160×45 and 250×70, and its keys — moving
/// along the buses, Enter into the details, `/` find, `+` unfold, `c`/`s` on the node, Esc back.
final class MapViewTests: XCTestCase {
    static let sizes = [Size(width: 80, height: 24), Size(width: 160, height: 45), Size(width: 250, height: 70)]

    func opened(_ size: Size) -> AppState {
        var s = TestEnv.state(size)
        s.press([.char("m")])
        return s
    }

    func testGoldenFrames() {
        for size in Self.sizes {
            Golden.check(AppView.render(opened(size), TestEnv.context()), "map-\(size.width)x\(size.height)")
        }
        Golden.check(AppView.render(opened(Size(width: 80, height: 24)), TestEnv.context(theme: .monochrome, glyphs: .ascii)),
                     "map-ascii-80x24")
    }

    func testEdgesAreColouredByLinkStateAndCarryRates() {
        let buf = AppView.render(opened(Size(width: 160, height: 45)), TestEnv.context())
        // batch's veth is down (its container end), web-worker's host end is down.
        XCTAssertEqual(buf.style(of: "down · docker"), TestEnv.context().theme.linkDown, buf.lines().joined(separator: "\n"))
        XCTAssertNotNil(buf.find("↓"), "live rx/tx rates in the boxes")
    }

    func testOpeningStartsOnTheSelectedNamespaceAndEscCloses() {
        var s = TestEnv.state(Size(width: 160, height: 45))
        let redis = TestEnv.namespace("redis")
        s.selectNamespace(redis.id)
        s.press([.char("m")])
        XCTAssertEqual(s.mapView?.selection?.node, MapID.namespace(redis.id))
        s.press([.escape])
        XCTAssertNil(s.mapView)
        s.press([.char(":")]); s.type("map"); s.press([.enter])
        XCTAssertNotNil(s.mapView, ":map opens it too")
    }

    func testArrowsMoveAlongTheBusAndBetweenBuses() {
        var s = TestEnv.state(Size(width: 160, height: 45))
        s.selectNamespace(TestEnv.namespace("grafana").id)
        s.press([.char("m")])
        s.press([.right])
        XCTAssertEqual(s.mapView?.selection?.node, MapID.namespace(TestEnv.namespace("postgres").id), "the next box on docker0")
        s.press([.char("h")])
        XCTAssertEqual(s.mapView?.selection?.node, MapID.namespace(TestEnv.namespace("grafana").id))
        let before = s.mapView?.selection
        s.press([.up])
        XCTAssertNotEqual(s.mapView?.selection, before)
        s.press([.char("j")])
        XCTAssertEqual(s.mapView?.selection?.node, before?.node)
    }

    func testEnterOpensTheNodesDetailsOnItsLink() {
        var s = TestEnv.state(Size(width: 160, height: 45))
        s.selectNamespace(TestEnv.namespace("redis").id)
        s.press([.char("m"), .enter])
        XCTAssertNil(s.mapView)
        XCTAssertEqual(s.focus, .details)
        XCTAssertEqual(s.selectedNamespace, TestEnv.namespace("redis").id)
        XCTAssertEqual(s.selectedLink, TestEnv.linkID("redis", "eth0"))
    }

    func testFindSelectsByNameOrAddressAndPans() {
        var s = opened(Size(width: 80, height: 24))
        s.press([.char("/")]); s.type("10.88.0.3"); s.press([.enter])
        XCTAssertEqual(s.mapView?.selection?.node, MapID.namespace(TestEnv.namespace("pod-cache").id))
        XCTAssertEqual(s.mapView?.scrollY, 0, "cni-podman0 is on the first screen")
        s.press([.char("/")]); s.type("192.168.1.30"); s.press([.enter])
        XCTAssertEqual(s.mapView?.selection?.node, MapID.namespace(TestEnv.namespace("sensor").id))
        XCTAssertEqual(s.mapView?.selection?.edge?.hasSuffix(":eth1"), true, "its macvlan box, under eth0")
        XCTAssertGreaterThan(s.mapView?.scrollY ?? 0, 0, "the macvlan parent is below the first screen: the view pans")
        s.press([.char("/")]); s.type("no-such-thing"); s.press([.enter])
        XCTAssertEqual(s.message?.level, .error)
    }

    func testCaptureAndShellActOnTheNodeUnderTheCursor() {
        var s = TestEnv.state(Size(width: 160, height: 45))
        s.selectNamespace(TestEnv.namespace("redis").id)
        s.press([.char("m")])
        let effects = s.press([.char("s")])
        XCTAssertEqual(effects, [.shell(namespace: TestEnv.namespace("redis").id)])
        XCTAssertNil(s.mapView)
    }

    func testPlusUnfoldsAFoldedBus() {
        var snap = TestEnv.snapshot
        // 40 more containers on docker0: the bus folds into columns.
        let host = snap.namespaces[0]
        for i in 0..<40 {
            let id = UInt64(5_000_000 + i)
            snap.namespaces[0].links.append(Link(index: 500 + i, name: "vx\(i)", kind: "veth", flags: ["up", "lower_up"], operState: "up",
                                                 master: LinkRef(index: 3), peer: RemoteLinkRef(namespace: id, index: 2)))
            snap.namespaces.append(Namespace(id: id, names: ["extra\(i)"], pids: [Int32(9000 + i)],
                                             links: [Link(index: 2, name: "eth0", kind: "veth", flags: ["up", "lower_up"], operState: "up",
                                                          peer: RemoteLinkRef(namespace: host.id, index: 500 + i))]))
        }
        var s = AppState(size: Size(width: 120, height: 40))
        s.update(snapshot: snap)
        s.press([.char("m")], snapshot: snap)
        let bus = MapID.bus(host.id, 3)
        s.mapView?.selection = .init(node: bus, edge: nil, foldOf: nil)
        s.press([.char("+")], snapshot: snap)
        XCTAssertEqual(s.mapView?.expanded, [bus])
        s.press([.char("+")], snapshot: snap)
        XCTAssertEqual(s.mapView?.expanded, [])
    }

    /// With the map open a frame (a key, the map rebuilt from the snapshot, laid out and drawn) stays under
    /// 16 ms of CPU in a debug build, like the panes' frames (FrameTimeTests).
    func testMapFrameTime() {
        let ctx = TestEnv.context()
        var s = opened(Size(width: 200, height: 60))
        let times = (0..<30).map { i -> Double in
            let t0 = threadCPUMilliseconds()
            s.press([i % 6 < 3 ? .right : .left])
            _ = AppView.render(s, ctx)
            return threadCPUMilliseconds() - t0
        }
        let median = times.sorted()[times.count / 2]
        print(String(format: "map 200x60 key+render: median %.2f ms", median))
        XCTAssertLessThan(median, 16)
    }
}
