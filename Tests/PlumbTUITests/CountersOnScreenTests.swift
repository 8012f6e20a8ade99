import XCTest
import PlumbMap
import PlumbModel
@testable import PlumbTUI

/// Which links' counters the screen uses (`AppState.countersOnScreen`): the live source reads only these every
/// interval. Checked against the frame itself: the topology rows drawn, the selected link's peer, the Map's
/// edges in view.
final class CountersOnScreenTests: XCTestCase {
    private let small = Size(width: 80, height: 24)

    /// The link names in the topology pane's rows of `buf` (the LINK column, tree glyphs and marker removed).
    private func topologyNames(_ buf: ScreenBuffer, _ state: AppState) throws -> Set<String> {
        let rect = try XCTUnwrap(state.layout.rect(.topology))
        var names = Set<String>()
        for y in (rect.y + 2)..<(rect.y + rect.height - 1) {
            let row = Array(buf.row(y))
            let inside = String(row[(rect.x + 1)..<(rect.x + rect.width - 1)])
            let word = inside.drop { " ▸│├└─".contains($0) }.prefix { $0 != " " }
            if !word.isEmpty { names.insert(String(word)) }
        }
        return names
    }

    private func hostNames(_ ids: Set<Int>) -> Set<String> {
        let host = TestEnv.namespace("host")
        return Set(ids.compactMap { i in host.link(index: i)?.name })
    }

    func testThePaneRowsDrawnAndTheSelectedLinksPeer() throws {
        var s = TestEnv.state(small)
        let host = TestEnv.namespace("host")
        var counters = s.countersOnScreen(TestEnv.snapshot)
        var drawn = try topologyNames(AppView.render(s, TestEnv.context()), s)
        XCTAssertEqual(drawn.count, s.layout.visibleRows(.topology), "the pane is full: \(drawn)")
        XCTAssertLessThan(drawn.count, host.links.count, "the host has more links than the pane shows")
        XCTAssertEqual(Set(counters.keys), [host.id], "docker0 is selected: no peer")
        XCTAssertEqual(hostNames(counters[host.id] ?? []), drawn)

        // Down the tree past the pane's end: the rows drawn move, and the selected veth's peer comes in.
        s.press([.tab])
        XCTAssertEqual(s.focus, .topology)
        s.press(Array(repeating: .char("j"), count: 9))
        let sel = try XCTUnwrap(s.selectedLink)
        let peer = try XCTUnwrap(host.link(index: sel.index)?.peer)
        let peerNS = try XCTUnwrap(peer.namespace)
        counters = s.countersOnScreen(TestEnv.snapshot)
        drawn = try topologyNames(AppView.render(s, TestEnv.context()), s)
        XCTAssertEqual(hostNames(counters[host.id] ?? []), drawn)
        XCTAssertTrue(drawn.contains(try XCTUnwrap(host.link(index: sel.index)?.name)))
        XCTAssertFalse(drawn.contains("docker0"), "scrolled past the first row")
        XCTAssertEqual(counters[peerNS], [peer.index], "the Link tab shows the peer beside it")
        XCTAssertEqual(Set(counters.keys), [host.id, peerNS])
    }

    func testAnotherTabKeepsTheSelectedLinkAndItsPeer() throws {
        var s = TestEnv.state(small)
        s.selectNamespace(TestEnv.namespace("redis").id)
        s.press([.char("]")])  // the next details tab
        XCTAssertNotEqual(s.detailTab, .link)
        let sel = try XCTUnwrap(s.selectedLink)
        let counters = s.countersOnScreen(TestEnv.snapshot)
        XCTAssertTrue(counters[sel.namespace]?.contains(sel.index) == true)
        let peer = try XCTUnwrap(TestEnv.snapshot.namespace(id: sel.namespace)?.link(index: sel.index)?.peer)
        XCTAssertEqual(counters[try XCTUnwrap(peer.namespace)], [peer.index])
    }

    func testTheMapReadsTheEdgesInView() throws {
        let big = TestEnv.mapOpened(on: "host", size: Size(width: 250, height: 70))
        let (map, picture) = MapScreen.picture(big, TestEnv.snapshot)
        XCTAssertLessThanOrEqual(picture.height, 68, "the whole map fits the big view")
        let all = Set(map.edges.compactMap { e in e.namespace.flatMap { ns in e.ifindex.map { LinkID(namespace: ns, index: $0) } } })
        var bigIDs = Set<LinkID>()
        for (ns, ids) in big.countersOnScreen(TestEnv.snapshot) { for i in ids { bigIDs.insert(LinkID(namespace: ns, index: i)) } }
        XCTAssertTrue(all.isSubset(of: bigIDs), "every edge with a link is in view: \(all.subtracting(bigIDs))")

        // A small view shows part of the map: only the edges whose places are in it (and the selected link).
        var s = TestEnv.mapOpened(on: "host", size: small)
        let inView = Set(s.mapEdgesInView(TestEnv.snapshot))
        XCTAssertFalse(inView.isEmpty)
        XCTAssertLessThan(inView.count, all.count)
        s.press(Array(repeating: .char("j"), count: 12))
        XCTAssertGreaterThan(s.mapView?.scrollY ?? 0, 0, "the view scrolled")
        let later = Set(s.mapEdgesInView(TestEnv.snapshot))
        XCTAssertNotEqual(later, inView, "scrolling brings other edges into view")
        let v = try XCTUnwrap(s.mapView)
        let (_, p) = MapScreen.picture(s, TestEnv.snapshot)
        let edgeLinks = Dictionary(map.edges.compactMap { e in
            e.namespace.flatMap { ns in e.ifindex.map { (e.id, LinkID(namespace: ns, index: $0)) } } }, uniquingKeysWith: { a, _ in a })
        let inner = MapScreen.bodyRect(s).inset(by: 1)
        for r in p.regions {
            guard let e = r.edge, let id = edgeLinks[e] else { continue }
            let visible = r.y + r.height > v.scrollY && r.y < v.scrollY + inner.height
                && r.x + r.width > v.scrollX && r.x < v.scrollX + inner.width
            if visible { XCTAssertTrue(later.contains(id), "\(e) is in view") }
        }
        for id in later {
            let places = p.regions.filter { $0.edge.flatMap { edgeLinks[$0] } == id }
            XCTAssertTrue(places.contains { r in r.y + r.height > v.scrollY && r.y < v.scrollY + inner.height },
                          "\(id) has a place in view")
        }
    }
}
