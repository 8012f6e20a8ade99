import XCTest
@testable import PlumbKernel
import PlumbModel

/// The live model: events applied in place, and refreshes that read a few namespaces carry the rest over.
final class LiveModelTests: XCTestCase {
    func testCarryOverKeepsWhatARefreshDidNotRead() {
        let route = Route(family: .ipv4, table: 254, tableName: "main", dst: nil, gateway: IPAddress("10.213.1.1"))
        let fw = Firewall(tables: [FirewallTable(family: "ipv4", name: "filter", source: "iptables")])
        let eth0 = Link(index: 2, name: "eth0", kind: "veth", mtu: 1500, flags: ["up"], operState: "up")
        let old = Snapshot(takenAt: 1, namespaces: [
            Namespace(id: 1, isHost: true, routes: [route]),
            Namespace(id: 2, links: [eth0], routes: [route], firewall: fw, cookie: 4002),
            Namespace(id: 3, heldBy: [Holder(kind: .fd, pid: 9, fd: 4)]),
            Namespace(id: 4, names: ["pt-a"], links: [eth0], cookie: 4004),
        ], processes: [], discovery: DiscoveryStats())
        let light = Snapshot(takenAt: 2, namespaces: [Namespace(id: 1, isHost: true), Namespace(id: 2, pids: [77]),
                                                      Namespace(id: 4, names: ["pt-a"])],
                             processes: [], discovery: DiscoveryStats())
        let merged = LiveModel.carryOver(light, from: old, read: [1], fdScan: false)
        XCTAssertEqual(merged.namespaces.map(\.id), [1, 2, 4, 3], "fd-held namespaces are kept until an fd scan")
        XCTAssertEqual(merged.namespace(id: 2)?.cookie, 4002, "the identity of what was read before")
        XCTAssertTrue(try XCTUnwrap(merged.namespace(id: 4)).sharesFields(with: old.namespaces[3]),
                      "a namespace neither read nor changed is the old value itself")
        XCTAssertFalse(try XCTUnwrap(merged.namespace(id: 2)).sharesFields(with: old.namespaces[1]))
        XCTAssertEqual(merged.namespace(id: 1)?.routes, [], "the namespace read now shows what was read")
        XCTAssertEqual(merged.namespace(id: 2)?.routes, [route])
        XCTAssertEqual(merged.namespace(id: 2)?.links, [eth0])
        XCTAssertEqual(merged.namespace(id: 2)?.firewall, fw)
        XCTAssertEqual(merged.namespace(id: 2)?.pids, [77], "discovery's fields are fresh")
        XCTAssertTrue(SnapshotDiff.events(from: old, to: merged).allSatisfy { $0.namespace == "host" },
                      "no spurious events for namespaces that were not re-read")
        let scanned = LiveModel.carryOver(light, from: old, read: [1], fdScan: true)
        XCTAssertEqual(scanned.namespaces.map(\.id), [1, 2, 4], "an fd scan that no longer finds it drops it")
    }

    func testLinkEventsApplyInPlace() {
        var veth = Link(index: 5, name: "veth1", kind: "veth", mtu: 1500, flags: ["up", "lower_up"], operState: "up")
        veth.addresses = [IPPrefix("10.213.170.1/24")!]
        veth.peer = RemoteLinkRef(namespace: 9, index: 2)
        veth.master = LinkRef(index: 3)
        veth.bridgePort = BridgePortInfo(state: "forwarding", hairpin: true)
        var ns = Namespace(id: 1, links: [veth, Link(index: 6, name: "gone", kind: "veth", mtu: 1500, flags: [], operState: "down")])
        var down = Link(index: 5, name: "veth1", kind: "veth", mtu: 1400, flags: ["broadcast"], operState: "down")
        down.master = LinkRef(index: 3)
        down.stats.rxBytes = 4242
        var ev = NamespaceEvents()
        ev.links = [down]
        ev.deleted = [6]
        ev.portStates = [5: "disabled"]
        XCTAssertTrue(LiveModel.apply(ev, to: &ns))
        XCTAssertEqual(ns.links.map(\.name), ["veth1"], "the deleted link is gone")
        let l = ns.links[0]
        XCTAssertEqual(l.operState, "down")
        XCTAssertEqual(l.flags, ["broadcast"])
        XCTAssertEqual(l.mtu, 1400)
        XCTAssertEqual(l.stats.rxBytes, 4242)
        XCTAssertEqual(l.addresses, [IPPrefix("10.213.170.1/24")!], "addresses are not in link events: kept")
        XCTAssertEqual(l.peer, RemoteLinkRef(namespace: 9, index: 2), "the peer's namespace is kept")
        XCTAssertEqual(l.bridgePort?.state, "disabled")
        XCTAssertEqual(l.bridgePort?.hairpin, true, "a port-state event keeps the hairpin flag")

        var unknown = NamespaceEvents()
        unknown.links = [Link(index: 99, name: "new0", kind: "veth", mtu: 1500, flags: [], operState: "down")]
        XCTAssertFalse(LiveModel.apply(unknown, to: &ns), "a link never seen needs a read")
        var renamed = NamespaceEvents()
        renamed.links = [Link(index: 5, name: "eth0", kind: "veth", mtu: 1500, flags: [], operState: "down")]
        XCTAssertFalse(LiveModel.apply(renamed, to: &ns), "a rename needs a read (addresses, peers by name)")
    }

    // MARK: address and route events applied in place

    private func host() -> Namespace {
        var ns = Namespace(id: 1, isHost: true)
        var eth = Link(index: 2, name: "eth0", kind: "device", flags: ["up", "lower_up"])
        eth.addresses = [IPPrefix("fe80::1/64")!]
        ns.links = [eth]
        ns.routes = [Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix("10.0.0.0/24"), dev: "eth0", ifindex: 2)]
        return ns
    }

    func testAddressesAreInsertedWhereADumpPutsThemAndRemoved() {
        var ns = host()
        var ev = NamespaceEvents()
        ev.addressChanges = [AddressChange(removed: false, ifindex: 2, cidr: IPPrefix("10.0.0.5/24")!),
                             AddressChange(removed: false, ifindex: 2, cidr: IPPrefix("fe80::1/64")!),  // a flag update
                             AddressChange(removed: true, ifindex: 2, cidr: IPPrefix("fe80::1/64")!)]
        XCTAssertTrue(LiveModel.applyTables(ev, to: &ns))
        XCTAssertEqual(ns.links[0].addresses, [IPPrefix("10.0.0.5/24")!])
        ev.addressChanges = [AddressChange(removed: false, ifindex: 9, cidr: IPPrefix("10.9.0.1/24")!)]
        XCTAssertFalse(LiveModel.applyTables(ev, to: &ns), "an unknown link: read the tables")
    }

    func testRoutesAreAddedReplacedAndRemovedByIdentity() {
        var ns = host()
        var r = Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix("10.1.0.0/16"), gateway: IPAddress("10.0.0.1"), ifindex: 2)
        var ev = NamespaceEvents()
        ev.routeChanges = [RouteChange(removed: false, route: r, multipath: false)]
        XCTAssertTrue(LiveModel.applyTables(ev, to: &ns))
        XCTAssertEqual(ns.routes.last?.dev, "eth0", "the device name comes from the model's links")
        r.protocolName = "static"
        ev.routeChanges = [RouteChange(removed: false, route: r, multipath: false)]
        XCTAssertTrue(LiveModel.applyTables(ev, to: &ns))
        XCTAssertEqual(ns.routes.count, 2, "the same route again replaces it")
        XCTAssertEqual(ns.routes.last?.protocolName, "static")
        ev.routeChanges = [RouteChange(removed: true, route: r, multipath: false)]
        XCTAssertTrue(LiveModel.applyTables(ev, to: &ns))
        XCTAssertEqual(ns.routes.map(\.destinationText), ["10.0.0.0/24"])
        XCTAssertFalse(LiveModel.applyTables(ev, to: &ns), "removing a route the model does not have: read")
        ev.routeChanges = [RouteChange(removed: false, route: r, multipath: true)]
        XCTAssertFalse(LiveModel.applyTables(ev, to: &ns), "several next hops: read")
    }

    /// A batch of route changes (a flapping host's IPv6 link-local routes) gives the table that applying them
    /// one by one gives: each removal takes the first route of its identity, an addition replaces it or goes
    /// at the end. Random batches of both sizes (a scan below 9 changes, the ifindex index above) on a table
    /// with duplicate identities, against that definition.
    func testABatchOfRouteChangesEqualsApplyingThemOneByOne() {
        var rng = SystemRandomNumberGenerator()
        func route(_ link: Int, _ proto: String = "kernel") -> Route {
            Route(family: .ipv6, table: 254, tableName: "main", dst: IPPrefix("fe80::/64"), ifindex: link, protocolName: proto)
        }
        func one(_ c: RouteChange, _ table: inout [Route]) -> Bool {
            var r = c.route
            r.dev = "pt\(r.ifindex!)"
            if let i = table.firstIndex(where: { LiveModel.sameRoute($0, r) }) {
                if c.removed { table.remove(at: i) } else { table[i] = r }
                return true
            }
            if c.removed { return false }
            table.append(r)
            return true
        }
        var ns = Namespace(id: 1, isHost: true)
        ns.links = (1...40).map { Link(index: $0, name: "pt\($0)", kind: "veth") }
        for size in [3, 8, 9, 60] {
            for _ in 0..<30 {
                var table = (1...30).map { var r = route($0); r.dev = "pt\($0)"; return r }
                table.append(table[4])  // a duplicate identity: removals take the first
                ns.routes = table
                var ev = NamespaceEvents()
                for _ in 0..<size {
                    let link = Int.random(in: 1...40, using: &rng)
                    ev.routeChanges.append(RouteChange(removed: Bool.random(using: &rng),
                                                       route: route(link, Bool.random(using: &rng) ? "kernel" : "static"),
                                                       multipath: false))
                }
                var expected = table, complete = true
                for c in ev.routeChanges where !one(c, &expected) { complete = false }
                XCTAssertEqual(LiveModel.applyTables(ev, to: &ns), complete, "\(size) changes")
                XCTAssertEqual(ns.routes, expected, "\(size) changes")
            }
        }
    }

    func testALinkGoingDownWithIPv4RoutesNeedsARead() {
        var ns = host()
        var ev = NamespaceEvents()
        ev.links = [Link(index: 2, name: "eth0", kind: "device", flags: [])]
        XCTAssertFalse(LiveModel.applyTables(ev, to: &ns), "IPv4 flushes the routes of a downed link silently")
        ev.links = [Link(index: 2, name: "eth0", kind: "device", flags: ["up", "lower_up"])]
        XCTAssertTrue(LiveModel.applyTables(ev, to: &ns))
    }
}
