import Foundation
import XCTest

/// `ns rm` of a namespace in use, and `net rm` of a network whose host namespace is gone, through the real
/// binary with a private state directory.
final class NamespaceInUseTests: RootTestCase {
    var lab: TestLab!
    var host = "", a = ""
    var stateDir = ""

    override func setUpWithError() throws {
        try requireRoot()
        lab = TestLab()
        addTeardownBlock { [lab] in lab?.cleanup() }
        host = try lab.addNamespace("h")
        a = try lab.addNamespace("a")
        stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-state-\(lab.tag)-\(UUID().uuidString.prefix(6))").path
        let dir = stateDir
        lab.onCleanup { try? FileManager.default.removeItem(atPath: dir) }
    }

    func plumb(_ args: String..., hostNs: String? = nil, env: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Shell.result([CLITests.binary] + args + ["--state-dir", stateDir, "--host-ns", hostNs ?? host], env: env)
    }

    func hostLinks() throws -> String { try Shell.run("ip", "-n", host, "-o", "link", "show") }

    func endpoints(_ network: String, hostNs: String? = nil) throws -> [[String: Any]] {
        let r = try plumb("net", "inspect", network, "--json", hostNs: hostNs)
        XCTAssertEqual(r.status, 0, r.stderr)
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        return try XCTUnwrap(doc["endpoints"] as? [[String: Any]])
    }

    func dnatRules() throws -> [String] {
        try Shell.run("ip", "netns", "exec", host, "iptables-save", "-t", "nat")
            .split(separator: "\n").filter { $0.contains("DNAT") && $0.contains("--to-destination") }.map(String.init)
    }

    func exists(_ ns: String) -> Bool { access("/run/netns/\(ns)", F_OK) == 0 }

    func testRemovingANamespaceInUseIsRefusedNamingItsUsers() throws {
        XCTAssertEqual(try plumb("net", "create", "ptuse", "--subnet", "10.213.140.0/24", "--bridge", lab.linkName("us")).status, 0)
        var r = try plumb("net", "connect", "ptuse", a, "-p", "18140:80")
        XCTAssertEqual(r.status, 0, r.stderr)
        let sleeper = try Shell.spawn(["ip", "netns", "exec", a, "sleep", "60"])
        lab.ownProcess(sleeper)
        usleep(200_000)  // ip netns exec has entered it and exec'd sleep
        let rulesBefore = try dnatRules()
        XCTAssertEqual(rulesBefore.count, 1, "\(rulesBefore)")

        r = try plumb("ns", "rm", a)
        XCTAssertEqual(r.status, 64, "in use (the request conflicts with what exists): \(r.stdout) \(r.stderr)")
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one line: \(r.stderr)")
        XCTAssertTrue(r.stderr.contains("endpoint eth0 10.213.140.2 of network ptuse"), r.stderr)
        XCTAssertTrue(r.stderr.contains("process \(sleeper.pid) (sleep)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("--force"), r.stderr)
        XCTAssertTrue(exists(a), "refused: the namespace stays")
        XCTAssertEqual(try dnatRules(), rulesBefore)
        XCTAssertEqual(try endpoints("ptuse").count, 1)
        XCTAssertEqual(try plumb("net", "rm", "ptuse", "--force").status, 0)
    }

    func testForceDisconnectsTheEndpointsThenRemovesTheNamespace() throws {
        XCTAssertEqual(try plumb("net", "create", "ptfrc", "--subnet", "10.213.141.0/24", "--bridge", lab.linkName("fr")).status, 0)
        var r = try plumb("net", "connect", "ptfrc", a, "-p", "18141:80")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try dnatRules().count, 1)

        r = try plumb("ns", "rm", a, "--force", "--dry-run")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("ip netns del \(a)"), r.stdout)
        XCTAssertTrue(exists(a), "a dry run changes nothing")

        r = try plumb("ns", "rm", a, "--force", env: ["PLUMB_TIMING": "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("removed namespace \(a)"), r.stdout)
        XCTAssertTrue(r.stderr.contains("ip netns del \(a) (takes 1 veth)"), "the namespace's deletion took its veth: \(r.stderr)")
        XCTAssertFalse(exists(a))
        XCTAssertEqual(try dnatRules(), [], "the endpoint's published-port rules went with it")
        XCTAssertEqual(try endpoints("ptfrc").count, 0, "no ghost endpoint in the store")
        XCTAssertTrue(try eventuallyTrue { !(try hostLinks().contains("plv")) }, "its veth goes with the namespace")
        // Its lease went too: the next endpoint gets the same, lowest address.
        let b = try lab.addNamespace("b")
        r = try plumb("net", "connect", "ptfrc", b, "--json")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("\"address\":\"10.213.141.2\""), r.stdout)
        XCTAssertEqual(try plumb("net", "rm", "ptfrc", "--force").status, 0)
    }

    /// A runtime's loop: `net connect --new-ns X` right after `ns rm X --force`. The namespace's cleanup takes the
    /// old veth in the background; the new host end's name (derived from the namespace's inode, which the kernel
    /// reuses only once that cleanup has unregistered the old devices) never meets a lingering one.
    func testRemovingAndRecreatingANamespaceAtOnceNeverMeetsItsOldVeth() throws {
        XCTAssertEqual(try plumb("net", "create", "ptloop", "--subnet", "10.213.144.0/24", "--bridge", lab.linkName("lp")).status, 0)
        let x = lab.nsName("x")
        lab.onCleanup { _ = try? Shell.run(["ip", "netns", "del", x], check: false) }
        var names: [String] = []
        for round in 1...8 {
            var r = try plumb("net", "connect", "ptloop", "--new-ns", x, "--json")
            XCTAssertEqual(r.status, 0, "round \(round): \(r.stderr)")
            let ep = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            let end = try XCTUnwrap(ep["hostIfname"] as? String)
            XCTAssertTrue(try hostLinks().contains(" \(end)@"), "round \(round): its host end \(end) is there")
            names.append(end)
            r = try plumb("ns", "rm", x, "--force")
            XCTAssertEqual(r.status, 0, "round \(round): \(r.stderr)")
            XCTAssertFalse(exists(x))
        }
        XCTAssertEqual(names.count, 8, "one host end each round: \(names)")
        XCTAssertTrue(try eventuallyTrue { !(try hostLinks().contains("plv")) }, "every veth goes with its namespace")
        XCTAssertEqual(try endpoints("ptloop").count, 0)
        XCTAssertEqual(try plumb("net", "rm", "ptloop").status, 0)
    }

    /// The namespace outlives its name when something else holds it: here a process outside it with an open fd
    /// (which `ns rm` does not look for), and a process inside it. Its veth must go all the same, before the
    /// command returns: the first after waiting for the namespace's cleanup in vain, the second at once.
    func testForceRemovalDeletesTheVethOfANamespaceThatLivesOn() throws {
        XCTAssertEqual(try plumb("net", "create", "ptheld", "--subnet", "10.213.143.0/24", "--bridge", lab.linkName("hd")).status, 0)
        let b = try lab.addNamespace("b")
        for ns in [a, b] { XCTAssertEqual(try plumb("net", "connect", "ptheld", ns).status, 0) }
        let holder = try Shell.spawn(["bash", "-c", "exec 3</run/netns/\(a); exec sleep 60"])
        lab.ownProcess(holder)
        let inside = try Shell.spawn(["ip", "netns", "exec", b, "sleep", "60"])
        lab.ownProcess(inside)
        usleep(200_000)  // the fd is open and sleep runs inside b
        XCTAssertEqual(try hostLinks().components(separatedBy: "plv").count - 1, 2)

        var r = try plumb("ns", "rm", a, "--force", env: ["PLUMB_TIMING": "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(exists(a))
        XCTAssertEqual(try hostLinks().components(separatedBy: "plv").count - 1, 1, "a's veth is gone although a lives on")
        // (The fd's link reads "/" once the name is unmounted: enter it to see that it is still a namespace.)
        let held = try Shell.run("nsenter", "--net=/proc/\(holder.pid)/fd/3", "ip", "-o", "link", "show")
        XCTAssertTrue(held.contains("lo:"), "the namespace is still held: \(held)")
        XCTAssertFalse(held.contains("eth"), "its end of the veth went with the host end: \(held)")

        r = try plumb("ns", "rm", b, "--force", env: ["PLUMB_TIMING": "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stderr.contains("(takes 1 veth)"), "a process lives in b: its veth is deleted first, as before: \(r.stderr)")
        XCTAssertFalse(try hostLinks().contains("plv"), "b's veth is gone")
        XCTAssertEqual(try endpoints("ptheld").count, 0)
        XCTAssertEqual(try plumb("net", "rm", "ptheld").status, 0, "no endpoint is left")
    }

    func testANetworkWhoseHostNamespaceIsGoneCanBeRemoved() throws {
        let inner = try lab.addNamespace("g")
        XCTAssertEqual(try plumb("net", "create", "ptgone", "--subnet", "10.213.142.0/24", "--bridge", lab.linkName("go"),
                                 hostNs: inner).status, 0)
        XCTAssertEqual(try plumb("net", "connect", "ptgone", a, hostNs: inner).status, 0)
        var r = try plumb("ns", "rm", inner)
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("network ptgone (built inside it"), r.stderr)
        r = try plumb("ns", "rm", inner, "--force")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("plumb net rm ptgone"), r.stdout)
        XCTAssertFalse(exists(inner))

        r = try plumb("net", "rm", "ptgone", hostNs: inner)
        XCTAssertEqual(r.status, 64, "its endpoint is still recorded: --force, as for any network")
        r = try plumb("net", "rm", "ptgone", "--force", hostNs: inner)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("not found: host namespace netns \(inner) is gone"), r.stdout)
        XCTAssertEqual(try plumb("net", "ls", "--json", hostNs: inner).stdout.trimmingCharacters(in: .whitespacesAndNewlines), "[]")
        XCTAssertTrue(try Shell.run("ip", "-n", a, "-o", "link", "show").contains("lo"), "the endpoint's namespace is untouched")
    }
}
