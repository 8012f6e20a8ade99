import XCTest
import PlumbModel
@testable import PlumbTUI

/// The topology's column widths are counted without building the row texts: the counts must equal the widths
/// of the texts drawn, for every row of every namespace of the lab fixture (bridges, veths into named
/// namespaces, macvlan and vxlan, children living in other namespaces), with both glyph sets.
final class TopologyRowWidthsTests: XCTestCase {
    func testCountedWidthsEqualTheDrawnTexts() throws {
        let snap = TestEnv.snapshot
        let index = SnapshotIndex(snap)
        var rowsChecked = 0, withLeads = 0
        for g in [Glyphs.unicode, Glyphs.ascii] {
            let w = TopologyRowWidths(glyphs: g)
            for ns in snap.namespaces {
                for r in TopologyRows.build(ns, index: index, filter: "") {
                    let link = try XCTUnwrap(index.link(r))
                    XCTAssertEqual(link.index, r.id.index)
                    XCTAssertEqual(link.name, r.name)
                    let name = r.treePrefix(g) + (r.isForeign ? "\(r.name)@\(index.name(of: r.id.namespace))" : r.name)
                    let lead = TopologyView.leadsTo(link, id: r.id, index: index, here: ns.id, glyphs: g)
                    XCTAssertEqual(w.name(r, index: index), name.displayWidth, name)
                    XCTAssertEqual(w.lead(link, id: r.id, index: index, here: ns.id), lead.displayWidth, lead)
                    XCTAssertEqual(w.addresses(link), link.addresses.map(\.description).joined(separator: " ").displayWidth)
                    rowsChecked += 1
                    if !lead.isEmpty { withLeads += 1 }
                }
            }
        }
        XCTAssertGreaterThan(rowsChecked, 20)
        XCTAssertGreaterThan(withLeads, 10)
    }

    func testUnresolvedPeersAndNonForwardingPortsCountToo() {
        var ns = Namespace(id: 7, isHost: true)
        var a = Link(index: 3, name: "vethx", kind: "veth")
        a.peer = RemoteLinkRef(namespace: nil, index: 9)
        a.bridgePort = BridgePortInfo(state: "blocking", hairpin: false)
        var b = Link(index: 4, name: "vethy", kind: "veth")
        b.peer = RemoteLinkRef(namespace: 999, index: 2)
        ns.links = [a, b]
        let snap = Snapshot(takenAt: 0, namespaces: [ns], processes: [], discovery: DiscoveryStats(), notes: [])
        let index = SnapshotIndex(snap)
        let w = TopologyRowWidths(glyphs: .unicode)
        for l in ns.links {
            let id = LinkID(namespace: 7, index: l.index)
            XCTAssertEqual(w.lead(l, id: id, index: index, here: 7),
                           TopologyView.leadsTo(l, id: id, index: index, here: 7, glyphs: .unicode).displayWidth)
        }
    }
}
