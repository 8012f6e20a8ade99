import XCTest
@testable import PlumbTrace
import PlumbModel

/// The evaluator walks recorded rule sets (Docker's, and a hand-written one covering goto, marks, NAT targets and
/// unsupported matches) in the kernel's table order.
final class NetfilterEvaluatorTests: XCTestCase {
    let hostAddress = "192.0.2.10"

    func docker() throws -> NetfilterEvaluator {
        NetfilterEvaluator(firewall: try FixtureFirewall.load("docker-iptables-save.txt"), family: .ipv4)
    }

    func custom() throws -> NetfilterEvaluator {
        NetfilterEvaluator(firewall: try FixtureFirewall.load("custom-iptables-save.txt"), family: .ipv4)
    }

    func tcp(_ src: String, _ dst: String, _ dport: UInt16) -> TracePacket {
        TracePacket(family: .ipv4, source: IPAddress(src)!, destination: IPAddress(dst)!, proto: "tcp", sourcePort: 43210,
                    destinationPort: dport, size: 60)
    }

    var hostTypes: AddressTypeTable { AddressTypeTable(local: [IPPrefix(iptables: hostAddress)!, IPPrefix(iptables: "127.0.0.0/8")!]) }

    func testDockerContainerEgressIsAcceptedAndMasqueraded() throws {
        let nf = try docker()
        var p = tcp("172.17.0.2", "8.8.8.8", 443)
        let fwd = nf.run(.forward, packet: &p, context: HookContext(inInterface: "docker0", outInterface: "eth0", addressTypes: hostTypes))
        XCTAssertEqual(fwd.verdict, "ACCEPT")
        XCTAssertEqual(fwd.hits.last?.location, "rule 4 of filter/DOCKER-FORWARD")
        XCTAssertEqual(fwd.hits.last?.rule, "-i docker0 -j ACCEPT")
        XCTAssertEqual(fwd.hits.last?.packets, 13902, "counters come from the snapshot")
        // Jumps taken on the way, in order: DOCKER-USER (returns), DOCKER-FORWARD, its sub-chains.
        XCTAssertEqual(fwd.hits.map(\.effect).prefix(3), ["jump DOCKER-USER", "RETURN", "jump DOCKER-FORWARD"])
        let post = nf.run(.postrouting, packet: &p, context: HookContext(
            outInterface: "eth0", addressTypes: hostTypes, masqueradeSource: { $0 == "eth0" ? IPAddress("192.0.2.10") : nil }))
        XCTAssertEqual(post.verdict, "ACCEPT")
        XCTAssertEqual(p.source.description, "192.0.2.10")
        XCTAssertEqual(post.hits.last?.effect, "MASQUERADE → 192.0.2.10")
        XCTAssertTrue(p.natStates.contains("SNAT"))
    }

    func testDockerPublishedPortIsTranslatedThenForwarded() throws {
        let nf = try docker()
        var p = tcp("198.51.100.7", hostAddress, 8080)
        let pre = nf.run(.prerouting, packet: &p, context: HookContext(inInterface: "eth0", addressTypes: hostTypes))
        XCTAssertEqual(pre.verdict, "ACCEPT")
        XCTAssertEqual(pre.tablesWalked, ["raw", "nat"])
        XCTAssertEqual(p.destination.description, "172.17.0.2")
        XCTAssertEqual(p.destinationPort, 80)
        XCTAssertEqual(pre.hits.last?.location, "rule 3 of nat/DOCKER")
        let fwd = nf.run(.forward, packet: &p, context: HookContext(inInterface: "eth0", outInterface: "docker0", addressTypes: hostTypes))
        XCTAssertEqual(fwd.verdict, "ACCEPT")
        XCTAssertEqual(fwd.hits.last?.location, "rule 1 of filter/DOCKER")
    }

    func testDockerDropsDirectAccessToAContainerAddress() throws {
        let nf = try docker()
        // raw PREROUTING refuses packets for the container address that did not come from its bridge.
        var p = tcp("198.51.100.7", "172.17.0.2", 80)
        let pre = nf.run(.prerouting, packet: &p, context: HookContext(inInterface: "eth0", addressTypes: hostTypes))
        XCTAssertEqual(pre.verdict, "DROP")
        XCTAssertEqual(pre.decidedBy?.location, "rule 1 of raw/PREROUTING")
        // An unpublished port reached by routing: the DOCKER chain's catch-all DROP.
        var q = tcp("198.51.100.7", "172.17.0.2", 22)
        let fwd = nf.run(.forward, packet: &q, context: HookContext(inInterface: "eth0", outInterface: "docker0", addressTypes: hostTypes))
        XCTAssertEqual(fwd.verdict, "DROP")
        XCTAssertEqual(fwd.decidedBy?.location, "rule 3 of filter/DOCKER")
        // Between two non-Docker links nothing accepts: the FORWARD policy decides.
        var r = tcp("198.51.100.7", "203.0.113.9", 22)
        let pol = nf.run(.forward, packet: &r, context: HookContext(inInterface: "eth0", outInterface: "eth1", addressTypes: hostTypes))
        XCTAssertEqual(pol.verdict, "DROP")
        XCTAssertEqual(pol.decidedBy?.location, "policy of filter/FORWARD")
        XCTAssertEqual(pol.decidedBy?.packets, 12)
    }

    func testGotoReturnsToTheCallerOfTheChainThatJumped() throws {
        let nf = try custom()
        // -g PT-TR-GOTO from PT-TR-FWD: its RETURN goes back to FORWARD (which ends in policy DROP), not to
        // PT-TR-FWD's rule 5, which would have accepted this web packet through PT-TR-WEB.
        var p = tcp("10.213.0.5", "10.213.122.50", 80)
        let ctx = HookContext(inInterface: "pttrbr0", outInterface: "pttrbr0", physdevIn: "pttrv1", physdevOut: "pttrv2",
                              bridged: true)
        let r = nf.run(.forward, packet: &p, context: ctx)
        XCTAssertEqual(r.verdict, "DROP")
        XCTAssertEqual(r.decidedBy?.location, "policy of filter/FORWARD")
        XCTAssertTrue(r.hits.contains { $0.effect == "goto PT-TR-GOTO" })
        XCTAssertFalse(r.hits.contains { $0.chain == "PT-TR-WEB" })
        // The same packet routed (not bridged) skips the goto and is accepted by PT-TR-WEB.
        var q = tcp("10.213.0.5", "10.213.122.50", 80)
        let routed = nf.run(.forward, packet: &q, context: HookContext(inInterface: "eth0", outInterface: "pttrbr0"))
        XCTAssertEqual(routed.verdict, "ACCEPT")
        XCTAssertEqual(routed.hits.last?.location, "rule 2 of filter/PT-TR-WEB")
        // An address in the iprange is dropped inside the goto chain.
        var d = TracePacket(family: .ipv4, source: IPAddress("10.213.0.5")!, destination: IPAddress("10.213.122.150")!, proto: "icmp", size: 84)
        let dropped = nf.run(.forward, packet: &d, context: ctx)
        XCTAssertEqual(dropped.decidedBy?.location, "rule 2 of filter/PT-TR-GOTO")
    }

    func testUnsupportedMatchIsReportedAsMayMatchNotAssumed() throws {
        let nf = try custom()
        var p = tcp("10.213.0.5", "10.213.122.50", 80)
        let r = nf.run(.forward, packet: &p, context: HookContext(inInterface: "eth0", outInterface: "pttrbr0"))
        XCTAssertEqual(r.uncertain.count, 1)
        XCTAssertEqual(r.uncertain.first?.location, "rule 2 of filter/PT-TR-FWD")
        XCTAssertEqual(r.uncertain.first?.certain, false)
        XCTAssertEqual(r.uncertain.first?.unevaluated.first?.hasPrefix("-m recent"), true)
        // A LOG/TCPMSS-like rule that may match changes nothing: reported in hits, not as an uncertainty.
        var icmp = TracePacket(family: .ipv4, source: IPAddress("10.213.0.5")!, destination: IPAddress("10.213.123.1")!, proto: "icmp", size: 84)
        let input = nf.run(.input, packet: &icmp, context: HookContext(inInterface: "eth0"))
        XCTAssertEqual(input.verdict, "DROP")
        XCTAssertEqual(input.uncertain.map(\.location), ["rule 3 of filter/INPUT"], "-m limit ACCEPT may match")
    }

    func testMarkSetInMangleIsSeenByFilter() throws {
        let nf = try custom()
        var p = tcp("10.213.122.7", "10.213.125.9", 8080)
        let ctxPre = HookContext(inInterface: "eth9")
        _ = nf.run(.prerouting, packet: &p, context: ctxPre)
        XCTAssertEqual(p.mark, 0x10)
        let r = nf.run(.forward, packet: &p, context: HookContext(inInterface: "eth9", outInterface: "eth8"))
        XCTAssertEqual(r.verdict, "ACCEPT")
        XCTAssertEqual(r.hits.last?.location, "rule 6 of filter/PT-TR-FWD")
        var q = tcp("10.213.122.7", "10.213.125.9", 9000)
        _ = nf.run(.prerouting, packet: &q, context: ctxPre)
        XCTAssertEqual(q.mark, 0)
        XCTAssertEqual(nf.run(.forward, packet: &q, context: HookContext(inInterface: "eth9", outInterface: "eth8")).verdict, "DROP")
    }

    func testInputRulesRejectAndAccept() throws {
        let nf = try custom()
        var ssh = tcp("10.213.0.7", "10.213.123.1", 22)
        let a = nf.run(.input, packet: &ssh, context: HookContext(inInterface: "eth0"))
        XCTAssertEqual(a.verdict, "ACCEPT")
        XCTAssertEqual(a.hits.last?.location, "rule 4 of filter/INPUT")
        var web = tcp("198.51.100.1", "10.213.123.1", 80)
        let r = nf.run(.input, packet: &web, context: HookContext(inInterface: "eth0"))
        XCTAssertEqual(r.verdict, "REJECT")
        XCTAssertEqual(r.decidedBy?.effect, "REJECT (tcp-reset)")
    }

    func testNatTargetsRedirectDnatSnat() throws {
        let nf = try custom()
        let types = AddressTypeTable(local: [IPPrefix(iptables: "10.213.123.1")!])
        var p = tcp("198.51.100.1", "10.213.123.1", 2222)
        _ = nf.run(.prerouting, packet: &p, context: HookContext(inInterface: "eth0", addressTypes: types,
                                                               redirectDestination: IPAddress("10.213.123.1")))
        XCTAssertEqual(p.destinationPort, 22)
        XCTAssertEqual(p.destination.description, "10.213.123.1")
        var u = TracePacket(family: .ipv4, source: IPAddress("198.51.100.1")!, destination: IPAddress("10.213.123.1")!, proto: "udp",
                            sourcePort: 5000, destinationPort: 5353, size: 60)
        _ = nf.run(.prerouting, packet: &u, context: HookContext(inInterface: "eth0", addressTypes: types))
        XCTAssertEqual(NetfilterEvaluator.endpoint(u.destination, u.destinationPort), "10.213.122.9:53")
        // From the bridge, the DNAT chain returns first: no translation.
        var b = u
        b.destination = IPAddress("10.213.123.1")!; b.destinationPort = 5353
        _ = nf.run(.prerouting, packet: &b, context: HookContext(inInterface: "pttrbr0", addressTypes: types))
        XCTAssertEqual(b.destinationPort, 5353)
        var s = tcp("10.213.122.7", "198.51.100.1", 443)
        _ = nf.run(.postrouting, packet: &s, context: HookContext(outInterface: "eth0"))
        XCTAssertEqual(s.source.description, "10.213.123.1")
        XCTAssertEqual(NetfilterEvaluator.natEndpoint("[fd13:120::9]:8080").0?.description, "fd13:120::9")
        XCTAssertEqual(NetfilterEvaluator.natEndpoint("[fd13:120::9]:8080").1, 8080)
    }

    func testNativeNftBaseChainsAreNamedAsNotEvaluated() {
        var fw = Firewall()
        fw.tables.append(FirewallTable(family: "inet", name: "pt-tr-filter", source: "nft", chains: [
            FirewallChain(name: "fwd", policy: "drop", hook: "forward"),
            FirewallChain(name: "in", policy: "accept", hook: "input"),
        ]))
        let nf = NetfilterEvaluator(firewall: fw, family: .ipv4)
        var p = tcp("10.0.0.1", "10.0.0.2", 80)
        XCTAssertEqual(nf.run(.forward, packet: &p, context: HookContext()).unevaluatedNft.count, 1)
        XCTAssertEqual(nf.run(.input, packet: &p, context: HookContext()).unevaluatedNft, [],
                       "an empty accept chain cannot change anything")
    }
}
