import XCTest
import PlumbModel
@testable import PlumbTUI

/// Links going down and up (flags, states, addresses, bridge port states, routes) change the content but not its
/// shape (`PaneContentMatch.Match.sameShape`): what `PaneCache` keeps at `.shape` (lookups, the namespace list,
/// the unfiltered tree, the widths, the namespace pane) stays, the topology widths measure again only what
/// changed, and the frame still shows the new states exactly as a state that keeps nothing. A change of shape
/// (a link added, removed, enslaved or renamed) or a filter makes them again.
final class PaneCacheShapeTests: XCTestCase {
    private let size = Size(width: 200, height: 60)
    private let shapeSlots: [PaneCache.Slot] = [.lookups, .namespaceList, .topology, .namespaceWidths, .statusCounts,
                                                .namespacePane]

    /// The host's topology focused, drawn once at content version 5.
    private func opened(filter: String = "") -> (AppState, RenderContext) {
        var s = TestEnv.state(size)
        s.selectNamespace(TestEnv.namespace("host").id)
        s.focus = .topology
        if !filter.isEmpty {
            s.press([.char("/")])
            s.type(filter)
            s.press([.enter])
        }
        s.update(snapshot: TestEnv.snapshot, contentVersion: 5)
        let ctx = TestEnv.context()
        _ = AppView.render(s, ctx)
        return (s, ctx)
    }

    private func host(_ snap: Snapshot) -> Int { snap.namespaces.firstIndex { $0.isHost }! }
    private func link(_ snap: Snapshot, _ ns: Int, _ name: String) -> Int {
        snap.namespaces[ns].links.firstIndex { $0.name == name }!
    }

    /// What 50 flaps a second do: postgres' host veth went down (its port disabled, its container's eth0 lost
    /// its carrier and a route), web-worker's came up, grafana's gained long IPv6 addresses (the widest of the
    /// address column now).
    private func flapped(_ snap: Snapshot) -> Snapshot {
        var snap = snap
        let h = host(snap)
        let pg = link(snap, h, "veth8d02b4e")
        snap.namespaces[h].links[pg].flags = ["broadcast", "multicast"]
        snap.namespaces[h].links[pg].operState = "down"
        snap.namespaces[h].links[pg].bridgePort?.state = "disabled"
        let ww = link(snap, h, "veth9f1e6b2")
        snap.namespaces[h].links[ww].flags = ["up", "broadcast", "multicast", "running", "lower_up"]
        snap.namespaces[h].links[ww].operState = "up"
        snap.namespaces[h].links[ww].bridgePort?.state = "forwarding"
        let gf = link(snap, h, "veth1b7e0c3")
        snap.namespaces[h].links[gf].addresses = [IPPrefix("fe80::ec00:ff:fe00:a/64")!,
                                                  IPPrefix("fd13::1234:5678:9abc:def0/64")!]
        snap.namespaces[h].routes.removeLast()
        let postgres = snap.namespaces.firstIndex { $0.displayName == "postgres" }!
        let eth0 = link(snap, postgres, "eth0")
        snap.namespaces[postgres].links[eth0].flags.removeAll { $0 == "lower_up" || $0 == "running" }
        snap.namespaces[postgres].links[eth0].operState = "lowerlayerdown"
        snap.namespaces[postgres].routes.removeLast()
        return snap
    }

    func testAFlapKeepsTheShapeAndDrawsTheNewStates() throws {
        var (s, ctx) = opened()
        let before = AppView.render(s, ctx)
        let kept = s.paneBuilds
        XCTAssertTrue(before.rowContaining("veth9f1e6b2")?.text.contains("port disabled") ?? false, Golden.text(before))
        XCTAssertNil(before.rowContaining("fd13::1234"))

        ctx.previous = ctx.snapshot
        ctx.snapshot = flapped(ctx.snapshot)
        let prepared = s.update(snapshot: ctx.snapshot, contentVersion: 6)
        let frame = AppView.render(s, ctx, prepared: prepared)
        XCTAssertEqual(s.paneCache.sameShapeVersions, 1)
        XCTAssertEqual(s.paneCache.matchedVersions, 0)
        for slot in shapeSlots {
            XCTAssertEqual(s.paneCache.builds(slot), kept[slot.rawValue], "the same shape: \(slot) kept")
        }
        XCTAssertEqual(s.paneCache.builds(.topologyWidths), kept[PaneCache.Slot.topologyWidths.rawValue])
        XCTAssertEqual(s.paneCache.refreshes(.topologyWidths), 1, "the widths of the changed rows measured again")
        XCTAssertEqual(s.paneCache.builds(.topologyPane), kept[PaneCache.Slot.topologyPane.rawValue] + 1,
                       "the states on screen changed: the tree is drawn again")

        XCTAssertEqual(Golden.text(frame), Golden.text(s.renderedUncached(ctx)))
        XCTAssertEqual(frame, s.renderedUncached(ctx))
        let pg = try XCTUnwrap(frame.rowContaining("veth8d02b4e")).text
        XCTAssertTrue(pg.contains("down") && pg.contains("port disabled"), pg)
        let ww = try XCTUnwrap(frame.rowContaining("veth9f1e6b2")).text
        XCTAssertFalse(ww.contains("port disabled"), ww)
        XCTAssertTrue(ww.contains(" up "), ww)
        let gf = try XCTUnwrap(frame.rowContaining("veth1b7e0c3")).text
        XCTAssertTrue(gf.contains("fe80::ec00:ff:fe00:a/64 fd13::1234:5678:9abc:def0/64"), gf)

        // Back again (another content, the same shape): drawn from the same kept values, as an uncached state.
        ctx.previous = ctx.snapshot
        ctx.snapshot = TestEnv.snapshot
        s.update(snapshot: ctx.snapshot, contentVersion: 7)
        let back = AppView.render(s, ctx)
        XCTAssertEqual(back, s.renderedUncached(ctx))
        XCTAssertEqual(Golden.text(back), Golden.text(before))
        XCTAssertEqual(s.paneCache.refreshes(.topologyWidths), 2)
        for slot in shapeSlots { XCTAssertEqual(s.paneCache.builds(slot), kept[slot.rawValue]) }
    }

    func testAChangeOfShapeMakesEverythingAgain() {
        let changes: [(String, (inout Snapshot) -> Void)] = [
            ("a link added", { snap in
                let h = snap.namespaces.firstIndex { $0.isHost }!
                snap.namespaces[h].links.append(Link(index: 99, name: "ptnew0", kind: "veth", operState: "down"))
            }),
            ("a link removed", { snap in
                let h = snap.namespaces.firstIndex { $0.isHost }!
                snap.namespaces[h].links.removeAll { $0.name == "veth8d02b4e" }
            }),
            ("a link enslaved elsewhere", { snap in
                let h = snap.namespaces.firstIndex { $0.isHost }!
                let i = snap.namespaces[h].links.firstIndex { $0.name == "veth8d02b4e" }!
                snap.namespaces[h].links[i].master = LinkRef(index: 5)
            }),
            ("a link renamed", { snap in
                let h = snap.namespaces.firstIndex { $0.isHost }!
                let i = snap.namespaces[h].links.firstIndex { $0.name == "docker0" }!
                snap.namespaces[h].links[i].name = "renamed0"
            }),
        ]
        for (what, change) in changes {
            var (s, ctx) = opened()
            let kept = s.paneBuilds
            change(&ctx.snapshot)
            s.update(snapshot: ctx.snapshot, contentVersion: 6)
            let frame = AppView.render(s, ctx)
            XCTAssertEqual(s.paneCache.sameShapeVersions, 0, what)
            XCTAssertEqual(frame, s.renderedUncached(ctx), what)
            for slot in shapeSlots + [.topologyWidths, .topologyPane] {
                XCTAssertEqual(s.paneCache.builds(slot), kept[slot.rawValue] + 1, "\(what): \(slot) made again")
            }
        }
    }

    /// A filter can match addresses: the filtered tree and list follow a flap that removed the matching address.
    func testAFilteredTreeFollowsAFlap() throws {
        var (s, ctx) = opened(filter: "192.168.1")
        let before = AppView.render(s, ctx)
        XCTAssertNotNil(before.rowContaining("mvhost"), Golden.text(before))
        let kept = s.paneBuilds
        let h = host(ctx.snapshot)
        let mv = link(ctx.snapshot, h, "mvhost")
        ctx.snapshot.namespaces[h].links[mv].addresses = []
        ctx.snapshot.namespaces[h].links[mv].operState = "down"
        s.update(snapshot: ctx.snapshot, contentVersion: 6)
        let frame = AppView.render(s, ctx)
        XCTAssertEqual(s.paneCache.sameShapeVersions, 1)
        XCTAssertEqual(frame, s.renderedUncached(ctx))
        XCTAssertNil(frame.rowContaining("mvhost"), Golden.text(frame))
        for slot in [PaneCache.Slot.namespaceList, .topology, .topologyWidths, .namespaceWidths, .namespacePane] {
            XCTAssertEqual(s.paneCache.builds(slot), kept[slot.rawValue] + 1, "filtered: \(slot) made again")
        }
        // The filter cleared: the unfiltered values are made for this shape, then kept through the next flap.
        s.press([.char("/"), .escape], snapshot: ctx.snapshot)
        XCTAssertEqual(s.filter, "")
        XCTAssertEqual(AppView.render(s, ctx), s.renderedUncached(ctx))
        let unfiltered = s.paneBuilds
        ctx.snapshot = flapped(ctx.snapshot)
        s.update(snapshot: ctx.snapshot, contentVersion: 7)
        XCTAssertEqual(AppView.render(s, ctx), s.renderedUncached(ctx))
        for slot in shapeSlots { XCTAssertEqual(s.paneCache.builds(slot), unfiltered[slot.rawValue], "\(slot)") }
    }

    func testMatchLevels() {
        let a = TestEnv.snapshot
        XCTAssertEqual(PaneContentMatch.match(a, a), .same)
        XCTAssertEqual(PaneContentMatch.match(a, flapped(a)), .sameShape)
        var counters = a
        counters.namespaces[host(a)].links[0].stats.rxBytes += 1
        XCTAssertEqual(PaneContentMatch.match(a, counters), .same)
        var routes = a
        routes.namespaces[1].routes = []
        XCTAssertEqual(PaneContentMatch.match(a, routes), .sameShape)
        var mtu = a
        mtu.namespaces[host(a)].links[1].mtu = 9000
        XCTAssertEqual(PaneContentMatch.match(a, mtu), .sameShape)
        var kind = a
        kind.namespaces[host(a)].links[1].kind = "bridge"
        XCTAssertEqual(PaneContentMatch.match(a, kind), .different)
        var peer = a
        peer.namespaces[host(a)].links[link(a, host(a), "veth8d02b4e")].peer = nil
        XCTAssertEqual(PaneContentMatch.match(a, peer), .different)
        var sockets = flapped(a)
        sockets.namespaces[host(a)].sockets = []
        XCTAssertEqual(PaneContentMatch.match(a, sockets), .different, "a flap and a shape change: different")
        var gone = a
        gone.namespaces.removeLast()
        XCTAssertEqual(PaneContentMatch.match(a, gone), .different)
    }

    /// Every field of `Link` is compared by `Link.likeness(to:)` as shape or state (or is a counter):
    /// a field added to `Link` fails here until the comparison knows it.
    func testTheLinkComparisonKnowsEveryField() {
        let fields = Mirror(reflecting: Link(index: 1, name: "x", kind: "veth")).children.compactMap(\.label)
        let known = Link.shapeFields + Link.stateFields + Link.counterFields
        XCTAssertEqual(Set(fields), Set(known))
        XCTAssertEqual(fields.count, known.count)
        let a = Link(index: 1, name: "x", kind: "veth")
        func changed(_ f: (inout Link) -> Void) -> Link { var l = a; f(&l); return l }
        XCTAssertEqual(a.likeness(to: changed { $0.stats.rxBytes = 9 }), .same)
        for l in [changed { $0.flags = ["up"] }, changed { $0.operState = "up" }, changed { $0.mtu = 9000 },
                  changed { $0.addresses = [IPPrefix("fd13::1/64")!] },
                  changed { $0.bridgePort = BridgePortInfo(state: "disabled") }] {
            XCTAssertEqual(a.likeness(to: l), .sameShape, "\(l)")
        }
        for l in [changed { $0.index = 2 }, changed { $0.name = "y" }, changed { $0.kind = "bridge" },
                  changed { $0.mac = "ee:00:00:00:00:01" }, changed { $0.master = LinkRef(index: 3) },
                  changed { $0.peer = RemoteLinkRef(namespace: 1, index: 2) },
                  changed { $0.parent = RemoteLinkRef(namespace: 1, index: 2) },
                  changed { $0.vxlan = VxlanInfo(vni: 1) }, changed { $0.macvlanMode = "bridge" }] {
            XCTAssertEqual(a.likeness(to: l), .different, "\(l)")
        }
    }
}
