import Foundation
import Glibc
import XCTest

/// Fault injection for `plumb doctor`, through the real binary, as root. Each test builds a working lab — a
/// pt-doc namespace playing the host (bridge, NAT, forwarding), two endpoints `a` and `b` on the bridge, and an
/// "outside" namespace `x` behind an uplink veth that has no route back to the bridge subnet — checks that the
/// traffic works, injects one fault, sees the traffic fail, sees the doctor report exactly that finding (and no
/// other error), fixes it with `--fix ID --yes`, sees the traffic work, undoes it and sees the fault return.
/// Names: namespaces pt-doc-NN-*, links ptdocNN*, addresses 10.213.110.0/24 (bridge) and 10.213.111.0/24 (uplink).
final class DoctorFaultTests: DoctorTestCase {
    var h = "", a = "", b = "", x = ""
    var br = "", pa = "", pb = "", up = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        (h, a, b, x) = (ns("h"), ns("a"), ns("b"), ns("x"))
        (br, pa, pb, up) = (link("br"), link("a"), link("b"), link("up"))
        for n in [h, a, b, x] { try addNamespace(n) }
        try sh("ip", "-n", h, "link", "add", br, "type", "bridge")
        try sh("ip", "-n", h, "addr", "add", "10.213.110.1/24", "dev", br)
        try sh("ip", "-n", h, "link", "set", br, "up")
        for (port, n, last) in [(pa, a, 2), (pb, b, 3)] {
            try sh("ip", "-n", h, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", n)
            try sh("ip", "-n", h, "link", "set", port, "master", br, "up")
            try sh("ip", "-n", n, "addr", "add", "10.213.110.\(last)/24", "dev", "eth0")
            try sh("ip", "-n", n, "link", "set", "eth0", "up")
            try sh("ip", "-n", n, "route", "add", "default", "via", "10.213.110.1")
        }
        try sh("ip", "-n", h, "link", "add", up, "type", "veth", "peer", "name", "eth0", "netns", x)
        try sh("ip", "-n", h, "addr", "add", "10.213.111.1/24", "dev", up)
        try sh("ip", "-n", h, "link", "set", up, "up")
        try sh("ip", "-n", x, "addr", "add", "10.213.111.2/24", "dev", "eth0")
        try sh("ip", "-n", x, "link", "set", "eth0", "up")
        try sh("ip", "-n", h, "route", "add", "default", "via", "10.213.111.2")
        try inNs(h, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        try inNs(h, "iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "10.213.110.0/24", "!", "-o", br, "-j", "MASQUERADE")
        // Wait for the bridge ports to forward (no STP: immediately, but carrier takes a moment).
        for _ in 0..<20 where !works(a, "10.213.110.3") { usleep(100_000) }
    }

    // MARK: helpers

    @discardableResult
    func sh(_ args: String...) throws -> String { try Shell.run(args) }
    @discardableResult
    func inNs(_ n: String, _ args: String...) throws -> String { try Shell.run(["ip", "netns", "exec", n] + args) }


    /// One ping that must answer within a second.
    func works(_ from: String, _ to: String, size: Int? = nil) -> Bool {
        var args = ["ip", "netns", "exec", from, "ping", "-c", "1", "-W", "1"]
        if let size { args += ["-s", String(size), "-M", "do"] }
        return (try? Shell.result(args + [to]))?.status == 0
    }

    /// Retries a few times: fixes take effect at once, but the first packet may wait for ARP.
    func eventually(_ from: String, _ to: String) -> Bool {
        for _ in 0..<3 where works(from, to) { return true }
        return false
    }

    func plumb(_ args: [String], hostNs: Bool = true) throws -> (status: Int32, stdout: String, stderr: String) {
        try Shell.result([CLITests.binary] + args + ["--state-dir", stateDir] + (hostNs ? ["--host-ns", h] : []))
    }

    struct Listed { var id: String; var severity: String; var hasFix: Bool }

    func findings(hostNs: Bool = true, target: String? = nil) throws -> [Listed] {
        let r = try plumb(["doctor", "--json"] + (target.map { [$0] } ?? []), hostNs: hostNs)
        XCTAssertTrue([0, 3].contains(r.status), "doctor failed: \(r.stderr)")
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let list = try XCTUnwrap(obj["findings"] as? [[String: Any]])
        XCTAssertEqual(r.status, list.contains { $0["severity"] as? String == "error" } ? 3 : 0, "exit code tells errors")
        return list.map { Listed(id: $0["id"] as! String, severity: $0["severity"] as! String, hasFix: $0["fix"] is [String: Any]) }
    }

    /// Findings above info.
    func alarms() throws -> [Listed] { try findings().filter { $0.severity != "info" } }

    func nsId(_ n: String) throws -> String {
        var st = stat()
        XCTAssertEqual(stat("/run/netns/\(n)", &st), 0)
        return String(st.st_ino)
    }

    /// The common cycle: traffic fails, exactly `expected` above info, fix, works, undo, fails again.
    func cycle(_ expected: String, severity: String = "error", traffic: () -> Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertFalse(traffic(), "the injected fault must break the traffic", file: file, line: line)
        let found = try alarms()
        XCTAssertEqual(found.map(\.id), [expected], file: file, line: line)
        XCTAssertEqual(found.first?.severity, severity, file: file, line: line)
        XCTAssertEqual(found.first?.hasFix, true, file: file, line: line)
        let dry = try plumb(["doctor", "--fix", expected, "--dry-run"])
        XCTAssertEqual(dry.status, 0, dry.stderr, file: file, line: line)
        XCTAssertTrue(dry.stdout.contains("dry run"), dry.stdout, file: file, line: line)
        // The comparison under the plan: the fix is offered (it changes no flow it is not about).
        XCTAssertTrue(dry.stdout.contains("flows compared before and after") && dry.stdout.contains("verdict: offered"),
                      dry.stdout, file: file, line: line)
        XCTAssertFalse(traffic(), "--dry-run changed nothing", file: file, line: line)
        let fix = try plumb(["doctor", "--fix", expected, "--yes"])
        XCTAssertEqual(fix.status, 0, fix.stderr, file: file, line: line)
        XCTAssertTrue(traffic(), "the fix must restore the traffic", file: file, line: line)
        XCTAssertEqual(try alarms().map(\.id), [], "fixed: nothing left", file: file, line: line)
        let undo = try plumb(["doctor", "--undo", expected])
        XCTAssertEqual(undo.status, 0, undo.stderr, file: file, line: line)
        XCTAssertFalse(traffic(), "undo must bring the fault back", file: file, line: line)
        XCTAssertEqual(try alarms().map(\.id), [expected], file: file, line: line)
        let again = try plumb(["doctor", "--undo", expected])
        XCTAssertEqual(again.status, 4, "nothing left to undo", file: file, line: line)
    }

    // MARK: the healthy lab

    func testHealthyLabHasNoAlarmsAndNoFixNeeded() throws {
        XCTAssertTrue(works(a, "10.213.110.3"))
        XCTAssertTrue(works(a, "10.213.111.2"))
        XCTAssertEqual(try alarms().map(\.id), [])
        let r = try plumb(["doctor"])
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    // MARK: faults that break traffic

    func testForwardingOff() throws {
        try inNs(h, "sysctl", "-qw", "net.ipv4.ip_forward=0")
        try cycle("forwarding-off:ns\(try nsId(h)):ipv4") { eventually(a, "10.213.111.2") }
        XCTAssertEqual(try inNs(h, "sysctl", "-n", "net.ipv4.ip_forward").trimmingCharacters(in: .whitespacesAndNewlines), "0")
    }

    /// The same lab over IPv6 (fd13:110::/64 on the bridge, fd13:111::/64 uplink, routed back by x; no NAT).
    func enableIPv6() throws {
        for n in [h, a, b, x] {
            try inNs(n, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=0")
            try inNs(n, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=0")
            for l in try sh("ip", "-n", n, "-o", "link").split(separator: "\n").compactMap({ $0.split(separator: ":").dropFirst().first }) {
                let name = l.trimmingCharacters(in: .whitespaces).split(separator: "@").first.map(String.init) ?? ""
                if !name.isEmpty { _ = try? inNs(n, "sysctl", "-qw", "net.ipv6.conf.\(name).disable_ipv6=0") }
            }
        }
        try sh("ip", "-n", h, "addr", "add", "fd13:110::1/64", "dev", br, "nodad")
        try sh("ip", "-n", a, "addr", "add", "fd13:110::2/64", "dev", "eth0", "nodad")
        try sh("ip", "-n", b, "addr", "add", "fd13:110::3/64", "dev", "eth0", "nodad")
        for n in [a, b] { try sh("ip", "-n", n, "-6", "route", "add", "default", "via", "fd13:110::1") }
        try sh("ip", "-n", h, "addr", "add", "fd13:111::1/64", "dev", up, "nodad")
        try sh("ip", "-n", x, "addr", "add", "fd13:111::2/64", "dev", "eth0", "nodad")
        try sh("ip", "-n", x, "-6", "route", "add", "fd13:110::/64", "via", "fd13:111::1")
        try sh("ip", "-n", h, "-6", "route", "add", "default", "via", "fd13:111::2")
        try inNs(h, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1")
        for _ in 0..<20 where !works(a, "fd13:111::2") { usleep(150_000) }
    }

    func testIPv6ForwardingOff() throws {
        try enableIPv6()
        XCTAssertTrue(works(a, "fd13:111::2"), "IPv6 lab works")
        XCTAssertEqual(try alarms().map(\.id), [])
        try inNs(h, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=0")
        try cycle("forwarding-off:ns\(try nsId(h)):ipv6") { eventually(a, "fd13:111::2") }
    }

    func testIPv6NoDefaultRoute() throws {
        try enableIPv6()
        try sh("ip", "-n", a, "-6", "route", "del", "default")
        try cycle("no-default-route:ns\(try nsId(a)):ipv6") { eventually(a, "fd13:111::2") }
    }

    func testMissingMasquerade() throws {
        try inNs(h, "iptables", "-t", "nat", "-D", "POSTROUTING", "-s", "10.213.110.0/24", "!", "-o", br, "-j", "MASQUERADE")
        try cycle("no-masquerade:ns\(try nsId(h)):10.213.110.0/24", severity: "warning") { eventually(a, "10.213.111.2") }
    }

    func testForwardPolicyDrop() throws {
        try inNs(h, "iptables", "-P", "FORWARD", "DROP")
        try cycle("forward-drop:ns\(try nsId(h)):ipv4:\(br)") { eventually(a, "10.213.111.2") }
        let save = try inNs(h, "iptables-save")
        XCTAssertFalse(save.contains("plumb-doctor"), "undo removed the fix's rules:\n\(save)")
    }

    func testMTUMismatchOnVethEnds() throws {
        // b serves 200 KB over HTTP; a's end keeps 1500 while the host end drops to 1400: big segments vanish.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-doc-www-\(tag)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        cleanups.append { try? FileManager.default.removeItem(atPath: dir) }
        try Data(repeating: 0x61, count: 200_000).write(to: URL(fileURLWithPath: dir + "/big"))
        let server = try Shell.spawn(["ip", "netns", "exec", b, "busybox", "httpd", "-f", "-p", "8080", "-h", dir])
        cleanups.append { kill(server.pid, SIGKILL); server.waitUntilExit() }
        func fetch() -> Bool {
            let r = try? Shell.result(["ip", "netns", "exec", a, "timeout", "4", "busybox", "wget", "-q", "-O", "/dev/null",
                                       "http://10.213.110.3:8080/big"])
            return r?.status == 0
        }
        for _ in 0..<20 where !fetch() { usleep(100_000) }
        XCTAssertTrue(fetch(), "healthy lab serves the file")
        try sh("ip", "-n", h, "link", "set", pa, "mtu", "1400")
        try cycle("mtu-mismatch:ns\(try nsId(a)):eth0", traffic: fetch)
    }

    func testHostEndOfVethDown() throws {
        try sh("ip", "-n", h, "link", "set", pa, "down")
        try cycle("wiring-down:ns\(try nsId(h)):\(pa)") { eventually(a, "10.213.110.3") }
    }

    func testPortNotEnslaved() throws {
        try sh("ip", "-n", h, "link", "set", pa, "nomaster")
        try cycle("wiring-no-master:ns\(try nsId(h)):\(pa)") { eventually(a, "10.213.110.3") }
    }

    func testBridgeWithoutGatewayAddress() throws {
        try sh("ip", "-n", h, "addr", "del", "10.213.110.1/24", "dev", br)
        try cycle("wiring-no-gateway:ns\(try nsId(h)):\(br):10.213.110.1") { eventually(a, "10.213.111.2") }
    }

    func testNoDefaultRoute() throws {
        try sh("ip", "-n", a, "route", "del", "default")
        try cycle("no-default-route:ns\(try nsId(a)):ipv4") { eventually(a, "10.213.111.2") }
    }

    func testHairpinOffForOwnPublishedPort() throws {
        // a publishes :8080 on the host's bridge address and reaches it itself (hairpin NAT, as Plumb does it).
        try inNs(h, "iptables", "-t", "nat", "-A", "PREROUTING", "-d", "10.213.110.1/32", "-p", "tcp", "--dport", "8080",
                 "-j", "DNAT", "--to-destination", "10.213.110.2:8080")
        try inNs(h, "iptables", "-t", "nat", "-I", "POSTROUTING", "1", "-s", "10.213.110.2/32", "-d", "10.213.110.2/32",
                 "-p", "tcp", "--dport", "8080", "-j", "MASQUERADE")
        let server = try Shell.spawn(["ip", "netns", "exec", a, "busybox", "httpd", "-f", "-p", "8080", "-h", "/etc"])
        cleanups.append { kill(server.pid, SIGKILL); server.waitUntilExit() }
        func fetch() -> Bool {
            let r = try? Shell.result(["ip", "netns", "exec", a, "timeout", "3", "busybox", "wget", "-q", "-O", "/dev/null",
                                       "http://10.213.110.1:8080/hostname"])
            return r?.status == 0
        }
        usleep(300_000)
        try cycle("hairpin-off:ns\(try nsId(h)):\(pa)", severity: "warning", traffic: fetch)
        // Oracle for the hairpin flag the snapshot reads: after undo, iproute2 shows it off, and Plumb agrees.
        XCTAssertTrue(try sh("bridge", "-n", h, "-d", "link", "show", "dev", pa).contains("hairpin off"))
        let snap = try Shell.run([CLITests.binary, "snapshot", h, "--json"])
        XCTAssertTrue(snap.contains("\"bridgePort\":{\"state\":\"forwarding\",\"hairpin\":false}"), snap)
    }

    func testBridgeNetfilterOffForSameBridgePublishedPort() throws {
        // b publishes :8081 on the host's address; a, on the same bridge, connects to it.
        try inNs(h, "iptables", "-t", "nat", "-A", "PREROUTING", "-d", "10.213.110.1/32", "-p", "tcp", "--dport", "8081",
                 "-j", "DNAT", "--to-destination", "10.213.110.3:8080")
        try sh("bridge", "-n", h, "link", "set", "dev", pb, "hairpin", "on")  // b's own access is not this test's point
        let server = try Shell.spawn(["ip", "netns", "exec", b, "busybox", "httpd", "-f", "-p", "8080", "-h", "/etc"])
        cleanups.append { kill(server.pid, SIGKILL); server.waitUntilExit() }
        func fetch() -> Bool {
            let r = try? Shell.result(["ip", "netns", "exec", a, "timeout", "3", "busybox", "wget", "-q", "-O", "/dev/null",
                                       "http://10.213.110.1:8081/hostname"])
            return r?.status == 0
        }
        usleep(300_000)
        XCTAssertEqual(try inNs(h, "sysctl", "-n", "net.bridge.bridge-nf-call-iptables").trimmingCharacters(in: .whitespacesAndNewlines), "1")
        XCTAssertTrue(fetch(), "works with bridge-nf-call-iptables on")
        // Per-namespace on this kernel: only the lab host's value changes.
        let hostBefore = try sh("sysctl", "-n", "net.bridge.bridge-nf-call-iptables")
        try inNs(h, "sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=0")
        XCTAssertEqual(try sh("sysctl", "-n", "net.bridge.bridge-nf-call-iptables"), hostBefore)
        try cycle("bridge-nf-off:ns\(try nsId(h)):\(br)", severity: "warning", traffic: fetch)
    }

    func testBridgeDown() throws {
        try sh("ip", "-n", h, "link", "set", br, "down")
        try cycle("wiring-bridge-down:ns\(try nsId(h)):\(br)") { eventually(a, "10.213.110.3") }
    }

    func testFlushedJumpToAToolChain() throws {
        // Plumb-style: the accept rules live in PLUMB-FORWARD, jumped to from FORWARD (policy DROP).
        try inNs(h, "iptables", "-N", "PLUMB-FORWARD")
        try inNs(h, "iptables", "-A", "PLUMB-FORWARD", "-o", br, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT")
        try inNs(h, "iptables", "-A", "PLUMB-FORWARD", "-i", br, "-j", "ACCEPT")
        try inNs(h, "iptables", "-P", "FORWARD", "DROP")
        try inNs(h, "iptables", "-A", "FORWARD", "-j", "PLUMB-FORWARD")
        XCTAssertTrue(eventually(a, "10.213.111.2"))
        XCTAssertEqual(try alarms().map(\.id), [])
        try inNs(h, "iptables", "-F", "FORWARD")  // the jump is gone
        XCTAssertFalse(eventually(a, "10.213.111.2"))
        let unreached = "chain-unreached:ns\(try nsId(h)):ipv4:filter:PLUMB-FORWARD"
        let found = try alarms().map(\.id)
        XCTAssertEqual(Set(found), [unreached, "forward-drop:ns\(try nsId(h)):ipv4:\(br)"])
        // Restoring the jump fixes both.
        XCTAssertEqual(try plumb(["doctor", "--fix", unreached, "--yes"]).status, 0)
        XCTAssertTrue(eventually(a, "10.213.111.2"))
        XCTAssertEqual(try alarms().map(\.id), [])
        XCTAssertEqual(try plumb(["doctor", "--undo"]).status, 0)
        XCTAssertFalse(eventually(a, "10.213.111.2"))
    }

    func testMacvlanEndpointReachesItsHostThroughAShim() throws {
        // m sits on a macvlan of the lab host's uplink, in the uplink's subnet: it reaches x but not the host.
        let m = ns("m")
        try addNamespace(m)
        let mv = link("mv")
        try sh("ip", "-n", h, "link", "add", mv, "link", up, "type", "macvlan", "mode", "bridge")
        try sh("ip", "-n", h, "link", "set", mv, "netns", m)
        try sh("ip", "-n", m, "addr", "add", "10.213.111.50/24", "dev", mv)
        try sh("ip", "-n", m, "link", "set", mv, "up")
        XCTAssertTrue(eventually(m, "10.213.111.2"), "the rest of the segment is reachable")
        XCTAssertFalse(eventually(m, "10.213.111.1"), "the parent's own host is not")
        let id = "macvlan-isolation:ns\(try nsId(m)):\(mv)"
        let all = try findings()
        XCTAssertEqual(all.map(\.id), [id])
        XCTAssertEqual(all.first?.severity, "info", "macvlan isolation is by design")
        XCTAssertEqual(try plumb(["doctor", "--fix", id, "--yes"]).status, 0)
        XCTAssertTrue(eventually(m, "10.213.111.1"), "the shim gives the host a way to its endpoint")
        XCTAssertEqual(try findings().map(\.id), [])
        XCTAssertEqual(try plumb(["doctor", "--undo", id]).status, 0)
        XCTAssertFalse(eventually(m, "10.213.111.1"))
        XCTAssertFalse(try sh("ip", "-n", h, "-o", "link").contains("plumbshim"), "undo removed the shim")
    }

    // MARK: faults that do not break traffic by themselves

    func testDNSStubMissing() throws {
        let dir = "/etc/netns/\(a)"
        let hadParent = FileManager.default.fileExists(atPath: "/etc/netns")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        cleanups.append {
            try? FileManager.default.removeItem(atPath: dir)
            // Leave /etc as we found it: drop /etc/netns if this test made it and nothing else is in it.
            if !hadParent, (try? FileManager.default.contentsOfDirectory(atPath: "/etc/netns"))?.isEmpty == true {
                try? FileManager.default.removeItem(atPath: "/etc/netns")
            }
        }
        try "nameserver 127.0.0.53\n".write(toFile: dir + "/resolv.conf", atomically: true, encoding: .utf8)
        let id = "dns-unreachable:ns\(try nsId(a)):127.0.0.53"
        // The lookup fails (nothing answers on 127.0.0.53 in a) and the doctor says why.
        let lookup = try Shell.result(["ip", "netns", "exec", a, "timeout", "3", "busybox", "nslookup", "-timeout=1", "pt-doc.invalid"])
        XCTAssertNotEqual(lookup.status, 0)
        XCTAssertEqual(try alarms().map(\.id), [id])
        // A stub listening there clears it.
        let stub = try Shell.spawn(["ip", "netns", "exec", a, "/usr/bin/python3", "-c",
            "import socket,time; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('127.0.0.53',53)); time.sleep(60)"])
        cleanups.append { kill(stub.pid, SIGKILL); stub.waitUntilExit() }
        var cleared = false
        for _ in 0..<20 where !cleared { usleep(150_000); cleared = try alarms().isEmpty }
        XCTAssertTrue(cleared, "a listener on 127.0.0.53:53 in the namespace satisfies the check")
    }

    func testStrictRPFilterDetectionFixUndo() throws {
        try inNs(h, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=1")
        for l in [br, up] { try inNs(h, "sysctl", "-qw", "net.ipv4.conf.\(l).rp_filter=0") }
        let id = "rp-filter-strict:ns\(try nsId(h))"
        let all = try findings()
        XCTAssertEqual(all.map(\.id), [id])
        XCTAssertEqual(all.first?.severity, "info", "symmetric routes: no alarm")
        XCTAssertEqual(try plumb(["doctor", "--fix", id, "--yes"]).status, 0)
        XCTAssertEqual(try inNs(h, "sysctl", "-n", "net.ipv4.conf.all.rp_filter").trimmingCharacters(in: .whitespacesAndNewlines), "2")
        XCTAssertEqual(try findings().map(\.id), [])
        XCTAssertEqual(try plumb(["doctor", "--undo"]).status, 0)
        XCTAssertEqual(try inNs(h, "sysctl", "-n", "net.ipv4.conf.all.rp_filter").trimmingCharacters(in: .whitespacesAndNewlines), "1")
    }

    func testOverlapAndDuplicateAddressDetected() throws {
        try sh("ip", "-n", h, "addr", "add", "10.213.110.129/25", "dev", up)
        XCTAssertEqual(try alarms().map(\.id), ["subnet-overlap:ns\(try nsId(h)):\(br),\(up)"])
        try sh("ip", "-n", h, "addr", "del", "10.213.110.129/25", "dev", up)
        try sh("ip", "-n", b, "addr", "add", "10.213.110.2/24", "dev", "eth0")
        let found = try alarms()
        XCTAssertEqual(found.map(\.id), ["duplicate-address:ns\(try nsId(h)):\(br):10.213.110.2"])
        XCTAssertEqual(found.first?.hasFix, false, "renumbering is the user's call")
    }

    func testLeftoversNeedTheirOwnConfirmation() throws {
        let empty = ns("e")
        try addNamespace(empty)
        try inNs(h, "iptables", "-N", "CNI-DN-ptdoc\(tag)")
        let chainId = "leftover-chain:ns\(try nsId(h)):ipv4:filter:CNI-DN-ptdoc\(tag)"
        let nsFinding = "leftover-netns:ns\(try nsId(empty))"
        XCTAssertEqual(try findings().map(\.id), [chainId])
        // The empty namespace is not wired to the lab host: seen by a machine-wide run, filtered by target.
        XCTAssertEqual(try findings(hostNs: false, target: empty).map(\.id), [nsFinding])
        // --fix-all --yes never removes leftovers.
        let all = try plumb(["doctor", "--fix-all", "--yes"])
        XCTAssertEqual(all.status, 0, all.stderr)
        XCTAssertTrue(all.stdout.contains("skipped \(chainId)"), all.stdout)
        // The same as one JSON document on one line.
        let asJSON = try plumb(["doctor", "--fix-all", "--yes", "--json"])
        XCTAssertEqual(asJSON.status, 0, asJSON.stderr)
        XCTAssertEqual(asJSON.stdout.split(separator: "\n").count, 1, asJSON.stdout)
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(asJSON.stdout.utf8)) as? [String: Any])
        let fixes = try XCTUnwrap(doc["fixes"] as? [[String: Any]])
        XCTAssertEqual(fixes.map { $0["finding"] as? String }, [chainId])
        XCTAssertEqual(fixes.first?["result"] as? String, "skipped")
        XCTAssertTrue(try inNs(h, "iptables-save").contains(":CNI-DN-ptdoc\(tag)"))
        // Without a terminal and without --yes: refused.
        let refused = try plumb(["doctor", "--fix", chainId])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("--yes"), refused.stderr)
        XCTAssertEqual(try plumb(["doctor", "--fix", chainId, "--yes"]).status, 0)
        XCTAssertFalse(try inNs(h, "iptables-save").contains(":CNI-DN-ptdoc\(tag)"))
        let rm = try plumb(["doctor", "--fix", nsFinding, "--yes"], hostNs: false)
        XCTAssertEqual(rm.status, 0, rm.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/run/netns/\(empty)"))
        // Undo the last one: the namespace comes back (empty, as it was); then the chain.
        XCTAssertEqual(try plumb(["doctor", "--undo"], hostNs: false).status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: "/run/netns/\(empty)"))
        XCTAssertEqual(try plumb(["doctor", "--undo", chainId]).status, 0)
        XCTAssertTrue(try inNs(h, "iptables-save").contains(":CNI-DN-ptdoc\(tag)"))
    }

    func testLeftoverVethPair() throws {
        try sh("ip", "-n", h, "link", "add", link("l1"), "type", "veth", "peer", "name", link("l2"))
        // Reported once per pair, from the end with the lower ifindex (either name).
        let found = try alarms().map(\.id)
        let prefix = "leftover-veth:ns\(try nsId(h)):"
        XCTAssertTrue([prefix + link("l1"), prefix + link("l2")].contains(found.first ?? ""), "\(found)")
        XCTAssertEqual(found.count, 1)
        let id = try XCTUnwrap(found.first)
        XCTAssertEqual(try plumb(["doctor", "--fix", id, "--yes"]).status, 0)
        XCTAssertFalse(try sh("ip", "-n", h, "-o", "link").contains(link("l1")))
        XCTAssertEqual(try plumb(["doctor", "--undo"]).status, 0)
        let links = try sh("ip", "-n", h, "-o", "link")
        XCTAssertTrue(links.contains(link("l1")) && links.contains(link("l2")), "undo recreated the pair")
    }

    func testUnknownTargetAndUnknownFinding() throws {
        XCTAssertEqual(try plumb(["doctor", "pt-doc-no-such-ns"]).status, 4)
        XCTAssertEqual(try plumb(["doctor", "--fix", "no-such-finding", "--yes"]).status, 4)
    }
}
