import Foundation
import XCTest
import PlumbActions
import PlumbKernel
import PlumbModel

/// The bridge driver's plans, applied by the executor to real namespaces. A test namespace stands in for the
/// host, so nothing outside pt-* namespaces is touched.
final class BridgeDriverTests: RootTestCase {
    var lab: TestLab!
    var host = "", a = "", b = "", c = ""

    override func setUpWithError() throws {
        try requireRoot()
        lab = TestLab()
        addTeardownBlock { [lab] in lab?.cleanup() }
        host = try lab.addNamespace("h")
        a = try lab.addNamespace("a"); b = try lab.addNamespace("b"); c = try lab.addNamespace("c")
    }

    func spec(_ name: String, _ third: Int, internal: Bool = false) -> NetworkSpec {
        NetworkSpec(name: "pt\(name)", config: .bridge(BridgeConfig(bridge: lab.linkName(name))), subnet: IPPrefix("10.213.\(third).0/24")!,
                    gateway: IPAddress("10.213.\(third).1")!, internal: `internal`, hostNamespace: .named(host))
    }

    func firewall(_ ns: String) throws -> Firewall {
        let snap = SnapshotReader().read(target: ns)
        return try XCTUnwrap(snap.namespaces.first { $0.names.contains(ns) }).firewall
    }

    func endpoint(_ ns: String, _ ip: String, host hostIf: String) -> EndpointSpec {
        EndpointSpec(sandbox: .named(ns), ifname: "eth0", hostIfname: lab.linkName(hostIf), address: IPAddress(ip), defaultRoute: true)
    }

    func pings(_ from: String, _ to: String) -> Bool {
        (try? Shell.result(["ip", "netns", "exec", from, "ping", "-c", "1", "-W", "1", to]).status) == 0
    }

    func testConnectivityIsolationAndExactTeardown() throws {
        let driver = BridgeDriver()
        let exec = PlanExecutor()
        let beforeLinks = try Shell.run("ip", "-n", host, "-j", "link", "show")
        let beforeRules = try Shell.run("ip", "netns", "exec", host, "iptables-save")
            .split(separator: "\n").filter { !$0.hasPrefix("#") }

        let n1 = spec("n1", 70), n2 = spec("n2", 71)
        try exec.apply(try driver.create(n1, firewall: try firewall(host)))
        try exec.apply(try driver.create(n2, firewall: try firewall(host)))
        let ea = endpoint(a, "10.213.70.2", host: "va"), eb = endpoint(b, "10.213.70.3", host: "vb")
        let ec = endpoint(c, "10.213.71.2", host: "vc")
        for (n, e) in [(n1, ea), (n1, eb), (n2, ec)] { try exec.apply(try driver.join(n, e)) }

        XCTAssertTrue(pings(a, "10.213.70.3"), "same network: reachable")
        XCTAssertTrue(pings(a, "10.213.70.1"), "gateway reachable")
        XCTAssertFalse(pings(a, "10.213.71.2"), "different networks are isolated")
        XCTAssertTrue(pings(c, "10.213.71.1"))

        let save = try Shell.run("ip", "netns", "exec", host, "iptables-save")
        XCTAssertTrue(save.contains("-A PLUMB-POSTROUTING -s 10.213.70.0/24 ! -o \(lab.linkName("n1")) -m comment --comment \"plumb:ptn1\" -j MASQUERADE"), save)
        XCTAssertTrue(save.contains("-A FORWARD -j PLUMB-FORWARD"))
        XCTAssertEqual(try Shell.run("ip", "netns", "exec", host, "cat", "/proc/sys/net/ipv4/ip_forward"), "1\n")

        // Plumb's own snapshot sees the wiring it made.
        let snap = SnapshotReader().read()
        let hostNs = try XCTUnwrap(snap.namespaces.first { $0.names.contains(host) })
        let aNs = try XCTUnwrap(snap.namespaces.first { $0.names.contains(a) })
        let va = try XCTUnwrap(hostNs.link(named: lab.linkName("va")))
        XCTAssertEqual(va.master.flatMap { hostNs.link(index: $0.index)?.name }, lab.linkName("n1"))
        XCTAssertEqual(va.peer?.namespace, aNs.id)
        XCTAssertEqual(aNs.link(named: "eth0")?.addresses, [IPPrefix("10.213.70.2/24")!])
        XCTAssertEqual(aNs.routes.first { $0.isDefault }?.gateway?.description, "10.213.70.1")

        for (n, e) in [(n1, ea), (n1, eb), (n2, ec)] { try exec.apply(try driver.leave(n, e)) }
        try exec.apply(try driver.remove(n1, firewall: try firewall(host)))
        try exec.apply(try driver.remove(n2, firewall: try firewall(host)))

        XCTAssertEqual(try Shell.run("ip", "-n", host, "-j", "link", "show"), beforeLinks, "links exactly as before")
        let afterRules = try Shell.run("ip", "netns", "exec", host, "iptables-save")
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(afterRules.filter { !$0.hasPrefix(":") && !$0.hasPrefix("*") && $0 != "COMMIT" },
                       beforeRules.filter { !$0.hasPrefix(":") && !$0.hasPrefix("*") && $0 != "COMMIT" },
                       "rules exactly as before")
        XCTAssertFalse(afterRules.contains { $0.contains("PLUMB") }, "\(afterRules)")
        XCTAssertEqual(try Shell.run("ip", "-n", a, "-j", "addr", "show").contains("10.213.70.2"), false)
    }

    func testTeardownLeavesOtherToolsRulesAlone() throws {
        // A rule made by someone else in FORWARD, and one in a foreign chain, must survive Plumb's teardown.
        try Shell.run("ip", "netns", "exec", host, "iptables", "-A", "FORWARD", "-s", "10.213.99.0/24", "-j", "ACCEPT")
        try Shell.run("ip", "netns", "exec", host, "iptables", "-N", "PT-OTHER")
        let driver = BridgeDriver(), exec = PlanExecutor()
        let n = spec("n3", 72)
        try exec.apply(try driver.create(n, firewall: try firewall(host)))
        try exec.apply(try driver.remove(n, firewall: try firewall(host)))
        let save = try Shell.run("ip", "netns", "exec", host, "iptables-save")
        XCTAssertTrue(save.contains("-A FORWARD -s 10.213.99.0/24 -j ACCEPT"), save)
        XCTAssertTrue(save.contains(":PT-OTHER"), save)
        XCTAssertFalse(save.contains("PLUMB"), save)
    }

    func testFailedPlanIsRolledBackCompletely() throws {
        let before = try Shell.run("ip", "-n", host, "-j", "link", "show")
        var plan = try BridgeDriver().create(spec("n4", 73), firewall: try firewall(host))
        // Inject a failure after the bridge exists and has its address.
        plan.steps.insert(.addAddress(cidr: IPPrefix("10.213.73.9/24")!, link: "ptnosuchdev", in: .named(host)), at: 3)
        XCTAssertThrowsError(try PlanExecutor().apply(plan)) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("ptnosuchdev"), text)
            XCTAssertTrue(text.contains("rolled back"), text)
        }
        XCTAssertEqual(try Shell.run("ip", "-n", host, "-j", "link", "show"), before)
    }

    func testDryRunTextReadsLikeIpCommands() throws {
        let plan = try BridgeDriver().create(spec("n5", 74), firewall: Firewall())
        let text = plan.steps.map(\.description).joined(separator: "\n")
        XCTAssertTrue(text.contains("ip -n \(host) link add \(lab.linkName("n5")) type bridge"), text)
        XCTAssertTrue(text.contains("ip -n \(host) addr add 10.213.74.1/24 dev \(lab.linkName("n5"))"), text)
        XCTAssertTrue(text.contains("iptables-restore --noflush"), text)
        XCTAssertTrue(text.contains(":PLUMB-FORWARD - [0:0]"), "shared chains are created when missing: \(text)")
    }
}
