import XCTest
import PlumbModel

final class SnapshotDiffTests: XCTestCase {
    func snap(_ t: Double, _ namespaces: [Namespace]) -> Snapshot {
        Snapshot(takenAt: t, namespaces: namespaces, processes: [], discovery: DiscoveryStats())
    }

    /// Routes changed all over a big table (links flapping on a host with 500 veths: their IPv6 link-local and
    /// multicast routes come and go) give the events of the definition: a route is added when no route of the
    /// whole old table has its shape (destination, gateway, device, table), removed the other way round; the
    /// local table is not reported.
    func testRouteEventsOverABigTableEqualTheDefinition() {
        var rng = SystemRandomNumberGenerator()
        func route(_ i: Int, table: String = "main") -> Route {
            Route(family: .ipv6, table: table == "main" ? 254 : 255, tableName: table, dst: IPPrefix("fe80::/64")!,
                  dev: "ptbv\(i)")
        }
        let before = (1...500).flatMap { [route($0), route($0, table: "local")] } + [route(7)]   // a duplicate shape
        for _ in 0..<20 {
            var after = before
            let gone = Set((0..<25).map { _ in Int.random(in: 0..<after.count, using: &rng) })
            after = after.enumerated().filter { !gone.contains($0.offset) }.map(\.element)
            for _ in 0..<25 { after.insert(route(Int.random(in: 400...600, using: &rng)), at: Int.random(in: 0...after.count, using: &rng)) }
            let a = snap(1, [Namespace(id: 1, isHost: true, routes: before)])
            let b = snap(2, [Namespace(id: 1, isHost: true, routes: after)])
            func same(_ x: Route, _ y: Route) -> Bool { x.dst == y.dst && x.gateway == y.gateway && x.dev == y.dev && x.tableName == y.tableName }
            let shownA = before.filter { $0.tableName != "local" }, shownB = after.filter { $0.tableName != "local" }
            let added = Set(shownB.filter { n in !shownA.contains { same($0, n) } }.map { "route added: fe80::/64 dev \($0.dev!)" })
            let removed = Set(shownA.filter { o in !shownB.contains { same($0, o) } }.map { "route removed: fe80::/64 dev \($0.dev!)" })
            let texts = SnapshotDiff.events(from: a, to: b).map(\.text)
            XCTAssertEqual(texts, added.sorted() + removed.sorted())
        }
    }

    /// The routes compared are found by walking both tables in order: a table read again in another order, or
    /// changed in place, still gives exactly the events of the definition.
    func testRouteEventsDoNotDependOnTheTablesOrder() {
        func route(_ i: Int) -> Route {
            Route(family: .ipv6, table: 254, tableName: "main", dst: IPPrefix("fe80::/64")!, dev: "ptbv\(i)")
        }
        let before = (1...300).map(route)
        let a = snap(1, [Namespace(id: 1, isHost: true, routes: before)])
        XCTAssertEqual(SnapshotDiff.events(from: a, to: snap(2, [Namespace(id: 1, isHost: true, routes: before.reversed())])), [])
        var shuffled = before.shuffled()
        shuffled[shuffled.firstIndex { $0.dev == "ptbv7" }!] = route(1007)  // changed in place
        shuffled.append(route(1008))
        shuffled.removeAll { $0.dev == "ptbv9" }
        let texts = SnapshotDiff.events(from: a, to: snap(2, [Namespace(id: 1, isHost: true, routes: shuffled)])).map(\.text)
        XCTAssertEqual(texts, ["route added: fe80::/64 dev ptbv1007", "route added: fe80::/64 dev ptbv1008",
                               "route removed: fe80::/64 dev ptbv7", "route removed: fe80::/64 dev ptbv9"])
    }

    func testReportsWhatAppearedVanishedAndChanged() {
        let up = Link(index: 2, name: "eth0", kind: "veth", mtu: 1500, flags: ["up", "lower_up"], addresses: [IPPrefix("10.213.1.2/24")!])
        var down = up
        down.flags = ["up"]          // carrier lost
        down.mtu = 1400
        down.addresses = [IPPrefix("10.213.1.3/24")!]
        let fwA = Firewall(tables: [FirewallTable(family: "ipv4", name: "filter", source: "iptables", chains: [
            FirewallChain(name: "DOCKER", rules: [FirewallRule(rule: "-j ACCEPT")])])])
        let fwB = Firewall(tables: [FirewallTable(family: "ipv4", name: "filter", source: "iptables", chains: [
            FirewallChain(name: "DOCKER", rules: [])])])
        let a = snap(1, [Namespace(id: 1, isHost: true),
                         Namespace(id: 2, names: ["web"], links: [up],
                                   routes: [Route(family: .ipv4, table: 254, tableName: "main", dst: nil, gateway: IPAddress("10.213.1.1"), dev: "eth0")],
                                   firewall: fwA),
                         Namespace(id: 3, names: ["old"])])
        let b = snap(2, [Namespace(id: 1, isHost: true),
                         Namespace(id: 2, names: ["web"], links: [down, Link(index: 3, name: "eth1", kind: "veth", flags: ["up", "lower_up"])],
                                   firewall: fwB),
                         Namespace(id: 4, names: ["new"], heldBy: [Holder(kind: .bindMount, path: "/run/netns/new")])])
        let texts = SnapshotDiff.events(from: a, to: b).map { "\($0.namespace): \($0.text)" }
        XCTAssertEqual(texts, [
            "new: namespace appeared (net:[4], held by bindMount)",
            "old: namespace vanished (net:[3])",
            "web: link eth1 (veth) appeared, up",
            "web: link eth0: up → no carrier",
            "web: link eth0: mtu 1500 → 1400",
            "web: 10.213.1.3/24 added on eth0",
            "web: 10.213.1.2/24 removed from eth0",
            "web: route removed: default via 10.213.1.1 dev eth0",
            "web: chain ipv4 filter DOCKER flushed (1 rule gone)",
        ])
        XCTAssertTrue(SnapshotDiff.events(from: a, to: a).isEmpty)
        XCTAssertEqual(SnapshotDiff.events(from: a, to: b).first?.time, 2)
    }

    /// The live model edits a table in place (a removal in the middle, an append): the diff compares only the
    /// part that differs, and reports exactly what a whole-table comparison would.
    func testRouteChangesInsideALargeTable() {
        func r(_ dst: String, dev: String = "eth0", table: String = "main", proto: String = "kernel") -> Route {
            Route(family: .ipv4, table: table == "main" ? 254 : 255, tableName: table, dst: IPPrefix(dst), dev: dev, protocolName: proto)
        }
        let base = (0..<1000).map { r("10.\($0 / 250).\($0 % 250).0/24") }
        var after = base
        after.remove(at: 400)                                  // removed
        after[10].protocolName = "static"                      // same route, other protocol: no event
        after.append(r("10.213.9.0/24", dev: "eth1"))          // added
        after.append(r("10.0.7.0/24", dev: "eth0"))            // a duplicate of a route elsewhere: no event
        after.append(r("10.213.9.1/32", table: "local"))       // the local table is not reported
        let a = snap(1, [Namespace(id: 1, isHost: true, routes: base)])
        let b = snap(2, [Namespace(id: 1, isHost: true, routes: after)])
        XCTAssertEqual(SnapshotDiff.events(from: a, to: b).map(\.text),
                       ["route added: 10.213.9.0/24 dev eth1", "route removed: 10.1.150.0/24 dev eth0"])
        XCTAssertEqual(SnapshotDiff.events(from: b, to: a).map(\.text),
                       ["route added: 10.1.150.0/24 dev eth0", "route removed: 10.213.9.0/24 dev eth1"])
    }
}
