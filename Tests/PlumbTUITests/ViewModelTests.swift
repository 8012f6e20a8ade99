import XCTest
import PlumbModel
@testable import PlumbTUI

final class ViewModelTests: XCTestCase {
    let snap = TestEnv.snapshot
    var index: SnapshotIndex { SnapshotIndex(snap) }

    func testHostTopologyTree() {
        let rows = TopologyRows.build(TestEnv.namespace("host"), index: index, filter: "")
        let text = rows.map { $0.treePrefix(.unicode) + ($0.isForeign ? "\($0.name)@\(index.name(of: $0.id.namespace))" : $0.name) }
        XCTAssertEqual(Array(text.prefix(5)), ["docker0", "├─veth3c1f2a9", "├─veth8d02b4e", "├─veth1b7e0c3", "└─veth5a9d7f1"])
        XCTAssertEqual(Array(text.suffix(5)), ["eth0", "├─mvhost", "├─vxlan100", "└─eth1@sensor", "lo"],
                       "children of eth0, including the container's macvlan, then standalone links")
        XCTAssertEqual(rows.count, TestEnv.namespace("host").links.count + 1, "every link once, plus the foreign child")
    }

    func testFilteredTreeKeepsAncestorsAsContext() {
        let rows = TopologyRows.build(TestEnv.namespace("host"), index: index, filter: "pod-cache")
        XCTAssertEqual(rows.map(\.name), ["cni-podman0", "vetha1d5f83"])
        XCTAssertEqual(rows.map(\.isContext), [true, false])
        XCTAssertEqual(rows[1].treePrefix(.unicode), "└─", "the only shown child is drawn as the last")
    }

    func testContainerTopologyWhenTheNamespaceItselfMatches() {
        let rows = TopologyRows.build(TestEnv.namespace("sensor"), index: index, filter: "sensor")
        XCTAssertEqual(rows.map(\.name), ["lo", "eth0", "eth1"], "no bridge or local parent: ifindex order")
        XCTAssertTrue(rows.allSatisfy { !$0.isContext && $0.depth == 0 })
    }

    func testFirewallRowsDeltasOwnersAndJumps() {
        let host = TestEnv.namespace("host")
        let rows = FirewallRows.build(host.firewall, previous: TestEnv.previous.namespace(id: host.id)!.firewall)
        let dockerUser = rows.first { $0.kind == .rule && $0.text == "-j DOCKER-USER" }!
        XCTAssertEqual(dockerUser.deltaPackets, 120)
        XCTAssertTrue(dockerUser.moved)
        XCTAssertEqual(dockerUser.jumpTarget, "DOCKER-USER")
        let quiet = rows.first { $0.kind == .rule && $0.text == "-i docker0 -o docker0 -j ACCEPT" }!
        XCTAssertEqual(quiet.deltaPackets, 0)
        XCTAssertFalse(quiet.moved)
        let owners = Dictionary(rows.filter { $0.kind == .chain }.map { ($0.text, $0.owner) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(owners["DOCKER-ISOLATION-STAGE-1"], .docker)
        XCTAssertEqual(owners["CNI-FORWARD"], .cni)
        XCTAssertEqual(owners["NETAVARK_FORWARD"], .podman)
        XCTAssertEqual(owners["PLUMB-COUNT"], .plumb)
        XCTAssertEqual(owners["KUBE-FORWARD"], .kubernetes)
        XCTAssertEqual(owners["FORWARD"], .some(nil))
        XCTAssertNil(rows.first { $0.text == "-j ACCEPT" }?.jumpTarget, "verdicts are not chains")
    }

    func testFirewallRowsWithoutPreviousHaveNoDelta() {
        let rows = FirewallRows.build(TestEnv.namespace("host").firewall, previous: nil)
        XCTAssertTrue(rows.allSatisfy { $0.deltaPackets == nil && !$0.moved })
        XCTAssertEqual(rows.filter { $0.kind == .table }.map(\.text), ["iptables ipv4 filter", "iptables ipv4 nat"])
    }

    func testFirewallMatchesRulesByTextWhenShifted() {
        var before = TestEnv.namespace("host").firewall
        var now = before
        now.tables[0].chains[1].rules.insert(FirewallRule(rule: "-j NEW", packets: 1), at: 0)
        before.tables[0].chains[1].rules[0].packets -= 5
        let rows = FirewallRows.build(now, previous: before)
        XCTAssertEqual(rows.first { $0.text == "-j DOCKER-USER" }?.deltaPackets, 5)
        XCTAssertNil(rows.first { $0.text == "-j NEW" }?.deltaPackets)
    }

    func testChainRowLookup() {
        let rows = FirewallRows.build(TestEnv.namespace("host").firewall, previous: nil)
        XCTAssertEqual(rows[FirewallRows.chainRow(named: "DOCKER", in: rows)!].text, "DOCKER")
        XCTAssertEqual(rows[FirewallRows.chainRow(named: "docker-iso", in: rows)!].text, "DOCKER-ISOLATION-STAGE-1")
        XCTAssertNil(FirewallRows.chainRow(named: "nope", in: rows))
    }

    func testRateHistory() {
        let h = TestEnv.rates
        let n = TestEnv.step
        let id = TestEnv.linkID("host", "veth3c1f2a9")
        XCTAssertEqual(h.samples[id]?.count, n + 1)
        let r = h.rates(id)!
        XCTAssertEqual(r.rxBytes, Double(LabFixture.rate(10, n)))
        XCTAssertEqual(r.rxPackets, Double(LabFixture.stats(10, step: n).rxPackets - LabFixture.stats(10, step: n - 1).rxPackets) / 2)
        XCTAssertEqual(h.series(id, \.rxBytes), (1...n).map { Double(LabFixture.rate(10, $0)) })
        XCTAssertEqual(h.growth(id), CounterGrowth(rxDropped: 5))
        XCTAssertEqual(h.growth(TestEnv.linkID("host", "veth8d02b4e")), CounterGrowth(), "old errors did not grow")
        XCTAssertNil(RateHistory().rates(id), "one sample is not a rate")
    }

    func testRateHistoryCapacityAndVanishedLinks() {
        var h = RateHistory(capacity: 60)
        for s in 0..<70 { h.record(LabFixture.snapshot(step: s)) }
        XCTAssertEqual(h.samples.values.map(\.count).max(), 60)
        var snap = LabFixture.snapshot(step: 70)
        snap.namespaces.removeLast()
        h.record(snap)
        XCTAssertNil(h.samples[LinkID(namespace: LabFixture.fdLeakID, index: 1)])
        h.record(snap)
        XCTAssertEqual(h.samples[TestEnv.linkID("host", "eth0")]?.count, 60, "the same snapshot twice adds nothing")
    }

    func testCounterResetCountsFromZero() {
        var a = LinkStats(); a.rxDropped = 100
        var b = LinkStats(); b.rxDropped = 3
        XCTAssertEqual(RateHistory.growth(from: a, to: b).rxDropped, 3)
    }

    func testSparkline() {
        XCTAssertEqual(Sparkline.render([0, 1, 2, 4, 8], width: 10, glyphs: .unicode), "▁▂▃▅█")
        XCTAssertEqual(Sparkline.render([0, 0, 0], width: 10, glyphs: .unicode), "▁▁▁")
        XCTAssertEqual(Sparkline.render([1, 2, 3, 4, 5, 6, 7, 8], width: 3, glyphs: .unicode), "▆▇█", "newest values win")
        XCTAssertEqual(Sparkline.render([0, 8], width: 5, glyphs: .ascii), "_#")
        XCTAssertEqual(Sparkline.render([], width: 5, glyphs: .unicode), "")
    }

    func testFormat() {
        XCTAssertEqual(Format.count(0), "0")
        XCTAssertEqual(Format.count(9999), "9999")
        XCTAssertEqual(Format.count(12_345), "12k")
        XCTAssertEqual(Format.count(1_234_567), "1.2M")
        XCTAssertEqual(Format.bytes(999), "999 B")
        XCTAssertEqual(Format.bytes(1_500), "1.5 kB")
        XCTAssertEqual(Format.bytes(999_999), "1.0 MB")
        XCTAssertEqual(Format.bytes(12_000_000_000), "12 GB")
        XCTAssertEqual(Format.byteRate(0), "0 B/s")
        XCTAssertEqual(Format.byteRate(2_500), "2.5 kB/s")
        XCTAssertEqual(Format.packetRate(2.5), "2.5 p/s")
        XCTAssertEqual(Format.delta(0), "0")
        XCTAssertEqual(Format.delta(12), "+12")
        XCTAssertEqual(Format.seconds(2), "2s")
        XCTAssertEqual(Format.seconds(0.5), "0.5s")
    }

    func testLinkState() {
        func link(_ flags: [String], _ oper: String = "up") -> Link { Link(index: 1, name: "x", kind: "veth", flags: flags, operState: oper) }
        XCTAssertEqual(LinkState(link(["up", "lower_up"])), .up)
        XCTAssertEqual(LinkState(link(["broadcast"], "down")), .down)
        XCTAssertEqual(LinkState(link(["up"], "lowerlayerdown")), .noCarrier)
        XCTAssertEqual(LinkState(link(["up", "lower_up"], "unknown")), .up)
        XCTAssertEqual(LinkState(link(["up", "lower_up"], "dormant")), .other("dormant"))
        XCTAssertEqual(LinkState.down.style(.color).fg, .red)
        XCTAssertEqual(LinkState.up.style(.color).fg, .green)
        XCTAssertEqual(LinkState.noCarrier.style(.color).fg, .yellow)
    }

    func testTableLayoutShrinksThenDrops() {
        let specs = [ColumnSpec("NAME", natural: 20, minimum: 8, flexible: true),
                     ColumnSpec("A", natural: 5, drop: 1), ColumnSpec("B", natural: 5, drop: 2)]
        XCTAssertEqual(TableLayout.fit(specs, x: 0, width: 40).map { $0?.width }, [20, 5, 11], "last column takes the rest")
        XCTAssertEqual(TableLayout.fit(specs, x: 0, width: 25).map { $0?.width }, [11, 5, 5], "flexible shrinks first")
        XCTAssertEqual(TableLayout.fit(specs, x: 0, width: 16).map { $0?.width }, [9, 5, nil], "then B is dropped")
        XCTAssertEqual(TableLayout.fit(specs, x: 0, width: 16).map { $0?.x }, [0, 11, nil])
    }

    func testNamespaceHelpers() {
        XCTAssertEqual(NamespaceRows.heldBy(TestEnv.namespace("redis")), "process,bind mount")
        XCTAssertEqual(NamespaceRows.heldBy(TestEnv.namespace("pt-leak")), "bind mount")
        XCTAssertEqual(NamespaceRows.container(TestEnv.namespace("pod-nginx")), "podman:pod-nginx")
        XCTAssertEqual(NamespaceRows.container(TestEnv.namespace("host")), "-")
    }
}
