import XCTest
@testable import PlumbTrace
import PlumbModel

/// The live trace's pure half: the `nft -a list ruleset` parser, the probe's match and tag check, which events
/// are our probe's (two traces at once, reused trace ids), and the comparison with the static trace.
final class LiveTraceAnalyzerTests: XCTestCase {
    let listingText = """
        # Warning: table ip filter is managed by iptables-nft, do not touch!
        table ip filter { # handle 1
        \tchain FORWARD { # handle 1
        \t\ttype filter hook forward priority filter; policy drop;
        \t\t counter packets 0 bytes 0 jump PT-FWD # handle 3
        \t}
        \tchain PT-FWD { # handle 2
        \t\tip daddr 10.213.53.2 tcp dport 80 counter packets 0 bytes 0 accept # handle 4
        \t\tip protocol icmp counter packets 0 bytes 0 accept # handle 5
        \t}
        }
        table inet plumb_trace_7_4000 { # handle 2
        \tset s { # handle 9
        \t\ttype ipv4_addr
        \t\telements = { 10.0.0.1 }
        \t}
        \tchain pre { # handle 1
        \t\ttype filter hook prerouting priority -350; policy accept;
        \t\ticmp type echo-request icmp id 4000 meta nftrace set 1 # handle 2
        \t}
        }
        """

    let firewall = Firewall(tables: [FirewallTable(family: "ipv4", name: "filter", source: "iptables", chains: [
        FirewallChain(name: "FORWARD", policy: "DROP", rules: [FirewallRule(rule: "-j PT-FWD", target: "PT-FWD")]),
        FirewallChain(name: "PT-FWD", rules: [FirewallRule(rule: "-d 10.213.53.2/32 -p tcp -m tcp --dport 80 -j ACCEPT", target: "ACCEPT"),
                                              FirewallRule(rule: "-p icmp -j ACCEPT", target: "ACCEPT")]),
    ])])

    func testListingGivesEachRuleItsPositionHandleAndHook() {
        let l = NftRuleListing.parse(listingText)
        XCTAssertEqual(l.rules.map(\.handle), [3, 4, 5, 2], "set elements are not rules")
        XCTAssertEqual(l.rule(family: "ip", table: "filter", chain: "PT-FWD", handle: 5)?.index, 2)
        XCTAssertEqual(l.rule(family: "ip", table: "filter", chain: "FORWARD", handle: 3)?.text, "counter packets 0 bytes 0 jump PT-FWD")
        XCTAssertEqual(l.hook(family: "ip", table: "filter", chain: "FORWARD"), "forward")
        XCTAssertNil(l.hook(family: "ip", table: "filter", chain: "PT-FWD"))
        XCTAssertEqual(l.hook(family: "inet", table: "plumb_trace_7_4000", chain: "pre"), "prerouting")
    }

    func testProbeMatchIsItsTagAlone() {
        let icmp = LiveProbe(proto: "icmp", source: IPAddress("10.213.52.2"), destination: IPAddress("10.213.53.2")!, destinationPort: nil, tag: 4000)
        XCTAssertEqual(icmp.nftMatch, "icmp type echo-request icmp id 4000")
        let tcp = LiveProbe(proto: "tcp", source: nil, destination: IPAddress("10.213.53.2")!, destinationPort: 80, tag: 41000)
        XCTAssertEqual(tcp.nftMatch, "tcp sport 41000 tcp flags & (syn | ack) == syn")
        XCTAssertEqual(icmp.matches(network: ipv4(proto: 1), transport: [8, 0, 0, 0, 0x0f, 0xa0, 0, 1]), true)
        XCTAssertEqual(icmp.matches(network: ipv4(proto: 1), transport: [8, 0, 0, 0, 0x0f, 0xa1, 0, 1]), false, "another id")
        XCTAssertEqual(icmp.matches(network: ipv4(proto: 1), transport: [0, 0, 0, 0, 0x0f, 0xa0, 0, 1]), false, "a reply")
        XCTAssertEqual(tcp.matches(network: ipv4(proto: 6), transport: [0xa0, 0x28, 0, 80, 0, 0, 0, 0]), true)
        XCTAssertEqual(tcp.matches(network: ipv4(proto: 17), transport: [0xa0, 0x28, 0, 80, 0, 0, 0, 0]), false, "udp, same port")
        XCTAssertNil(tcp.matches(network: [], transport: []), "no headers: undecided")
        let plan = LiveTraceRules.plan(for: icmp, pid: 7, in: [.named("pt-x")], label: "trace --live")
        guard case .nftables(let batch, let undo, _) = plan.steps[0] else { return XCTFail("\(plan.steps)") }
        XCTAssertTrue(batch.contains("add rule inet plumb_trace_7_4000 pre icmp type echo-request icmp id 4000 meta nftrace set 1"), batch)
        XCTAssertEqual(undo, "delete table inet plumb_trace_7_4000\n")
        XCTAssertEqual(plan.inverse.steps, [.nftables(batch: undo, undo: batch, in: .named("pt-x"))])
    }

    /// Two traces at once in one namespace, with the kernel reusing trace id 9 for both packets: the headers of
    /// each chain evaluation decide, so each trace keeps exactly its own probe's events.
    func testConcurrentProbesWithAReusedTraceIdAreTold() {
        let mine = LiveProbe(proto: "icmp", source: nil, destination: IPAddress("10.213.53.2")!, destinationPort: nil, tag: 4000)
        let a = LiveTraceAnalyzer(probe: mine, markingTable: "plumb_trace_7_4000")
        let other: [UInt8] = [8, 0, 0, 0, 0x13, 0x88, 0, 1]  // id 5000
        let ours: [UInt8] = [8, 0, 0, 0, 0x0f, 0xa0, 0, 1]   // id 4000
        let events = [
            ev(9, "plumb_trace_8_5000", "pre", .rule, handle: 2, headers: other),
            ev(9, "plumb_trace_7_4000", "pre", .policy, verdict: "accept"),
            ev(9, "filter", "FORWARD", .rule, handle: 3, verdict: "jump", family: "ip", headers: other),
            ev(9, "plumb_trace_7_4000", "pre", .rule, handle: 2, headers: ours),
            ev(9, "plumb_trace_8_5000", "pre", .policy, verdict: "accept"),
            ev(9, "filter", "FORWARD", .rule, handle: 3, verdict: "jump", family: "ip", headers: ours),
            ev(9, "filter", "PT-FWD", .rule, handle: 5, verdict: "accept", family: "ip"),
        ]
        XCTAssertEqual(a.ownEvents(events).map(\.chain), ["FORWARD", "PT-FWD"])
    }

    func testLivePathIsComparedHopByHop() {
        let probe = LiveProbe(proto: "icmp", source: IPAddress("10.213.52.2"), destination: IPAddress("10.213.53.2")!, destinationPort: nil, tag: 4000)
        let analyzer = LiveTraceAnalyzer(probe: probe, markingTable: "plumb_trace_7_4000")
        let listing = NftRuleListing.parse(listingText)
        let ours: [UInt8] = [8, 0, 0, 0, 0x0f, 0xa0, 0, 1]
        let mark = ev(1, "plumb_trace_7_4000", "pre", .rule, handle: 2, headers: ours)
        let staticHits = [RuleHit(family: "ipv4", table: "filter", chain: "FORWARD", index: 1, rule: "-j PT-FWD", packets: 0, bytes: 0, effect: "jump PT-FWD"),
                          RuleHit(family: "ipv4", table: "filter", chain: "PT-FWD", index: 2, rule: "-p icmp -j ACCEPT", packets: 0, bytes: 0, effect: "ACCEPT")]
        let result = staticResult(hits: staticHits)
        var h = Namespace(id: 2, names: ["pt-h"]); h.firewall = firewall
        let a = Namespace(id: 1, names: ["pt-a"]), b = Namespace(id: 3, names: ["pt-b"])

        // The probe took the static path and met the same rules.
        let same = analyzer.analyze(static: result, observations: [
            1: .init(namespace: a, events: [mark], listing: NftRuleListing()),
            2: .init(namespace: h, events: [mark, ev(1, "filter", "FORWARD", .rule, handle: 3, verdict: "jump", jump: "PT-FWD", family: "ip"),
                                            ev(1, "filter", "PT-FWD", .rule, handle: 5, verdict: "accept", family: "ip")], listing: listing),
            3: .init(namespace: b, events: [mark], listing: NftRuleListing()),
        ], drop: nil, elapsedMillis: 3)
        XCTAssertEqual(same.verdict, .passed, same.reason)
        XCTAssertTrue(same.agrees, "\(same.comparison)")
        XCTAssertEqual(same.hops[1].passes.map(\.rule), ["-j PT-FWD", "-p icmp -j ACCEPT"], "iptables-save lines, by position")
        XCTAssertEqual(same.hops[1].passes.map(\.verdict), ["jump PT-FWD", "accept"])

        // The FORWARD policy dropped it instead: dropped at hop 2, b never saw it, and the hops disagree.
        let dropped = analyzer.analyze(static: result, observations: [
            1: .init(namespace: a, events: [mark], listing: NftRuleListing()),
            2: .init(namespace: h, events: [mark, ev(1, "filter", "FORWARD", .policy, verdict: "drop", family: "ip")], listing: listing),
            3: .init(namespace: b, events: [], listing: NftRuleListing()),
        ], drop: nil, elapsedMillis: 3)
        XCTAssertEqual(dropped.verdict, .dropped)
        XCTAssertEqual(dropped.dropHop, 2)
        XCTAssertEqual(dropped.hops[1].droppedBy?.location, "policy of filter/FORWARD")
        XCTAssertFalse(dropped.agrees)
        XCTAssertEqual(dropped.comparison.map(\.agrees), [true, false, false], "\(dropped.comparison)")

        // Seen in h, never in b, no rule dropped it: lost outside netfilter, with the drop feed's reason.
        let lost = analyzer.analyze(static: result, observations: [
            1: .init(namespace: a, events: [mark], listing: NftRuleListing()),
            2: .init(namespace: h, events: [mark], listing: listing),
            3: .init(namespace: b, events: [], listing: NftRuleListing()),
        ], drop: LiveDrop(reason: "IP_RPFILTER", location: "ip_rcv_finish_core+0x2c"), elapsedMillis: 3)
        XCTAssertEqual(lost.verdict, .lost)
        XCTAssertEqual(lost.dropHop, 2)
        XCTAssertEqual(lost.drop?.reason, "IP_RPFILTER")
        XCTAssertTrue(lost.reason.contains("IP_RPFILTER in ip_rcv_finish_core"), lost.reason)
    }

    /// The static trace stops at hop 2 (a predicted drop), but the probe goes on to the destination namespace,
    /// which was watched beyond the static path: PASSED, and the hops disagree.
    func testAProbeThatGoesBeyondAPredictedDropIsSeenArriving() {
        let probe = LiveProbe(proto: "icmp", source: IPAddress("10.213.52.2"), destination: IPAddress("10.213.53.2")!, destinationPort: nil, tag: 4000)
        let analyzer = LiveTraceAnalyzer(probe: probe, markingTable: "plumb_trace_7_4000")
        let mark = ev(1, "plumb_trace_7_4000", "pre", .rule, handle: 2, headers: [8, 0, 0, 0, 0x0f, 0xa0, 0, 1])
        var result = staticResult(hits: [])
        result.hops.removeLast()
        result.verdict = .dropped; result.dropHop = 2; result.reason = "no route"
        let a = Namespace(id: 1, names: ["pt-a"]), h = Namespace(id: 2, names: ["pt-h"]), b = Namespace(id: 3, names: ["pt-b"])
        let r = analyzer.analyze(static: result, observations: [
            1: .init(namespace: a, events: [mark], listing: NftRuleListing()),
            2: .init(namespace: h, events: [mark], listing: NftRuleListing()),
            3: .init(namespace: b, events: [mark], listing: NftRuleListing()),
        ], beyond: [b], drop: nil, elapsedMillis: 3)
        XCTAssertEqual(r.hops.map(\.number), [1, 2, 3])
        XCTAssertEqual(r.verdict, .passed, r.reason)
        XCTAssertFalse(r.agrees)
        XCTAssertEqual(r.comparison.last?.agrees, false, "\(r.comparison)")
        XCTAssertTrue(r.comparison.last?.text.contains("never gets here") == true, "\(r.comparison)")
    }

    func testOwnersComeFromChainsTargetsAndComments() {
        XCTAssertEqual(LiveTraceAnalyzer.owner(table: "filter", chain: "DOCKER-USER", rule: "-j RETURN", iptables: true, verdict: "return"), "docker")
        XCTAssertEqual(LiveTraceAnalyzer.owner(table: "filter", chain: "FORWARD", rule: "-j CNI-FORWARD", iptables: true, verdict: "jump CNI-FORWARD"), "cni")
        XCTAssertEqual(LiveTraceAnalyzer.owner(table: "filter", chain: "FORWARD", rule: "-i br0 -m comment --comment \"plumb:web\" -j ACCEPT",
                                               iptables: true, verdict: "accept"), "plumb")
        XCTAssertEqual(LiveTraceAnalyzer.owner(table: "netavark", chain: "forward", rule: nil, iptables: false, verdict: "accept"), "podman")
        XCTAssertEqual(LiveTraceAnalyzer.owner(table: "filter", chain: "FORWARD", rule: "-j ACCEPT", iptables: true, verdict: "accept"), "system")
    }

    // MARK: builders

    func ipv4(proto: UInt8) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 20); h[0] = 0x45; h[9] = proto; return h
    }

    func ev(_ id: UInt32, _ table: String, _ chain: String, _ kind: NftTraceEvent.Kind, handle: UInt64? = nil,
            verdict: String? = "continue", jump: String? = nil, family: String = "inet", headers: [UInt8] = []) -> NftTraceEvent {
        NftTraceEvent(id: id, kind: kind, family: family, table: table, chain: chain, handle: handle, verdict: verdict,
                      jumpTarget: jump, networkHeader: headers.isEmpty ? [] : ipv4(proto: 1), transportHeader: headers)
    }

    func staticResult(hits: [RuleHit]) -> TraceResult {
        let packet = TracePacket(family: .ipv4, source: IPAddress("10.213.52.2")!, destination: IPAddress("10.213.53.2")!, proto: "icmp", size: 84)
        let nf = HookResult(hook: .forward, verdict: "ACCEPT", decidedBy: nil, hits: hits, uncertain: [], tablesWalked: ["filter"], unevaluatedNft: [])
        func hop(_ n: Int, _ id: UInt64, _ name: String, _ role: String, _ steps: [TraceStep]) -> TraceHop {
            TraceHop(number: n, namespace: id, namespaceName: name, role: role, steps: steps, packet: packet)
        }
        return TraceResult(request: TraceRequest(sourceNamespace: 1, destination: IPAddress("10.213.53.2")!, proto: "icmp", size: 84), packet: packet,
                           hops: [hop(1, 1, "pt-a", "send", []), hop(2, 2, "pt-h", "forward", [TraceStep(.netfilter, "FORWARD", netfilter: nf)]),
                                  hop(3, 3, "pt-b", "deliver", [])],
                           verdict: .delivered, reason: "delivered", uncertainties: [])
    }
}
