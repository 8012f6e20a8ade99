import XCTest
import PlumbModel
@testable import PlumbDoctor

/// The before/after comparison of a fix: the evaluator walks every flow of the namespace the fix changes on the
/// snapshot and on the snapshot with the plan applied; the finding's own flows must come out working and no
/// other flow may change, or the fix is not offered.
final class FixImpactTests: XCTestCase {
    let H = DoctorFixture.host

    func finding(_ f: DoctorFixture, _ id: String) throws -> Finding {
        try XCTUnwrap(Doctor.run(snapshot: f.snap).first { $0.id == id }, "\(Doctor.run(snapshot: f.snap).map(\.id))")
    }

    /// The same finding with another plan, judged again.
    func judge(_ f: DoctorFixture, _ finding: Finding, batch: String, family: String = "ipv4") -> FixImpact? {
        var g = finding
        g.fix = Plan(operation: .doctorFix(findingID: finding.id), steps: [.firewall(family: family, batch: batch, undo: "", in: .host)])
        return FixImpactJudge.judge(g, ctx: DoctorContext(snapshot: f.snap, inputs: DoctorInputs()))
    }

    func testMasqueradeFixMendsBothContainersAndNothingElse() throws {
        var f = DoctorFixture()
        f.editChain(H, "nat", "POSTROUTING") { $0.rules = [] }
        let impact = try XCTUnwrap(try finding(f, "no-masquerade:ns1:10.213.110.0/24").impact)
        XCTAssertTrue(impact.offered, impact.reason ?? "")
        XCTAssertEqual(impact.mends, true)
        XCTAssertEqual(impact.sideEffects, [])
        let concerned = impact.flows.filter(\.concerned)
        XCTAssertEqual(concerned.map(\.flow), ["tcp 10.213.110.2:40000 → 198.51.100.7:443 (c1 out of br0 to the outside)",
                                               "tcp 10.213.110.3:40000 → 198.51.100.7:443 (c2 out of br0 to the outside)"])
        XCTAssertEqual(concerned.first?.before, "forwarded out eth0")
        XCTAssertEqual(concerned.first?.after, "forwarded out eth0, source → 10.213.117.2")
        XCTAssertGreaterThan(impact.flowsCompared, concerned.count)
    }

    /// With a second bridge, Docker's own form of the rule (`! -o br0`) would also translate what c1 sends to
    /// br1's containers: not offered. The doctor's rule (`-o eth0`) changes only the way out.
    func testAMasqueradeThatAlsoTranslatesTrafficToAnotherBridgeIsNotOffered() throws {
        var f = DoctorFixture()
        f.editChain(H, "nat", "POSTROUTING") { $0.rules = [] }
        f.edit(H) {
            $0.links.append(Link(index: 6, name: "br1", kind: "bridge", flags: DoctorFixture.up, operState: "up", addresses: [IPPrefix("10.213.111.1/24")!]))
            $0.links.append(Link(index: 7, name: "vethC", kind: "veth", flags: DoctorFixture.up, operState: "up", master: LinkRef(index: 6),
                                 peer: RemoteLinkRef(namespace: 30, index: 2), bridgePort: BridgePortInfo(state: "forwarding", hairpin: false)))
            $0.routes.append(Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix("10.213.111.0/24"), dev: "br1", scope: "link"))
        }
        var c3 = DoctorFixture.container(30, "c3", 2, hostPort: 7)
        c3.links[1].addresses = [IPPrefix("10.213.111.2/24")!]
        c3.routes = [Route(family: .ipv4, table: 254, tableName: "main", dst: nil, gateway: IPAddress("10.213.111.1"), dev: "eth0")]
        f.snap.namespaces.append(c3)
        let x = try finding(f, "no-masquerade:ns1:10.213.110.0/24")
        XCTAssertTrue(x.impact?.offered ?? false, x.impact?.reason ?? "")
        let docker = try XCTUnwrap(judge(f, x, batch: "*nat\n-A POSTROUTING -s 10.213.110.0/24 ! -o br0 -j MASQUERADE\nCOMMIT\n"))
        XCTAssertFalse(docker.offered)
        XCTAssertEqual(docker.sideEffects.map(\.flow), ["tcp 10.213.110.2:40000 → 10.213.111.2:80 (from br0 to br1)"])
        XCTAssertEqual(docker.sideEffects.first?.after, "forwarded out br1, source → 10.213.111.1")
    }

    func testForwardDropFixOpensOnlyTheWayOut() throws {
        var f = DoctorFixture()
        f.editChain(H, "filter", "FORWARD") { $0.policy = "DROP" }
        let x = try finding(f, "forward-drop:ns1:ipv4:br0")
        let impact = try XCTUnwrap(x.impact)
        XCTAssertTrue(impact.offered, impact.reason ?? "")
        XCTAssertEqual(impact.mends, true)
        XCTAssertEqual(impact.flows.filter(\.concerned).first?.before, "dropped by policy of filter/FORWARD")
        // Setting the policy to ACCEPT mends it too, but also lets new connections from outside reach the
        // containers: not offered, and the comparison names those flows.
        let wide = try XCTUnwrap(judge(f, x, batch: "*filter\n-P FORWARD ACCEPT\nCOMMIT\n"))
        XCTAssertFalse(wide.offered)
        XCTAssertEqual(wide.mends, true)
        XCTAssertTrue(wide.sideEffects.contains { $0.flow.contains("new connection from outside on eth0 to c1") }, "\(wide.sideEffects)")
        XCTAssertTrue(wide.reason?.hasPrefix("it changes") ?? false, wide.reason ?? "")
        // A plan that changes nothing the finding is about does not mend it: not offered either.
        let idle = try XCTUnwrap(judge(f, x, batch: "*filter\n-A FORWARD -i br9 -j ACCEPT\nCOMMIT\n"))
        XCTAssertFalse(idle.offered)
        XCTAssertEqual(idle.mends, false)
        XCTAssertTrue(idle.reason?.contains("does not see it mend") ?? false, idle.reason ?? "")
    }

    func testForwardingFixConcernsEveryForwardedFlow() throws {
        var f = DoctorFixture()
        f.edit(H) { $0.sysctls.ipForward = false }
        let impact = try XCTUnwrap(try finding(f, "forwarding-off:ns1:ipv4").impact)
        XCTAssertTrue(impact.offered, impact.reason ?? "")
        XCTAssertEqual(impact.mends, true)
        XCTAssertTrue(impact.flows.allSatisfy { $0.concerned })
        XCTAssertEqual(impact.flows.first?.before, "not forwarded: forwarding is off")
    }

    func testRouteShadowFixGivesTheAddressBackToTheBridge() throws {
        var f = DoctorFixture()
        f.edit(H) { $0.routes.append(Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix("10.213.110.3/32"), gateway: IPAddress("10.213.117.9"), dev: "eth0")) }
        let impact = try XCTUnwrap(try finding(f, "route-shadow:ns1:br0:10.213.110.3/32").impact)
        XCTAssertTrue(impact.offered, impact.reason ?? "")
        XCTAssertEqual(impact.mends, true)
        let c2 = impact.flows.filter { $0.concerned && $0.flow.contains("to c2") }
        XCTAssertFalse(c2.isEmpty, "\(impact.flows)")
        XCTAssertTrue(c2.allSatisfy { $0.before.contains("out eth0") && $0.after.contains("out br0") }, "\(c2)")
    }

    func testStepsTheComparisonDoesNotModelAreListed() throws {
        var f = DoctorFixture()
        f.editLink(H, "vethA", { $0.mtu = 1400 })
        let x = try XCTUnwrap(Doctor.run(snapshot: f.snap).first { $0.check == "mtu-mismatch" })
        let impact = try XCTUnwrap(x.impact)
        XCTAssertTrue(impact.offered)
        XCTAssertNil(impact.mends)
        XCTAssertEqual(impact.notModelled.count, x.fix?.steps.count)
    }

    func testFirewallBatchEditsLikeIptablesRestore() throws {
        let fw = Firewall(tables: [FirewallTable(family: "ipv4", name: "filter", source: "iptables", chains: [
            FirewallChain(name: "FORWARD", policy: "DROP", rules: [FirewallRule(rule: "-i br0 -j ACCEPT", target: "ACCEPT")])])])
        let out = try XCTUnwrap(FirewallBatch.apply("""
            *filter
            :PT-X - [0:0]
            -I FORWARD 1 -o br0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A FORWARD -j PT-X
            -D FORWARD -i br0 -j ACCEPT
            -P FORWARD ACCEPT
            COMMIT
            *nat
            -A POSTROUTING -s 10.0.0.0/24 -j MASQUERADE
            COMMIT
            """, family: "ipv4", to: fw))
        let filter = try XCTUnwrap(out.tables.first { $0.name == "filter" })
        XCTAssertEqual(filter.chain("FORWARD")?.rules.map(\.rule), ["-o br0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "-j PT-X"])
        XCTAssertEqual(filter.chain("FORWARD")?.rules.last?.target, "PT-X")
        XCTAssertEqual(filter.chain("FORWARD")?.policy, "ACCEPT")
        XCTAssertNotNil(filter.chain("PT-X"))
        XCTAssertEqual(out.tables.first { $0.name == "nat" }?.chain("POSTROUTING")?.rules.count, 1)
        XCTAssertNil(FirewallBatch.apply("*filter\n-D FORWARD -i br7 -j ACCEPT\nCOMMIT\n", family: "ipv4", to: fw), "nothing to delete")
        XCTAssertNil(FirewallBatch.apply("*filter\n-Z FORWARD\nCOMMIT\n", family: "ipv4", to: fw), "not understood")
    }
}
