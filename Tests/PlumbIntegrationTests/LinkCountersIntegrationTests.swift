import Foundation
import XCTest
import PlumbKernel
import PlumbModel

/// The live model reads the counters of chosen links (one RTM_GETSTATS request each) against the kernel: what it
/// reads agrees with `ip -s -j link show`, links not asked for keep the counters the model had, and a link the
/// kernel no longer has is no error.
final class LinkCountersIntegrationTests: RootTestCase {
    var lab: TestLab!

    override func setUpWithError() throws {
        try requireRoot()
        lab = TestLab()
        addTeardownBlock { [lab] in lab?.cleanup() }
    }

    /// rx/tx bytes and packets of `link` in `ns`, from iproute2.
    func oracle(_ ns: String, _ link: String) throws -> [UInt64] {
        let out = try Shell.run("ip", "-n", ns, "-s", "-j", "link", "show", link)
        let list = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]], out)
        let stats = try XCTUnwrap(list.first?["stats64"] as? [String: Any], out)
        let rx = try XCTUnwrap(stats["rx"] as? [String: Any]), tx = try XCTUnwrap(stats["tx"] as? [String: Any])
        return try [rx["bytes"], rx["packets"], tx["bytes"], tx["packets"]].map { try XCTUnwrap(($0 as? NSNumber)?.uint64Value) }
    }

    func counters(_ l: Link?) -> [UInt64]? {
        l.map { [$0.stats.rxBytes, $0.stats.rxPackets, $0.stats.txBytes, $0.stats.txPackets] }
    }

    func testChosenLinksAgreeWithIproute2AndTheOthersKeepTheirCounters() throws {
        let a = try lab.addNamespace("lca"), b = try lab.addNamespace("lcb")
        let asked = lab.linkName("a0"), other = lab.linkName("b0")
        try lab.ip(a, "link", "add", asked, "type", "veth", "peer", "name", lab.linkName("a1"), "netns", b)
        try lab.ip(a, "link", "add", other, "type", "veth", "peer", "name", lab.linkName("b1"), "netns", b)
        try lab.ip(a, "addr", "add", "10.213.181.1/24", "dev", asked)
        try lab.ip(b, "addr", "add", "10.213.181.2/24", "dev", lab.linkName("a1"))
        try lab.ip(a, "addr", "add", "10.213.182.1/24", "dev", other)
        try lab.ip(b, "addr", "add", "10.213.182.2/24", "dev", lab.linkName("b1"))
        for (ns, l) in [(a, asked), (a, other), (b, lab.linkName("a1")), (b, lab.linkName("b1"))] {
            try lab.ip(ns, "link", "set", l, "up")
        }
        // More links, so that the two asked for are under the share of a namespace's links that is dumped.
        for i in 0..<8 {
            try lab.ip(a, "link", "add", lab.linkName("x\(i)"), "type", "veth", "peer", "name", lab.linkName("y\(i)"), "netns", b)
        }
        var options = SnapshotOptions()
        options.scanFds = false
        let model = LiveModel(options: options)
        let first = model.refresh(read: [], firewall: [], all: true)
        let idA = try TopologyFixture.inode("/run/netns/\(a)")
        let nsA = try XCTUnwrap(first.namespace(id: idA))
        let askedLink = try XCTUnwrap(nsA.link(named: asked)), otherLink = try XCTUnwrap(nsA.link(named: other))
        XCTAssertEqual(nsA.links.count, 11, "lo and ten veths")
        XCTAssertFalse(model.dumps(wanted: 2, of: 11), "two links are asked for one by one")
        XCTAssertTrue(model.dumps(wanted: 11, of: 11))

        // Traffic through both veths; then only the first is read.
        try Shell.run("ip", "netns", "exec", a, "ping", "-c", "20", "-i", "0.01", "-q", "-W", "2", "10.213.181.2")
        try Shell.run("ip", "netns", "exec", a, "ping", "-c", "20", "-i", "0.01", "-q", "-W", "2", "10.213.182.2")
        let snap = try XCTUnwrap(model.refreshCounters(CounterScope(links: [idA: [askedLink.index]])))
        XCTAssertEqual(model.countersRead, CounterScope(links: [idA: [askedLink.index]]), "read link by link")
        XCTAssertTrue(model.countersChanged)
        let read = counters(snap.namespace(id: idA)?.link(named: asked))
        XCTAssertEqual(read, try oracle(a, asked), "the counters read agree with iproute2")
        XCTAssertGreaterThanOrEqual(read?[1] ?? 0, (counters(askedLink)?[1] ?? 0) + 20, "the 20 echo replies came in")

        let kept = counters(snap.namespace(id: idA)?.link(named: other))
        XCTAssertEqual(kept, counters(otherLink), "not asked for: the counters the model had")
        XCTAssertGreaterThanOrEqual(try oracle(a, other)[1], (kept?[1] ?? 0) + 20, "while the kernel's moved on")

        // Read again with nothing moved: unchanged (what the quiet count looks at).
        _ = model.refreshCounters(CounterScope(links: [idA: [askedLink.index]]))
        XCTAssertFalse(model.countersChanged, "nothing moved on the link read")

        // The other link is deleted without the model knowing (no events applied): asking for it is no error.
        try lab.ip(a, "link", "del", other)
        let after = try XCTUnwrap(model.refreshCounters(CounterScope(links: [idA: [askedLink.index, otherLink.index]])))
        XCTAssertEqual(model.countersRead, CounterScope(links: [idA: [askedLink.index]]), "the gone link was not read")
        XCTAssertTrue(model.countersChanged, "a link on screen could not be read")
        XCTAssertEqual(counters(after.namespace(id: idA)?.link(named: asked)), try oracle(a, asked))
        XCTAssertEqual(counters(after.namespace(id: idA)?.link(named: other)), kept)

        // Most of a namespace's links wanted: one dump, and the namespace counts as read in full.
        _ = model.refreshCounters(CounterScope(links: [idA: Set(nsA.links.map(\.index))]))
        XCTAssertEqual(model.countersRead, CounterScope(namespaces: [idA]))
    }
}
