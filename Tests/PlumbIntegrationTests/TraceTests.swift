import Foundation
import Glibc
import XCTest

/// `plumb trace` against the real kernel. A pt-tr namespace plays the host: a Plumb bridge network (built with
/// `plumb net --host-ns`) holds two endpoints, and a veth leads to an "outside" namespace. Each test injects one
/// fault, checks with real traffic (ping, busybox wget, iptables counters) that it breaks, and checks that the trace names exactly the hop
/// and the reason.
final class TraceTests: RootTestCase {
    var tag = ""
    var host = "", a = "", b = "", outside = ""
    var stateDir = ""
    var cleanups: [() -> Void] = []
    let bIP = "10.213.124.3", aIP = "10.213.124.2", upIP = "10.213.125.1", outsideIP = "10.213.125.2"

    override func setUpWithError() throws {
        try requireRoot()
        tag = String(format: "%03x", Int.random(in: 0..<4096))
        addTeardownBlock { [self] in for c in cleanups.reversed() { c() }; cleanups.removeAll() }
        host = try namespace("h")
        a = try namespace("a")
        b = try namespace("b")
        outside = try namespace("x")
        stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-tr-state-\(tag)-\(UUID().uuidString.prefix(6))").path
        let dir = stateDir
        cleanups.append { try? FileManager.default.removeItem(atPath: dir) }
        try Shell.run("ip", "netns", "exec", host, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        try ok(plumb("net", "create", "pttr\(tag)", "--subnet", "10.213.124.0/24", "--bridge", link("br")))
        try ok(plumb("net", "connect", "pttr\(tag)", a, "--ip", aIP))
        try ok(plumb("net", "connect", "pttr\(tag)", b, "--ip", bIP))
        // The outside world: a veth from the host namespace to a namespace that has no route back (MASQUERADE).
        try Shell.run("ip", "-n", host, "link", "add", link("up"), "type", "veth", "peer", "name", "eth0", "netns", outside)
        try Shell.run("ip", "-n", host, "addr", "add", "\(upIP)/24", "dev", link("up"))
        try Shell.run("ip", "-n", host, "link", "set", link("up"), "up")
        try Shell.run("ip", "-n", outside, "addr", "add", "\(outsideIP)/24", "dev", "eth0")
        try Shell.run("ip", "-n", outside, "link", "set", "eth0", "up")
    }

    // MARK: helpers

    func namespace(_ suffix: String) throws -> String {
        let name = "pt-tr-\(tag)-\(suffix)"
        try Shell.run("ip", "netns", "add", name)
        cleanups.append { _ = try? Shell.run(["ip", "netns", "del", name], check: false) }
        try Shell.run("ip", "-n", name, "link", "set", "lo", "up")
        return name
    }

    func link(_ suffix: String) -> String { "pttr\(tag)\(suffix)" }

    func plumb(_ args: String...) throws -> (status: Int32, stdout: String, stderr: String) {
        try Shell.result([CLITests.binary] + args + ["--state-dir", stateDir, "--host-ns", host])
    }

    func ok(_ r: (status: Int32, stdout: String, stderr: String), file: StaticString = #filePath, line: UInt = #line) throws {
        if r.status != 0 { XCTFail("plumb failed: \(r.stderr)", file: file, line: line); throw Shell.Failed(command: [], status: r.status, stderr: r.stderr) }
    }

    struct Trace {
        var status: Int32
        var doc: [String: Any]
        var text: String
        var verdict: String { doc["verdict"] as? String ?? "" }
        var reason: String { doc["reason"] as? String ?? "" }
        var dropHop: Int? { doc["dropHop"] as? Int }
        var hops: [[String: Any]] { doc["hops"] as? [[String: Any]] ?? [] }
        var hopNames: [String] { hops.map { $0["namespaceName"] as? String ?? "?" } }
    }

    /// Runs `plumb trace` twice (JSON and text) and checks the two agree on the verdict and exit code.
    func trace(_ args: String..., file: StaticString = #filePath, line: UInt = #line) throws -> Trace {
        let j = try Shell.result([CLITests.binary, "trace"] + args + ["--json"])
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any],
                                "trace --json: \(j.stdout) \(j.stderr)", file: file, line: line)
        let t = try Shell.result([CLITests.binary, "trace"] + args)
        XCTAssertEqual(t.status, j.status, "text and JSON runs end the same", file: file, line: line)
        let r = Trace(status: j.status, doc: doc, text: t.stdout)
        let last = t.stdout.split(separator: "\n").last { !$0.hasPrefix("  ?") && !$0.hasPrefix("Not evaluated") } ?? ""
        XCTAssertTrue(last.hasPrefix(r.verdict == "LEFT-HOST" ? "LEFT THE HOST" : r.verdict), "text ends with the verdict: \(last)",
                      file: file, line: line)
        return r
    }

    func pings(from ns: String, _ ip: String, extra: [String] = []) throws -> Bool {
        try Shell.result(["ip", "netns", "exec", ns, "ping", "-c", "2", "-i", "0.2", "-W", "1"] + extra + [ip]).status == 0
    }

    // MARK: tests

    func testHealthyPathsAreDeliveredAndTrafficFlows() throws {
        XCTAssertTrue(try pings(from: a, bIP))
        let t = try trace(a, b)
        XCTAssertEqual(t.status, 0, t.text)
        XCTAssertEqual(t.verdict, "DELIVERED", t.text)
        XCTAssertEqual(t.hopNames, [a, host, b])
        XCTAssertEqual(t.hops[1]["bridge"] as? String, link("br"))
        XCTAssertEqual(t.hops[1]["role"] as? String, "bridge")
        XCTAssertTrue(t.text.contains("bridge-nf-call-iptables = 1"), t.text)
        XCTAssertTrue(t.text.contains("-i \(link("br")) -o \(link("br"))"), "the bridge's FORWARD accept rule is shown: \(t.text)")
        // The bridge's FDB, as `bridge fdb show` has it: b's MAC learned on the port the trace leaves through.
        let mac = try Shell.run("ip", "netns", "exec", b, "cat", "/sys/class/net/eth0/address")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let fdb = try Shell.run("bridge", "-n", host, "fdb", "show", "br", link("br"))
        let port = try XCTUnwrap(fdb.split(separator: "\n").first { $0.hasPrefix(mac) && !$0.contains("permanent") }?
            .split(separator: " ").dropFirst(2).first.map(String.init), fdb)
        XCTAssertEqual(t.hops[1]["outInterface"] as? String, port)
        XCTAssertTrue(t.text.contains("fdb: \(mac) on \(port) (learned)"), t.text)

        // Routed and masqueraded out of the host namespace.
        XCTAssertTrue(try pings(from: a, outsideIP))
        let r = try trace(a, outsideIP)
        XCTAssertEqual(r.verdict, "DELIVERED", r.text)
        XCTAssertEqual(r.hopNames, [a, host, outside])
        XCTAssertEqual(r.hops[1]["role"] as? String, "forward")
        XCTAssertEqual((r.hops[1]["packet"] as? [String: Any])?["source"] as? String, upIP, "MASQUERADE to the out link's address")
        XCTAssertTrue(r.text.contains("MASQUERADE → \(upIP)"), r.text)
        // The kernel's own route answer for the endpoint, as `ip route get` gives it.
        let kernel = try Shell.run("ip", "-n", a, "route", "get", outsideIP)
        XCTAssertTrue(kernel.contains("via 10.213.124.1 dev eth0"), kernel)
        XCTAssertTrue(r.text.contains("unicast via 10.213.124.1 dev eth0"), r.text)
    }

    func testForwardingOffInTheHostNamespace() throws {
        try Shell.run("ip", "netns", "exec", host, "sysctl", "-qw", "net.ipv4.ip_forward=0")
        XCTAssertFalse(try pings(from: a, outsideIP), "oracle: routed traffic stops")
        let t = try trace(a, outsideIP)
        XCTAssertEqual(t.status, 3)
        XCTAssertEqual(t.verdict, "DROPPED")
        XCTAssertEqual(t.dropHop, 2)
        XCTAssertEqual(t.hopNames.last, host)
        XCTAssertTrue(t.reason.contains("IP forwarding is off in \(host) (net.ipv4.ip_forward = 0)"), t.reason)
        // Bridged traffic does not need forwarding: both the trace and ping agree.
        XCTAssertTrue(try pings(from: a, bIP))
        XCTAssertEqual(try trace(a, b).verdict, "DELIVERED")
    }

    func testForwardPolicyDropWithoutAnAcceptPath() throws {
        try Shell.run("ip", "netns", "exec", host, "iptables", "-D", "FORWARD", "-j", "PLUMB-FORWARD")
        try Shell.run("ip", "netns", "exec", host, "iptables", "-P", "FORWARD", "DROP")
        XCTAssertFalse(try pings(from: a, outsideIP))
        let t = try trace(a, outsideIP)
        XCTAssertEqual(t.status, 3)
        XCTAssertEqual(t.dropHop, 2)
        XCTAssertTrue(t.reason.contains("\(host): the FORWARD policy DROP of table filter"), t.reason)
        // The policy counter the trace quotes is the kernel's (iptables-save -c, read right after).
        let save = try Shell.run("ip", "netns", "exec", host, "iptables-save", "-c", "-t", "filter")
        let policy = try XCTUnwrap(save.split(separator: "\n").first { $0.hasPrefix(":FORWARD DROP") })
        let packets = policy.split(separator: "[").last?.split(separator: ":").first.map(String.init) ?? "?"
        XCTAssertNotEqual(packets, "0", "the pings above were counted by the policy")
        XCTAssertTrue(t.reason.contains("[\(packets) packets,"), "\(t.reason) vs \(policy)")
    }

    func testDropRuleInAChainIsNamedWithItsCounters() throws {
        let x = ["ip", "netns", "exec", host, "iptables"]
        try Shell.run(x + ["-N", "PT-TR-BLOCK"])
        try Shell.run(x + ["-A", "PT-TR-BLOCK", "-d", "\(bIP)/32", "-p", "icmp", "-j", "DROP"])
        try Shell.run(x + ["-I", "FORWARD", "1", "-j", "PT-TR-BLOCK"])
        XCTAssertFalse(try pings(from: a, bIP), "oracle: the rule drops the bridged pings (br_netfilter)")
        let t = try trace(a, b)
        XCTAssertEqual(t.status, 3)
        XCTAssertEqual(t.dropHop, 2)
        XCTAssertTrue(t.reason.contains("rule 1 of filter/PT-TR-BLOCK (-d \(bIP)/32 -p icmp -j DROP) drops it [2 packets"),
                      t.reason)
        // TCP to b is not matched by the icmp rule.
        let tcp = try trace(a, b, "--port", "80")
        XCTAssertEqual(tcp.verdict, "DELIVERED", tcp.text)
    }

    func testVethEndDown() throws {
        try Shell.run("ip", "-n", b, "link", "set", "eth0", "down")
        XCTAssertFalse(try pings(from: a, bIP))
        let t = try trace(a, b + "@" + bIP)
        XCTAssertEqual(t.status, 3)
        XCTAssertEqual(t.dropHop, 2)
        XCTAssertTrue(t.reason.contains("is disabled, not forwarding (no carrier: its veth peer eth0 in \(b) is down)"), t.reason)
        // The sender's own end down: its routes are gone with it, and the trace says why.
        try Shell.run("ip", "-n", b, "link", "set", "eth0", "up")
        XCTAssertTrue(try pings(from: a, bIP))
        try Shell.run("ip", "-n", a, "link", "set", "eth0", "down")
        XCTAssertFalse(try pings(from: a, bIP))
        let s = try trace(a, b + "@" + bIP)
        XCTAssertEqual(s.dropHop, 1)
        XCTAssertTrue(s.reason.contains("no route to \(bIP) in \(a): it has no default route and no route covering it (eth0 is down, and its routes with it)"), s.reason)
    }

    func testDefaultRouteRemovedFromTheEndpoint() throws {
        try Shell.run("ip", "-n", a, "route", "del", "default")
        let ping = try Shell.result(["ip", "netns", "exec", a, "ping", "-c", "1", "-W", "1", outsideIP])
        XCTAssertNotEqual(ping.status, 0)
        XCTAssertTrue(ping.stderr.contains("Network is unreachable") || ping.stdout.contains("unreachable"), ping.stderr)
        let t = try trace(a, outsideIP)
        XCTAssertEqual(t.status, 3)
        XCTAssertEqual(t.dropHop, 1)
        XCTAssertEqual(t.hopNames, [a])
        XCTAssertTrue(t.reason.contains("no route to \(outsideIP) in \(a): it has no default route"), t.reason)
        XCTAssertTrue(t.text.contains("ENETUNREACH"), t.text)
    }

    func testMTUTooSmallForTheSize() throws {
        try Shell.run("ip", "-n", b, "link", "set", "eth0", "mtu", "1400")
        // Oracle: 1500-byte packets with DF die on b's receive side; 1400-byte ones pass.
        XCTAssertFalse(try pings(from: a, bIP, extra: ["-M", "do", "-s", "1472"]))
        XCTAssertTrue(try pings(from: a, bIP, extra: ["-M", "do", "-s", "1372"]))
        let t = try trace(a, b, "--size", "1500")
        XCTAssertEqual(t.status, 3)
        XCTAssertEqual(t.dropHop, 3)
        XCTAssertTrue(t.reason.contains("exceeds the MTU 1400 of eth0 in \(b)"), t.reason)
        XCTAssertEqual(try trace(a, b, "--size", "1400").verdict, "DELIVERED")
        // The sender's own MTU: the trace stops at hop 1, as ping -M do fails locally.
        try Shell.run("ip", "-n", a, "link", "set", "eth0", "mtu", "1300")
        XCTAssertFalse(try pings(from: a, bIP, extra: ["-M", "do", "-s", "1372"]))
        let s = try trace(a, b, "--size", "1400")
        XCTAssertEqual(s.dropHop, 1)
        XCTAssertTrue(s.reason.contains("MTU 1300 of eth0 in \(a) (Don't Fragment set)"), s.reason)
    }

    func testBridgePortMTUWithAndWithoutBrNetfilter() throws {
        let port = try XCTUnwrap(try trace(a, b).hops[1]["outInterface"] as? String)
        try Shell.run("ip", "-n", host, "link", "set", port, "mtu", "1400")
        // br_netfilter on (this namespace's default): the bridge drops anything above the port MTU.
        XCTAssertTrue(try pings(from: a, bIP, extra: ["-M", "do", "-s", "1372"]))
        XCTAssertFalse(try pings(from: a, bIP, extra: ["-M", "do", "-s", "1373"]))
        XCTAssertEqual(try trace(a, b, "--size", "1400").verdict, "DELIVERED")
        let strict = try trace(a, b, "--size", "1401")
        XCTAssertEqual(strict.dropHop, 2)
        XCTAssertTrue(strict.reason.contains("exceeds the MTU 1400 of \(port) in \(host)"), strict.reason)
        // br_netfilter off: the port lets a VLAN tag's 4 bytes more through.
        try Shell.run("ip", "netns", "exec", host, "sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=0")
        XCTAssertTrue(try pings(from: a, bIP, extra: ["-M", "do", "-s", "1376"]))
        XCTAssertFalse(try pings(from: a, bIP, extra: ["-M", "do", "-s", "1377"]))
        XCTAssertEqual(try trace(a, b, "--size", "1404").verdict, "DELIVERED")
        XCTAssertEqual(try trace(a, b, "--size", "1405").dropHop, 2)
    }

    func testPublishedPortShowsTheTranslatedDestination() throws {
        let c = try namespace("c")
        let cIP = "10.213.124.10"
        try ok(plumb("net", "connect", "pttr\(tag)", c, "--ip", cIP, "-p", "8080:80"))
        // busybox (a `make deps` package) serves a page in c; the outside namespace fetches it through the host.
        let www = FileManager.default.temporaryDirectory.appendingPathComponent("pt-tr-www-\(tag)").path
        try FileManager.default.createDirectory(atPath: www, withIntermediateDirectories: true)
        try "pt-tr\n".write(toFile: www + "/index.html", atomically: true, encoding: .utf8)
        cleanups.append { try? FileManager.default.removeItem(atPath: www) }
        let server = try Shell.spawn(["ip", "netns", "exec", c, "busybox", "httpd", "-f", "-p", "\(cIP):80", "-h", www])
        cleanups.append { if server.isRunning { kill(server.pid, SIGKILL); server.waitUntilExit() } }
        var fetched = false
        for _ in 0..<30 where !fetched {
            fetched = try Shell.result(["timeout", "3", "ip", "netns", "exec", outside, "busybox", "wget", "-q", "-O", "-",
                                        "http://\(upIP):8080/"]).stdout == "pt-tr\n"
            if !fetched { usleep(200_000) }
        }
        XCTAssertTrue(fetched, "oracle: the published port answers from outside")
        let t = try trace(outside, upIP, "--port", "8080")
        XCTAssertEqual(t.status, 0, t.text)
        XCTAssertEqual(t.verdict, "DELIVERED")
        XCTAssertEqual(t.hopNames, [outside, host, c])
        let final = try XCTUnwrap(t.hops.last?["packet"] as? [String: Any])
        XCTAssertEqual(final["destination"] as? String, cIP)
        XCTAssertEqual(final["destinationPort"] as? Int, 80)
        XCTAssertTrue(t.text.contains("destination NAT: \(upIP):8080 → \(cIP):80"), t.text)
        XCTAssertTrue(t.reason.contains("delivered to \(cIP):80 in \(c)"), t.reason)
        // An unpublished port is not translated: it ends in the host namespace itself.
        let u = try trace(outside, upIP, "--port", "8081")
        XCTAssertEqual(u.hopNames.last, host)
    }

    func testStrictRpFilterOnAnAsymmetricSource() throws {
        // The outside namespace sends from a second address the host namespace has no route back to (so no
        // reply can come back either way: the oracle counts the echo requests that reach a).
        try Shell.run("ip", "-n", outside, "addr", "add", "10.213.126.5/32", "dev", "eth0")
        try Shell.run("ip", "-n", outside, "route", "add", "10.213.124.0/24", "via", upIP)
        let ipt = ["ip", "netns", "exec", a, "iptables"]
        try Shell.run(ipt + ["-N", "PT-TR-SEEN"])
        try Shell.run(ipt + ["-A", "INPUT", "-s", "10.213.126.5/32", "-p", "icmp", "-j", "PT-TR-SEEN"])
        func arrived() throws -> String {
            let save = try Shell.run("ip", "netns", "exec", a, "iptables-save", "-c", "-t", "filter")
            let line = save.split(separator: "\n").first { $0.contains("-j PT-TR-SEEN") } ?? ""
            return String(line.prefix { $0 != "]" }.dropFirst().prefix { $0 != ":" })
        }
        let trace0 = try trace(outside + "@10.213.126.5", a)
        XCTAssertEqual(trace0.verdict, "DELIVERED", "rp_filter off: \(trace0.text)")
        _ = try pings(from: outside, aIP, extra: ["-I", "10.213.126.5"])
        XCTAssertEqual(try arrived(), "2", "oracle: with rp_filter off both echo requests reach a")
        try Shell.run("ip", "netns", "exec", host, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=1")
        _ = try pings(from: outside, aIP, extra: ["-I", "10.213.126.5"])
        XCTAssertEqual(try arrived(), "2", "oracle: strict rp_filter in the host namespace stops them")
        let t = try trace(outside + "@10.213.126.5", a)
        XCTAssertEqual(t.status, 3)
        XCTAssertEqual(t.dropHop, 2)
        XCTAssertTrue(t.reason.contains("rp_filter (strict mode 1 on \(link("up"))) in \(host) drops it"), t.reason)
    }

    func testNeighbourNobodyAnswersFor() throws {
        let ghost = "10.213.124.99"
        XCTAssertFalse(try pings(from: a, ghost), "oracle: nobody has that address")
        let neigh = try Shell.run("ip", "-n", a, "neigh", "show", ghost)
        XCTAssertTrue(neigh.contains("FAILED") || neigh.contains("INCOMPLETE"), neigh)
        let t = try trace(a, ghost)
        XCTAssertEqual(t.status, 3)
        XCTAssertEqual(t.dropHop, 1)
        XCTAssertTrue(t.reason.contains("nothing beyond eth0 in \(a) has the next hop \(ghost) (neighbour FAILED)"), t.reason)
    }

    func testIPv6RoutedPathForwardingAndIp6tables() throws {
        // v6a — h6 — v6b, routed by h6 over two veths (fd13:120::/48, addresses without DAD so they work at once).
        let h6 = try namespace("h6"), v6a = try namespace("v6a"), v6b = try namespace("v6b")
        for (ns, peer, hostIP, peerIP) in [(v6a, link("6a"), "fd13:120:1::1", "fd13:120:1::2"),
                                           (v6b, link("6b"), "fd13:120:2::1", "fd13:120:2::2")] {
            try Shell.run("ip", "-n", h6, "link", "add", peer, "type", "veth", "peer", "name", "eth0", "netns", ns)
            try Shell.run("ip", "-n", h6, "addr", "add", "\(hostIP)/64", "dev", peer, "nodad")
            try Shell.run("ip", "-n", ns, "addr", "add", "\(peerIP)/64", "dev", "eth0", "nodad")
            try Shell.run("ip", "-n", h6, "link", "set", peer, "up")
            try Shell.run("ip", "-n", ns, "link", "set", "eth0", "up")
            try Shell.run("ip", "-n", ns, "-6", "route", "add", "default", "via", hostIP)
        }
        try Shell.run("ip", "netns", "exec", h6, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1")
        var reached = false
        for _ in 0..<10 where !reached { reached = try pings(from: v6a, "fd13:120:2::2"); if !reached { usleep(300_000) } }
        XCTAssertTrue(reached, "oracle: routed IPv6 works")
        let ok = try trace(v6a, v6b, "-6")
        XCTAssertEqual(ok.verdict, "DELIVERED", ok.text)
        XCTAssertEqual(ok.hopNames, [v6a, h6, v6b])
        XCTAssertTrue(ok.text.contains("trace icmpv6 fd13:120:1::2 → fd13:120:2::2"), ok.text)

        try Shell.run("ip", "netns", "exec", h6, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=0")
        XCTAssertFalse(try pings(from: v6a, "fd13:120:2::2"))
        let off = try trace(v6a, v6b, "-6")
        XCTAssertEqual(off.dropHop, 2)
        XCTAssertTrue(off.reason.contains("IPv6 forwarding is off in \(h6)"), off.reason)
        try Shell.run("ip", "netns", "exec", h6, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1")

        try Shell.run("ip", "netns", "exec", v6b, "ip6tables", "-A", "INPUT", "-p", "ipv6-icmp", "--icmpv6-type", "echo-request",
                      "-j", "REJECT")
        XCTAssertFalse(try pings(from: v6a, "fd13:120:2::2"))
        let rej = try trace(v6a, "fd13:120:2::2")
        XCTAssertEqual(rej.status, 3)
        XCTAssertEqual(rej.dropHop, 3)
        XCTAssertTrue(rej.reason.contains("\(v6b): rule 1 of filter/INPUT"), rej.reason)
        XCTAssertTrue(rej.reason.contains("rejects it"), rej.reason)
    }

    func testUnknownTargetsExitWithFour() throws {
        let r = try Shell.result([CLITests.binary, "trace", "pt-tr-\(tag)-nope", "10.213.124.2"])
        XCTAssertEqual(r.status, 4)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("no namespace matches"), r.stderr)
        let u = try Shell.result([CLITests.binary, "trace", a, b, "--proto", "udp"])
        XCTAssertEqual(u.status, 64, u.stderr)
    }
}
