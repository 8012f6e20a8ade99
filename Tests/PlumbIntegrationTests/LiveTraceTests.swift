import Foundation
import Glibc
import XCTest

/// `plumb trace --live` against the real kernel, only between namespaces the test creates (10.213.52-53.0/24).
/// A router namespace carries a Docker-like rule set: a DNAT of a published port in nat PREROUTING (through a
/// user chain, as Docker's DOCKER chain), filter FORWARD with policy DROP and a user chain that accepts the
/// published target and ICMP. Each test checks the live probe's path, the rules it met, the comparison with
/// the static trace, and that no trace rule is left in any namespace afterwards (`nft list ruleset` compared).
final class LiveTraceTests: RootTestCase {
    var tag = ""
    var a = "", h = "", b = ""
    var stateDir = ""
    var cleanups: [() -> Void] = []
    var reaped: Set<pid_t> = []
    let aIP = "10.213.52.2", hA = "10.213.52.1", hB = "10.213.53.1", bIP = "10.213.53.2"

    override func setUpWithError() throws {
        try requireRoot()
        tag = String(format: "%03x", Int.random(in: 0..<4096))
        addTeardownBlock { [self] in for c in cleanups.reversed() { c() }; cleanups.removeAll() }
        a = try namespace("a"); h = try namespace("h"); b = try namespace("b")
        stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-lt-state-\(tag)-\(UUID().uuidString.prefix(6))").path
        let dir = stateDir
        cleanups.append { try? FileManager.default.removeItem(atPath: dir) }
        try Shell.run("ip", "-n", h, "link", "add", link("a"), "type", "veth", "peer", "name", "eth0", "netns", a)
        try Shell.run("ip", "-n", h, "link", "add", link("b"), "type", "veth", "peer", "name", "eth0", "netns", b)
        for (ns, dev, cidr) in [(a, "eth0", "\(aIP)/24"), (b, "eth0", "\(bIP)/24"), (h, link("a"), "\(hA)/24"), (h, link("b"), "\(hB)/24")] {
            try Shell.run("ip", "-n", ns, "addr", "add", cidr, "dev", dev)
            try Shell.run("ip", "-n", ns, "link", "set", dev, "up")
        }
        try Shell.run("ip", "-n", a, "route", "add", "default", "via", hA)
        try Shell.run("ip", "-n", b, "route", "add", "default", "via", hB)
        try Shell.run("ip", "netns", "exec", h, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        // Docker-like: DNAT of a published port, FORWARD policy DROP, an accept for the published target.
        let ipt = ["ip", "netns", "exec", h, "iptables"]
        try Shell.run(ipt + ["-t", "nat", "-N", "PT-DNAT"])
        try Shell.run(ipt + ["-t", "nat", "-A", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-j", "PT-DNAT"])
        try Shell.run(ipt + ["-t", "nat", "-A", "PT-DNAT", "-p", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", "\(bIP):80"])
        try Shell.run(ipt + ["-P", "FORWARD", "DROP"])
        try Shell.run(ipt + ["-N", "PT-FWD"])
        try Shell.run(ipt + ["-A", "FORWARD", "-j", "PT-FWD"])
        try Shell.run(ipt + ["-A", "PT-FWD", "-d", bIP, "-p", "tcp", "--dport", "80", "-j", "ACCEPT"])
        try Shell.run(ipt + ["-A", "PT-FWD", "-p", "icmp", "-j", "ACCEPT"])
    }

    // MARK: helpers

    func namespace(_ suffix: String) throws -> String {
        let name = "pt-lt-\(tag)-\(suffix)"
        try Shell.run("ip", "netns", "add", name)
        cleanups.append { _ = try? Shell.run(["ip", "netns", "del", name], check: false) }
        try Shell.run("ip", "-n", name, "link", "set", "lo", "up")
        return name
    }

    func link(_ suffix: String) -> String { "ptlt\(tag)\(suffix)" }

    var traceArgs: [String] { ["--state-dir", stateDir] }

    /// `nft list ruleset` of each test namespace (counters zeroed out of the comparison by `-s`).
    func rulesets() throws -> [String] {
        try [a, h, b].map { try Shell.run("ip", "netns", "exec", $0, "nft", "-s", "list", "ruleset") }
    }

    struct Live {
        var status: Int32
        var doc: [String: Any]
        var live: [String: Any] { doc["live"] as? [String: Any] ?? [:] }
        var verdict: String { live["verdict"] as? String ?? "" }
        var hops: [[String: Any]] { live["hops"] as? [[String: Any]] ?? [] }
        func passes(_ hop: Int) -> [[String: Any]] { hops.count > hop ? hops[hop]["passes"] as? [[String: Any]] ?? [] : [] }
        func rules(_ hop: Int) -> [String] { passes(hop).compactMap { $0["rule"] as? String } }
    }

    func live(_ args: String..., file: StaticString = #filePath, line: UInt = #line) throws -> Live {
        let r = try Shell.result([CLITests.binary, "trace"] + args + ["--live", "--json"] + traceArgs)
        let doc = try XCTUnwrap(try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
                                "trace --live --json: \(r.stdout) \(r.stderr)", file: file, line: line)
        return Live(status: r.status, doc: doc)
    }

    // MARK: tests

    func testLiveTracesThroughDockerLikeRulesAgreeWithTheStaticTrace() throws {
        let before = try rulesets()
        // The published port: DNAT in h, accepted in FORWARD, delivered to b (where nothing listens: the path
        // is still shown).
        let t = try live(a, hA, "--port", "8080")
        XCTAssertEqual(t.status, 0, "\(t.doc)")
        XCTAssertEqual(t.doc["verdict"] as? String, "DELIVERED", "the static trace")
        XCTAssertEqual(t.verdict, "PASSED", "\(t.live)")
        XCTAssertEqual(t.hops.map { $0["namespaceName"] as? String }, [a, h, b])
        XCTAssertEqual(t.hops.map { $0["seen"] as? Bool }, [true, true, true], "the probe was seen in every namespace")
        XCTAssertTrue(t.rules(1).contains("-p tcp -m tcp --dport 8080 -j DNAT --to-destination \(bIP):80"), "\(t.rules(1))")
        XCTAssertTrue(t.rules(1).contains("-d \(bIP)/32 -p tcp -m tcp --dport 80 -j ACCEPT"), "\(t.rules(1))")
        XCTAssertEqual(t.passes(1).first { ($0["rule"] as? String)?.contains("--to-destination") == true }?["verdict"] as? String, "accept")
        XCTAssertEqual(t.live["agrees"] as? Bool, true, "\(t.live["comparison"] ?? "")")
        let elapsed = try XCTUnwrap(t.live["elapsedMillis"] as? Int)
        XCTAssertLessThan(elapsed, 1000, "a live trace answers within 1 s of the probe")
        XCTAssertEqual(t.hops[1]["inInterface"] as? String, link("a"))
        XCTAssertEqual(t.hops[1]["outInterface"] as? String, link("b"))

        // UDP is not accepted: the FORWARD policy drops it, and both traces say so at hop 2.
        let d = try live(a, b, "--port", "53", "--proto", "udp")
        XCTAssertEqual(d.status, 3, "\(d.doc)")
        XCTAssertEqual(d.doc["verdict"] as? String, "DROPPED")
        XCTAssertEqual(d.verdict, "DROPPED", "\(d.live)")
        XCTAssertEqual(d.live["dropHop"] as? Int, 2)
        let by = try XCTUnwrap(d.hops[1]["droppedBy"] as? [String: Any], "\(d.hops)")
        XCTAssertEqual(by["kind"] as? String, "policy")
        XCTAssertEqual(by["chain"] as? String, "FORWARD")
        XCTAssertEqual(d.hops.map { $0["namespaceName"] as? String }, [a, h, b], "b, the named destination, is watched beyond the static path")
        XCTAssertEqual(d.hops.map { $0["seen"] as? Bool }, [true, true, false], "the dropped probe never reached b")
        XCTAssertEqual(d.live["agrees"] as? Bool, true, "\(d.live["comparison"] ?? "")")

        // A real disagreement: a native nft table drops ICMP in h. The static trace evaluates iptables only
        // (it names the table and answers UNKNOWN, assuming the packet passes); the live probe meets the rule.
        try Shell.run("ip", "netns", "exec", h, "nft", "add table inet ptlt; add chain inet ptlt ptfw { type filter hook forward priority 10; }; add rule inet ptlt ptfw icmp type echo-request drop")
        let n = try live(a, bIP)
        XCTAssertEqual(n.verdict, "DROPPED", "\(n.live)")
        let nby = try XCTUnwrap(n.hops[1]["droppedBy"] as? [String: Any])
        XCTAssertEqual(nby["table"] as? String, "ptlt")
        XCTAssertEqual(nby["rule"] as? String, "icmp type echo-request drop")
        XCTAssertEqual(n.live["agrees"] as? Bool, false, "the static trace passed ICMP through iptables: \(n.live["comparison"] ?? "")")
        try Shell.run("ip", "netns", "exec", h, "nft", "delete", "table", "inet", "ptlt")

        XCTAssertEqual(try rulesets(), before, "no trace rule is left in any namespace")
    }

    /// A blackhole route in h: the probe passes h's prerouting hook and dies in routing, outside netfilter.
    /// The live trace says LOST after hop 2: last seen in h, no rule dropped it.
    func testAProbeThatDiesOutsideNetfilterIsLost() throws {
        try Shell.run("ip", "-n", h, "route", "add", "blackhole", "\(bIP)/32")
        let t = try live(a, b)
        XCTAssertEqual(t.status, 3, "\(t.live)")
        XCTAssertEqual(t.doc["verdict"] as? String, "DROPPED", "the static trace sees the blackhole too")
        XCTAssertEqual(t.verdict, "LOST", "\(t.live)")
        XCTAssertEqual(t.live["dropHop"] as? Int, 2)
        XCTAssertEqual(t.hops.map { $0["seen"] as? Bool }, [true, true, false])
        XCTAssertTrue((t.live["reason"] as? String ?? "").contains("died outside netfilter"), "\(t.live)")
        // The kernel's own record of the drop (the drops feed, watching while the probe travelled).
        let drop = try XCTUnwrap(t.live["drop"] as? [String: Any], "no kernel drop record: \(t.live)")
        XCTAssertEqual(drop["namespaceName"] as? String, h, "\(drop)")
        XCTAssertFalse((drop["reason"] as? String ?? "").isEmpty, "\(drop)")
        XCTAssertFalse((drop["location"] as? String ?? "").hasPrefix("0x"), "the location is named: \(drop)")
        XCTAssertTrue((t.live["reason"] as? String ?? "").contains(drop["reason"] as? String ?? "-"), "\(t.live)")
    }

    func testTwoConcurrentTracesDoNotSeeEachOther() throws {
        let solo = try live(a, bIP)
        XCTAssertEqual(solo.verdict, "PASSED", "\(solo.live)")
        // Both hold their rules in place for a moment before sending, so both traces' tables exist at once.
        let outs = (0..<2).map { i in FileManager.default.temporaryDirectory.appendingPathComponent("pt-lt-\(tag)-\(i).json").path }
        defer { outs.forEach { try? FileManager.default.removeItem(atPath: $0) } }
        var pids: [pid_t] = []
        for o in outs {
            let args = ["/usr/bin/env", "PLUMB_TEST_LIVE_TRACE_PAUSE=0.5", CLITests.binary, "trace", a, bIP, "--live", "--json"] + traceArgs
            pids.append(try spawn(args, stdout: o))
        }
        for p in pids { XCTAssertEqual(wait(p), 0) }
        let docs = try outs.map { try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: $0))) as? [String: Any]) }
        let lives = docs.map { Live(status: 0, doc: $0) }
        XCTAssertNotEqual(lives[0].live["probe"].flatMap { ($0 as? [String: Any])?["tag"] as? Int },
                          lives[1].live["probe"].flatMap { ($0 as? [String: Any])?["tag"] as? Int }, "each probe has its own tag")
        for l in lives {
            XCTAssertEqual(l.verdict, "PASSED", "\(l.live)")
            XCTAssertEqual(l.rules(1), solo.rules(1), "each trace sees its own probe once, as when it runs alone")
        }
    }

    func testKill9MidTraceThenGcLeavesNoRule() throws {
        let before = try rulesets()
        let args = ["/usr/bin/env", "PLUMB_TEST_LIVE_TRACE_PAUSE=60", CLITests.binary, "trace", a, bIP, "--live"] + traceArgs
        let pid = try spawn(args, stdout: "/dev/null")
        try waitForTraceTable(in: h, pid: pid)
        kill(pid, SIGKILL)  // not reaped yet: still our child
        _ = wait(pid)
        XCTAssertNotEqual(try rulesets(), before, "the killed trace left its rules")
        let gc = try Shell.result([CLITests.binary, "gc"] + traceArgs)
        XCTAssertEqual(gc.status, 0, gc.stderr)
        XCTAssertEqual(try rulesets(), before, "plumb gc removed every trace rule: \(gc.stdout)")
    }

    func testCtrlCLeavesNoRule() throws {
        let before = try rulesets()
        let args = ["/usr/bin/env", "PLUMB_TEST_LIVE_TRACE_PAUSE=60", CLITests.binary, "trace", a, bIP, "--live"] + traceArgs
        let pid = try spawn(args, stdout: "/dev/null")
        try waitForTraceTable(in: h, pid: pid)
        kill(pid, SIGINT)
        XCTAssertEqual(wait(pid), 130, "interrupted")
        XCTAssertEqual(try rulesets(), before, "Ctrl-C removed every trace rule")
        let gc = try Shell.result([CLITests.binary, "gc", "--dry-run"] + traceArgs)
        XCTAssertFalse(gc.stdout.contains("trace --live"), "nothing left for gc: \(gc.stdout)")
    }

    // MARK: processes

    func waitForTraceTable(in ns: String, pid: pid_t, file: StaticString = #filePath, line: UInt = #line) throws {
        for _ in 0..<200 {
            if try Shell.run("ip", "netns", "exec", ns, "nft", "list", "tables").contains("plumb_trace_\(pid)_") { return }
            usleep(50_000)
        }
        if !reaped.contains(pid) { kill(pid, SIGKILL); _ = wait(pid) }
        XCTFail("the trace never added its table in \(ns)", file: file, line: line)
        throw Shell.Failed(command: ["trace"], status: 1, stderr: "no trace table")
    }

    /// Starts `args` with stdout to a file (stderr discarded); the test ends it by pid.
    func spawn(_ args: [String], stdout: String) throws -> pid_t {
        var fa = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fa)
        defer { posix_spawn_file_actions_destroy(&fa) }
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fa, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0]!, &fa, nil, argv, environ)
        guard rc == 0 else { throw Shell.Failed(command: args, status: rc, stderr: String(cString: strerror(rc))) }
        // Only a child not yet reaped is killed: a reaped pid may belong to someone else by now.
        cleanups.append { [self] in if !reaped.contains(pid) { kill(pid, SIGKILL); _ = wait(pid) } }
        return pid
    }

    /// Waits for `pid`; its exit code (128 + signal when killed).
    func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        reaped.insert(pid)
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
