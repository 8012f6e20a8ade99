import XCTest
@testable import PlumbTrace
import PlumbModel

/// The path engine on a synthetic snapshot (a "host" namespace with a bridge and two endpoints) with route
/// answers recorded from the kernel for the same topology (`ip route get` in each namespace).
final class TraceEngineTests: XCTestCase {
    /// Route answers by (namespace, destination, iif).
    struct Recorded: RouteOracle {
        var answers: [String: RouteDecision]
        var fdb: [BridgeFdbEntry]?
        func forwardingDatabase(bridge ifindex: Int, in namespace: Namespace) -> [BridgeFdbEntry]? { fdb }
        func route(_ q: RouteQuery, in ns: Namespace) -> RouteDecision {
            answers["\(ns.id) \(q.destination) \(q.inputInterface ?? 0)"]
                ?? answers["\(ns.id) \(q.destination) *"]
                ?? .refused("ENETUNREACH", "Network is unreachable")
        }
    }

    // a (1): eth0#2 10.213.120.2 — h (2): br0#3 10.213.120.1, va#5, vb#6, up#7 10.213.121.1 — b (3): eth0#2 .3
    func lab(forwardPolicy: String = "ACCEPT", bMTU: Int = 1500, ipForward: Bool = true) -> Snapshot {
        let up = ["up", "broadcast", "running", "lower_up"]
        func local(_ ips: [String]) -> [Route] {
            ips.map { Route(family: .ipv4, table: 255, tableName: "local", dst: IPPrefix("\($0)/32"), type: "local") }
        }
        let a = Namespace(id: 1, names: ["pt-tr-a"], links: [
            Link(index: 1, name: "lo", kind: "loopback", mtu: 65536, flags: up, addresses: [IPPrefix("127.0.0.1/8")!]),
            Link(index: 2, name: "eth0", kind: "veth", flags: up, peer: RemoteLinkRef(namespace: 2, index: 5),
                 addresses: [IPPrefix("10.213.120.2/24")!]),
        ], routes: local(["10.213.120.2"]))
        var h = Namespace(id: 2, names: ["pt-tr-h"], links: [
            Link(index: 3, name: "br0", kind: "bridge", flags: up, addresses: [IPPrefix("10.213.120.1/24")!]),
            Link(index: 5, name: "va", kind: "veth", flags: up, master: LinkRef(index: 3),
                 peer: RemoteLinkRef(namespace: 1, index: 2), bridgePort: BridgePortInfo(state: "forwarding")),
            Link(index: 6, name: "vb", kind: "veth", flags: up, master: LinkRef(index: 3),
                 peer: RemoteLinkRef(namespace: 3, index: 2), bridgePort: BridgePortInfo(state: "forwarding")),
            Link(index: 7, name: "up", kind: "device", flags: up, addresses: [IPPrefix("10.213.121.1/24")!]),
        ], routes: local(["10.213.120.1", "10.213.121.1"]))
        h.sysctls = Sysctls(ipForward: ipForward, bridgeNfCallIptables: true)
        h.firewall = FixtureFirewall.parse("""
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD \(forwardPolicy) [3:252]
            :OUTPUT ACCEPT [0:0]
            :PT-TR-FWD - [0:0]
            [9:756] -A FORWARD -j PT-TR-FWD
            [0:0] -A PT-TR-FWD -d 10.213.120.66/32 -j DROP
            [0:0] -A PT-TR-FWD -d 10.213.120.66/32 -m set --match-set pt-tr-deny dst -j DROP
            COMMIT
            """)
        let b = Namespace(id: 3, names: ["pt-tr-b"], links: [
            Link(index: 2, name: "eth0", kind: "veth", mac: "02:00:00:00:00:03", mtu: bMTU, flags: up, peer: RemoteLinkRef(namespace: 2, index: 6),
                 addresses: [IPPrefix("10.213.120.3/24")!]),
        ], routes: local(["10.213.120.3"]))
        return Snapshot(takenAt: 0, namespaces: [h, a, b], processes: [], discovery: DiscoveryStats())
    }

    var oracle: Recorded {
        Recorded(answers: [
            "1 10.213.120.3 0": RouteDecision(type: "unicast", outputInterface: 2, preferredSource: IPAddress("10.213.120.2"),
                                              matchedPrefix: RouteDestination("10.213.120.0/24")),
            "1 10.213.121.9 0": RouteDecision(type: "unicast", outputInterface: 2, gateway: IPAddress("10.213.120.1"),
                                              preferredSource: IPAddress("10.213.120.2"), matchedPrefix: RouteDestination("default")),
            "3 10.213.120.3 2": RouteDecision(type: "local", table: 255, outputInterface: 1),
            "2 10.213.121.9 3": RouteDecision(type: "unicast", outputInterface: 7, matchedPrefix: RouteDestination("10.213.121.0/24")),
        ])
    }

    func request(_ dst: String, size: Int = 84) -> TraceRequest {
        TraceRequest(sourceNamespace: 1, destination: IPAddress(dst)!, proto: "icmp", size: size)
    }

    func testBridgedPathIsDeliveredThroughTheRightPorts() {
        let r = TraceEngine(snapshot: lab(), oracle: oracle).trace(request("10.213.120.3"))
        XCTAssertEqual(r.verdict, .delivered, r.reason)
        XCTAssertEqual(r.hops.map(\.namespaceName), ["pt-tr-a", "pt-tr-h", "pt-tr-b"])
        XCTAssertEqual(r.hops[1].inInterface, "va")
        XCTAssertEqual(r.hops[1].outInterface, "vb")
        XCTAssertEqual(r.hops[1].bridge, "br0")
        XCTAssertEqual(r.packet.source.description, "10.213.120.2", "the kernel's preferred source")
        // br_netfilter is on: the bridged frame went through FORWARD with its ports as physdev.
        let fwd = r.hops[1].steps.first { $0.netfilter?.hook == .forward }
        XCTAssertNotNil(fwd)
        XCTAssertTrue(fwd?.text.contains("physdev-in va, physdev-out vb") ?? false, fwd?.text ?? "")
        XCTAssertEqual(r.uncertainties.count, 0)
    }

    func testForwardPolicyDropStopsAtTheHostHop() {
        let r = TraceEngine(snapshot: lab(forwardPolicy: "DROP"), oracle: oracle).trace(request("10.213.120.3"))
        XCTAssertEqual(r.verdict, .dropped)
        XCTAssertEqual(r.dropHop, 2)
        XCTAssertTrue(r.reason.contains("FORWARD policy DROP"), r.reason)
        XCTAssertTrue(r.reason.contains("[3 packets, 252 B so far]"), r.reason)
        XCTAssertEqual(r.hops.count, 2, "nothing is traced past the drop")
    }

    func testReceivingVethDropsFramesLargerThanItsMTU() {
        let small = TraceEngine(snapshot: lab(bMTU: 1400), oracle: oracle)
        let r = small.trace(request("10.213.120.3", size: 1405))
        XCTAssertEqual(r.verdict, .dropped)
        XCTAssertEqual(r.dropHop, 3)
        XCTAssertTrue(r.reason.contains("MTU 1400 of eth0 in pt-tr-b"), r.reason)
        // The kernel lets 4 bytes (a VLAN tag) through on receive: measured with ping -M do.
        XCTAssertEqual(small.trace(request("10.213.120.3", size: 1404)).verdict, .delivered)
    }

    func testForwardingOffIsNamedFromTheKernelRefusal() {
        var o = oracle
        o.answers["2 10.213.121.9 3"] = .refused("EHOSTUNREACH", "No route to host")
        let r = TraceEngine(snapshot: lab(ipForward: false), oracle: o).trace(request("10.213.121.9"))
        XCTAssertEqual(r.verdict, .dropped)
        XCTAssertEqual(r.dropHop, 2)
        XCTAssertTrue(r.reason.contains("net.ipv4.ip_forward = 0"), r.reason)
    }

    func testRoutedOutOfAPhysicalLinkLeavesTheHost() {
        let r = TraceEngine(snapshot: lab(), oracle: oracle).trace(request("10.213.121.9"))
        XCTAssertEqual(r.verdict, .leftHost, r.reason)
        XCTAssertEqual(r.hops.last?.outInterface, "up")
        XCTAssertEqual(r.hops[1].role, "forward")
    }

    func testMissingRouteInTheSourceIsTheFirstHop() {
        let r = TraceEngine(snapshot: lab(), oracle: oracle).trace(request("10.213.127.1"))
        XCTAssertEqual(r.verdict, .dropped)
        XCTAssertEqual(r.dropHop, 1)
        XCTAssertTrue(r.reason.contains("no default route"), r.reason)
    }

    func testAnUnevaluatedDropRuleMakesTheAnswerUnknownAndSaysWhich() {
        // The lab's -m set rule also says -d 10.213.120.66: that decides it, nothing is uncertain.
        let r = TraceEngine(snapshot: lab(), oracle: oracle).trace(request("10.213.120.3"))
        XCTAssertEqual(r.verdict, .delivered)
        XCTAssertEqual(r.uncertainties, [])
        var snap = lab()
        snap.namespaces[0].firewall.tables[0].chains[3].rules.append(
            FirewallRule(rule: "-m set --match-set pt-tr-deny dst -j DROP", packets: 4, bytes: 336))
        let v = TraceEngine(snapshot: snap, oracle: oracle).trace(request("10.213.120.3"))
        XCTAssertEqual(v.verdict, .unknown)
        XCTAssertEqual(v.assumedVerdict, .delivered)
        XCTAssertEqual(v.uncertainties.count, 1)
        XCTAssertTrue(v.uncertainties[0].contains("rule 3 of filter/PT-TR-FWD"), v.uncertainties[0])
        XCTAssertTrue(v.uncertainties[0].contains("-m set --match-set pt-tr-deny dst"), v.uncertainties[0])
    }

    func testUnreadNamespacesAreAskedForNotGuessed() {
        var engine = TraceEngine(snapshot: lab(), oracle: oracle)
        engine.unread = [3]
        let r = engine.trace(request("10.213.120.3"))
        XCTAssertEqual(engine.needed, [3], "b is behind the bridge port: the caller must read it")
        XCTAssertNotEqual(r.verdict, .delivered)
        let again = TraceEngine(snapshot: lab(), oracle: oracle)
        XCTAssertEqual(again.trace(request("10.213.120.3")).verdict, .delivered)
        XCTAssertEqual(again.needed, [])
    }

    func testANextHopNobodyOwnsIsUnknownUnlessTheKernelSaysFailedOrSomeoneAnswered() {
        var o = oracle
        o.answers["1 10.213.120.77 0"] = RouteDecision(type: "unicast", outputInterface: 2, preferredSource: IPAddress("10.213.120.2"))
        o.answers["2 10.213.120.77 5"] = RouteDecision(type: "unicast", outputInterface: 7)
        // Never resolved: nobody Plumb sees has it, but proxy ARP could answer — not a certain drop.
        let unresolved = TraceEngine(snapshot: lab(), oracle: o).trace(request("10.213.120.77"))
        XCTAssertEqual(unresolved.verdict, .unknown)
        XCTAssertTrue(unresolved.reason.contains("no neighbour entry exists yet"), unresolved.reason)
        // The kernel tried and failed: dropped at the sender.
        var failed = lab()
        failed.namespaces[1].neighbors = [Neighbor(family: .ipv4, ip: IPAddress("10.213.120.77")!, mac: nil, ifindex: 2, dev: "eth0", state: ["failed"])]
        let f = TraceEngine(snapshot: failed, oracle: o).trace(request("10.213.120.77"))
        XCTAssertEqual(f.verdict, .dropped)
        XCTAssertEqual(f.dropHop, 1)
        XCTAssertTrue(f.reason.contains("(neighbour FAILED)"), f.reason)
        // Something answered (proxy ARP, as on a Calico host side): the trace follows the veth and says so.
        var proxied = lab()
        proxied.namespaces[1].neighbors = [Neighbor(family: .ipv4, ip: IPAddress("10.213.120.77")!, mac: "ee:ee:ee:ee:ee:ee", ifindex: 2,
                                                    dev: "eth0", state: ["reachable"])]
        let p = TraceEngine(snapshot: proxied, oracle: o).trace(request("10.213.120.77"))
        XCTAssertEqual(p.hops.count, 2)
        XCTAssertTrue(p.hops[0].steps.contains { $0.text.contains("ee:ee:ee:ee:ee:ee answered for it") })
        XCTAssertEqual(p.verdict, .unknown, "the bridge has no port towards it: \(p.reason)")
    }

    func testHairpinBackOutTheIngressPortIsNamedAsNotEvaluated() {
        // b reaches a service DNATed back to itself through the bridge address.
        var snap = lab()
        snap.namespaces[0].firewall.tables.append(FixtureFirewall.parse("""
            *nat
            :PREROUTING ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            [0:0] -A PREROUTING -d 10.213.120.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.213.120.3:80
            COMMIT
            """).tables[0])
        snap.namespaces[2].routes.append(Route(family: .ipv4, table: 254, tableName: "main", dst: nil, gateway: IPAddress("10.213.120.1")))
        var o = oracle
        o.answers["3 10.213.120.1 0"] = RouteDecision(type: "unicast", outputInterface: 2, preferredSource: IPAddress("10.213.120.3"))
        o.answers["2 10.213.120.3 3"] = RouteDecision(type: "unicast", outputInterface: 3)
        o.answers["3 10.213.120.3 2"] = RouteDecision(type: "local", outputInterface: 1)
        let r = TraceEngine(snapshot: snap, oracle: o).trace(
            TraceRequest(sourceNamespace: 3, destination: IPAddress("10.213.120.1")!, proto: "tcp", sourcePort: 43210, destinationPort: 8080, size: 60))
        XCTAssertEqual(r.hops.map(\.namespaceName), ["pt-tr-b", "pt-tr-h", "pt-tr-b"])
        XCTAssertEqual(r.verdict, .unknown)
        XCTAssertEqual(r.assumedVerdict, .delivered)
        XCTAssertTrue(r.uncertainties.first?.contains("hairpin mode") ?? false, "\(r.uncertainties)")
    }

    func testAFirewallThatCouldNotBeReadIsNotTakenAsOpen() {
        var snap = lab()
        snap.namespaces[0].firewall.notes = ["iptables-save not installed: ipv4 rules not shown (apt install iptables)"]
        let r = TraceEngine(snapshot: snap, oracle: oracle).trace(request("10.213.120.3"))
        XCTAssertEqual(r.verdict, .unknown)
        XCTAssertEqual(r.uncertainties, ["pt-tr-h: firewall not fully read (iptables-save not installed: ipv4 rules not shown (apt install iptables))"])
    }

    func testTheBridgeFDBIsShownAndAStaleEntryIsNamed() {
        var o = oracle
        XCTAssertFalse(TraceEngine(snapshot: lab(), oracle: o).trace(request("10.213.120.3")).hops[1].steps.contains { $0.text.hasPrefix("fdb:") })
        o.fdb = [BridgeFdbEntry(mac: "02:00:00:00:00:03", port: 6, permanent: false)]
        let learned = TraceEngine(snapshot: lab(), oracle: o).trace(request("10.213.120.3"))
        XCTAssertTrue(learned.hops[1].steps.contains { $0.text == "fdb: 02:00:00:00:00:03 on vb (learned)" })
        XCTAssertEqual(learned.verdict, .delivered)
        o.fdb = [BridgeFdbEntry(mac: "02:00:00:00:00:03", port: 5, permanent: false)]
        let stale = TraceEngine(snapshot: lab(), oracle: o).trace(request("10.213.120.3"))
        XCTAssertEqual(stale.verdict, .unknown)
        XCTAssertTrue(stale.uncertainties.first?.contains("fdb sends 02:00:00:00:00:03 to va") ?? false, "\(stale.uncertainties)")
        o.fdb = []
        let flood = TraceEngine(snapshot: lab(), oracle: o).trace(request("10.213.120.3"))
        XCTAssertTrue(flood.hops[1].steps.contains { $0.text.contains("not learned yet: the bridge floods") })
    }

    func testTextNamesEveryHopAndTheVerdict() {
        let r = TraceEngine(snapshot: lab(forwardPolicy: "DROP"), oracle: oracle).trace(request("10.213.120.3"))
        let text = TraceTextRenderer.render(r)
        XCTAssertTrue(text.hasPrefix("trace icmp 10.213.120.2 → 10.213.120.3, 84 bytes, from pt-tr-a\n"), text)
        XCTAssertTrue(text.contains("2    pt-tr-h  [bridge]  in va  out vb  bridge br0"), text)
        XCTAssertTrue(text.contains("filter/FORWARD policy"), text)
        XCTAssertTrue(text.hasSuffix("DROPPED at hop 2: pt-tr-h: the FORWARD policy DROP of table filter [3 packets, 252 B so far]\n"), text)
    }
}
