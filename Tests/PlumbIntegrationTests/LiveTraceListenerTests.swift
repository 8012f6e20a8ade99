import Foundation
import Glibc
import XCTest

/// `plumb trace --live` to a port where something really listens: two test namespaces on a bridge (the bridge
/// in a third namespace, as a container runtime's bridge), a TCP listener started by the test in the second
/// (busybox nc, persistent), IPv4 10.213.54.0/24 and IPv6 fd13:54::/64. The TCP handshake completes, so these
/// tests show that only the probe's SYN is traced (the ACK that follows would match ESTABLISHED rules), and
/// that a REJECT or DROP rule in front of the listener is named as the rule that stopped the probe.
final class LiveTraceListenerTests: RootTestCase {
    var tag = ""
    var c1 = "", c2 = "", sw = ""
    var stateDir = ""
    var cleanups: [() -> Void] = []
    let ip1 = "10.213.54.2", ip2 = "10.213.54.3", ip6a = "fd13:54::2", ip6b = "fd13:54::3", port = "8080"

    override func setUpWithError() throws {
        try requireRoot()
        tag = String(format: "%03x", Int.random(in: 0..<4096))
        addTeardownBlock { [self] in for c in cleanups.reversed() { c() }; cleanups.removeAll() }
        sw = try namespace("sw"); c1 = try namespace("c1"); c2 = try namespace("c2")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-ltl-state-\(tag)-\(UUID().uuidString.prefix(6))").path
        stateDir = dir
        cleanups.append { try? FileManager.default.removeItem(atPath: dir) }
        let br = "ptltl\(tag)br"
        try Shell.run("ip", "-n", sw, "link", "add", br, "type", "bridge")
        try Shell.run("ip", "-n", sw, "link", "set", br, "up")
        for (ns, v4, v6, end) in [(c1, ip1, ip6a, "a"), (c2, ip2, ip6b, "b")] {
            let port = "ptltl\(tag)\(end)"
            try Shell.run("ip", "-n", sw, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns)
            try Shell.run("ip", "-n", sw, "link", "set", port, "master", br, "up")
            try Shell.run("ip", "-n", ns, "addr", "add", "\(v4)/24", "dev", "eth0")
            // nodad: the address is usable at once, not after duplicate address detection's second.
            try Shell.run("ip", "-n", ns, "addr", "add", "\(v6)/64", "dev", "eth0", "nodad")
            try Shell.run("ip", "-n", ns, "link", "set", "eth0", "up")
        }
        // One listener for every probe of a test: -ll keeps accepting, -e answers each connection and closes it.
        let listener = try Shell.spawn(["ip", "netns", "exec", c2, "busybox", "nc", "-ll", "-p", port, "-e", "/bin/true"])
        cleanups.append { kill(listener.pid, SIGKILL); listener.waitUntilExit() }
        try waitForListener()
    }

    // MARK: helpers

    func namespace(_ suffix: String) throws -> String {
        let name = "pt-ltl-\(tag)-\(suffix)"
        try Shell.run("ip", "netns", "add", name)
        cleanups.append { _ = try? Shell.run(["ip", "netns", "del", name], check: false) }
        try Shell.run("ip", "-n", name, "link", "set", "lo", "up")
        return name
    }

    func waitForListener() throws {
        for _ in 0..<100 {
            if try Shell.run("ip", "netns", "exec", c2, "ss", "-Htln", "sport", "= :\(port)").contains(port) { return }
            usleep(20_000)
        }
        XCTFail("the test's listener never listened on :\(port) in \(c2)")
    }

    /// `nft list ruleset` of each test namespace.
    func rulesets() throws -> [String] {
        try [sw, c1, c2].map { try Shell.run("ip", "netns", "exec", $0, "nft", "-s", "list", "ruleset") }
    }

    func live(_ args: String..., file: StaticString = #filePath, line: UInt = #line) throws -> LiveTraceTests.Live {
        let r = try Shell.result([CLITests.binary, "trace"] + args + ["--live", "--json", "--state-dir", stateDir])
        let doc = try XCTUnwrap(try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
                                "trace --live --json: \(r.stdout) \(r.stderr)", file: file, line: line)
        return LiveTraceTests.Live(status: r.status, doc: doc)
    }

    func ipt(_ args: String...) throws { try Shell.run(["ip", "netns", "exec", c2, "iptables"] + args) }

    // MARK: tests

    /// The probe's SYN reaches the listener across the bridge; the handshake completes, and only the SYN is
    /// traced: c2's ESTABLISHED rule (first in INPUT) never shows, the port's ACCEPT rule does, once.
    func testATCPProbeToAListenerPassesAndOnlyItsSYNIsTraced() throws {
        try ipt("-A", "INPUT", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT")
        try ipt("-A", "INPUT", "-p", "tcp", "--dport", port, "-j", "ACCEPT")
        let before = try rulesets()
        let t = try live(c1, c2, "--port", port)
        XCTAssertEqual(t.status, 0, "\(t.doc)")
        XCTAssertEqual(t.doc["verdict"] as? String, "DELIVERED", "the static trace")
        XCTAssertEqual(t.verdict, "PASSED", "\(t.live)")
        XCTAssertEqual(t.hops.map { $0["namespaceName"] as? String }, [c1, sw, c2])
        // The bridge's namespace sees the frame only when br_netfilter is loaded (Docker loads it): either way it agrees.
        XCTAssertEqual(t.hops[0]["seen"] as? Bool, true)
        XCTAssertEqual(t.hops[2]["seen"] as? Bool, true)
        let rules = t.rules(2)
        XCTAssertEqual(rules.filter { $0 == "-p tcp -m tcp --dport \(port) -j ACCEPT" }.count, 1, "the SYN met the port's rule once: \(rules)")
        XCTAssertFalse(rules.contains { $0.contains("ESTABLISHED") }, "the handshake's ACK was traced too: \(rules)")
        XCTAssertEqual(t.live["agrees"] as? Bool, true, "\(t.live["comparison"] ?? "")")
        XCTAssertLessThan(try XCTUnwrap(t.live["elapsedMillis"] as? Int), 1000)
        XCTAssertEqual(try rulesets(), before, "no trace rule is left")
    }

    /// IPv6: a TCP SYN to the listener and an ICMPv6 echo, both from fd13:54::2 across the bridge; then an
    /// ip6tables DROP rule in front of the listener, named by the live trace.
    func testIPv6ProbesToTheListener() throws {
        let before = try rulesets()
        let t = try live(c1, ip6b, "--port", port)
        XCTAssertEqual(t.status, 0, "\(t.doc)")
        XCTAssertEqual(t.verdict, "PASSED", "\(t.live)")
        XCTAssertEqual((t.live["probe"] as? [String: Any])?["destination"] as? String, ip6b)
        XCTAssertEqual(t.hops.map { $0["namespaceName"] as? String }, [c1, sw, c2])
        XCTAssertEqual(t.hops[2]["seen"] as? Bool, true, "\(t.hops)")
        XCTAssertEqual(t.live["agrees"] as? Bool, true, "\(t.live["comparison"] ?? "")")

        let e = try live(c1, "\(c2)@\(ip6b)")
        XCTAssertEqual(e.verdict, "PASSED", "\(e.live)")
        XCTAssertEqual((e.live["probe"] as? [String: Any])?["proto"] as? String, "icmpv6")
        XCTAssertEqual(e.hops[2]["seen"] as? Bool, true, "\(e.hops)")

        try Shell.run("ip", "netns", "exec", c2, "ip6tables", "-A", "INPUT", "-p", "tcp", "--dport", port, "-j", "DROP")
        let d = try live(c1, ip6b, "--port", port)
        XCTAssertEqual(d.status, 3, "\(d.doc)")
        XCTAssertEqual(d.verdict, "DROPPED", "\(d.live)")
        let by = try XCTUnwrap(d.hops[2]["droppedBy"] as? [String: Any], "\(d.hops)")
        XCTAssertEqual(by["family"] as? String, "ip6")
        XCTAssertEqual(by["chain"] as? String, "INPUT")
        XCTAssertTrue((by["rule"] as? String ?? "").hasPrefix("-p tcp -m tcp --dport \(port) -j DROP"), "\(by)")
        // ip6tables-nft made the ip6 filter table for the rule: it goes too, so the ruleset is as before.
        try Shell.run("ip", "netns", "exec", c2, "nft", "delete", "table", "ip6", "filter")
        XCTAssertEqual(try rulesets(), before, "no trace rule is left")
    }

    /// A REJECT and then a DROP rule in front of the listener: both traces stop at c2, and the live one names
    /// the rule (its iptables-save line) and its chain.
    func testARejectOrDropRuleInFrontOfTheListenerIsNamed() throws {
        for target in ["REJECT", "DROP"] {
            var spec = ["-p", "tcp", "--dport", port, "-j", target]
            if target == "REJECT" { spec += ["--reject-with", "tcp-reset"] }
            try Shell.run(["ip", "netns", "exec", c2, "iptables", "-I", "INPUT"] + spec)
            let t = try live(c1, c2, "--port", port)
            XCTAssertEqual(t.status, 3, "\(target): \(t.doc)")
            XCTAssertEqual(t.doc["verdict"] as? String, "DROPPED", "\(target): the static trace")
            XCTAssertEqual(t.verdict, "DROPPED", "\(target): \(t.live)")
            XCTAssertEqual(t.live["dropHop"] as? Int, 3, "\(target)")
            let by = try XCTUnwrap(t.hops[2]["droppedBy"] as? [String: Any], "\(target): \(t.hops)")
            XCTAssertEqual(by["chain"] as? String, "INPUT", "\(target)")
            XCTAssertEqual(by["index"] as? Int, 1, "\(target)")
            let rule = try XCTUnwrap(by["rule"] as? String)
            XCTAssertTrue(rule.hasPrefix("-p tcp -m tcp --dport \(port) -j \(target)"), "\(target): \(rule)")
            XCTAssertEqual(t.live["agrees"] as? Bool, true, "\(target): \(t.live["comparison"] ?? "")")
            try Shell.run(["ip", "netns", "exec", c2, "iptables", "-D", "INPUT"] + spec)
        }
    }
}
