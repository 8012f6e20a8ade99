import Foundation
import XCTest

/// `plumb net connect NET T1 T2 ...` / `net disconnect NET T1 T2 ...`: many targets, one atomic operation.
final class BulkConnectTests: RootTestCase {
    var lab: TestLab!
    var host = ""
    var stateDir = ""

    override func setUpWithError() throws {
        try requireRoot()
        lab = TestLab(prefix: "cni")
        addTeardownBlock { [lab] in lab?.cleanup() }
        host = try lab.addNamespace("h")
        stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-cni-state-\(lab.tag)-\(UUID().uuidString.prefix(6))").path
        let dir = stateDir
        lab.onCleanup { try? FileManager.default.removeItem(atPath: dir) }
    }

    func plumb(_ args: [String], env: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Shell.result([CLITests.binary] + args + ["--state-dir", stateDir, "--host-ns", host], env: env)
    }

    func state(_ targets: [String]) throws -> String {
        var out = [try Shell.run("ip", "-n", host, "-o", "link", "show").split(separator: "\n")
            .map { String($0.split(separator: " ").dropFirst().prefix(1).joined()) }.sorted().joined(separator: " ")]
        out.append(try Shell.run("ip", "netns", "exec", host, "iptables-save").split(separator: "\n")
            .filter { !$0.hasPrefix("#") }.map { $0.replacingOccurrences(of: #"\[\d+:\d+\]"#, with: "", options: .regularExpression) }
            .joined(separator: "\n"))
        for t in targets { out.append(try Shell.run("ip", "-n", t, "-o", "addr", "show")) }
        return out.joined(separator: "\n")
    }

    /// The store as plumb reports it (inspect) and as the database holds it (every IPAM allocation, read with
    /// the sqlite3 shell).
    func allocations(_ net: String) throws -> String {
        let rows = try Shell.run("sqlite3", "\(stateDir)/state.db",
                                 "SELECT network, address, ifnull(sandbox, '') FROM allocations ORDER BY 1, 2")
        return try plumb(["net", "inspect", net, "--json"]).stdout + "\n" + rows
    }

    func address(_ ns: String) throws -> String? {
        let out = try Shell.result(["ip", "-n", ns, "-j", "-4", "addr", "show", "dev", "eth0"])
        if out.status != 0 && out.stderr.contains("does not exist") { return nil }
        let j = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]] ?? []
        return (j.first?["addr_info"] as? [[String: Any]])?.first?["local"] as? String
    }

    func testManyTargetsInOneOperationAndOneBadTargetChangesNothing() throws {
        let targets = try (0..<3).map { try lab.addNamespace("t\($0)") }
        XCTAssertEqual(try plumb(["net", "create", "ptbulk", "--subnet", "10.213.137.0/24", "--bridge", lab.linkName("bk")]).status, 0)
        let before = try state(targets)
        let storeBefore = try allocations("ptbulk")
        // An unknown target anywhere in the list: named in one line, nothing connected.
        var r = try plumb(["net", "connect", "ptbulk", targets[0], "pt-cni-no-such-ns", targets[1]])
        XCTAssertEqual(r.status, 4, "not found")
        XCTAssertTrue(r.stderr.contains("pt-cni-no-such-ns"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        // A -p range that does not match the number of targets.
        r = try plumb(["net", "connect", "ptbulk"] + targets + ["-p", "9000-9001:80"])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("one port per target"), r.stderr)
        XCTAssertEqual(try state(targets), before)
        XCTAssertEqual(try allocations("ptbulk"), storeBefore)

        r = try plumb(["net", "connect", "ptbulk"] + targets + ["-p", "9000-9002:80", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let eps = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(eps.map { $0["address"] as? String }, ["10.213.137.2", "10.213.137.3", "10.213.137.4"])
        for (i, t) in targets.enumerated() { XCTAssertEqual(try address(t), "10.213.137.\(i + 2)") }
        try lab.ping(from: targets[0], "10.213.137.4")
        let rules = try Shell.run("ip", "netns", "exec", host, "iptables-save", "-t", "nat")
        for i in 0..<3 { XCTAssertTrue(rules.contains("--dport \(9000 + i) ") && rules.contains("--to-destination 10.213.137.\(i + 2):80"), rules) }
        // Already connected: the whole list is refused.
        let extra = try lab.addNamespace("t3")
        r = try plumb(["net", "connect", "ptbulk", extra, targets[1]])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("already connected"), r.stderr)
        XCTAssertNil(try address(extra))
        // Disconnect: one bad target refuses the list; then all three in one operation.
        r = try plumb(["net", "disconnect", "ptbulk", targets[2], extra])
        XCTAssertEqual(r.status, 4)
        XCTAssertTrue(r.stderr.contains(extra) && r.stderr.contains("nothing was disconnected"), r.stderr)
        XCTAssertEqual(try address(targets[2]), "10.213.137.4")
        r = try plumb(["net", "disconnect", "ptbulk", targets[2], targets[0], targets[1]])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try state(targets), before, "links, rules and addresses exactly as before")
        XCTAssertEqual(try allocations("ptbulk"), storeBefore, "store as before")
        XCTAssertEqual(try plumb(["net", "rm", "ptbulk"]).status, 0)
    }

    func testAFailureHalfWayRollsBackEveryTarget() throws {
        let targets = try (0..<3).map { try lab.addNamespace("r\($0)") }
        XCTAssertEqual(try plumb(["net", "create", "q", "--subnet", "10.213.138.0/24", "--bridge", lab.linkName("rb")]).status, 0)
        // Occupy the host-side veth name Plumb derives for the last target ("plv" + network + namespace id), so
        // the plan fails at that target's first step, after the first two targets were wired.
        let inode = try Shell.run("stat", "-L", "-c", "%i", "/run/netns/\(targets[2])").trimmingCharacters(in: .whitespacesAndNewlines)
        let squatter = "plvq\(inode)"
        XCTAssertLessThanOrEqual(squatter.utf8.count, 15)
        try lab.ip(host, "link", "add", squatter, "type", "veth", "peer", "name", lab.linkName("sq"))
        let before = try state(targets)
        let storeBefore = try allocations("q")
        let r = try plumb(["net", "connect", "q"] + targets + ["-p", "9100-9102:80"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains(squatter) && r.stderr.contains("rolled back"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertEqual(try state(targets), before, "the first two targets were rolled back too")
        XCTAssertEqual(try allocations("q"), storeBefore, "no address stayed allocated")
        try lab.ip(host, "link", "del", squatter)
        XCTAssertEqual(try plumb(["net", "rm", "q"]).status, 0)
    }

    func testBulkAndSingleConnectsAtOnceNeverShareAnAddress() throws {
        XCTAssertEqual(try plumb(["net", "create", "ptmix", "--subnet", "10.213.139.0/24", "--bridge", lab.linkName("mx")]).status, 0)
        let bulk1 = try (0..<8).map { try lab.addNamespace("m\($0)") }
        let bulk2 = try (0..<8).map { try lab.addNamespace("n\($0)") }
        let singles = try (0..<6).map { try lab.addNamespace("s\($0)") }
        let runs: [[String]] = [["net", "connect", "ptmix"] + bulk1, ["net", "connect", "ptmix"] + bulk2]
            + singles.map { ["net", "connect", "ptmix", $0] }
        let group = DispatchGroup()
        let statuses = Locked<[String]>([])
        for args in runs {
            group.enter()
            let full = args + ["--state-dir", stateDir, "--host-ns", host]
            Thread {
                let r = try? Shell.result([CLITests.binary] + full)
                statuses.mutate { $0.append(r.map { $0.status == 0 ? "ok" : $0.stderr } ?? "spawn failed") }
                group.leave()
            }.start()
        }
        group.wait()
        XCTAssertEqual(statuses.value, Array(repeating: "ok", count: runs.count))
        let all = bulk1 + bulk2 + singles
        let addrs = try all.map { try XCTUnwrap(try address($0), "\($0) has no address") }
        XCTAssertEqual(Set(addrs).count, all.count, "distinct addresses: \(addrs.sorted())")
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try plumb(["net", "inspect", "ptmix", "--json"]).stdout.utf8)) as? [String: Any])
        let stored = (doc["endpoints"] as? [[String: Any]] ?? []).compactMap { $0["address"] as? String }
        XCTAssertEqual(Set(stored), Set(addrs), "the store records exactly the kernel's addresses")
        let rm = try plumb(["net", "rm", "ptmix", "--force"])
        XCTAssertEqual(rm.status, 0, rm.stderr)
        for t in all { XCTAssertNil(try address(t)) }
    }

    func testRemovingSeveralNetworksIsOneOperation() throws {
        let targets = try (0..<4).map { try lab.addNamespace("x\($0)") }
        let before = try state(targets)
        for (i, net) in ["ptra", "ptrb"].enumerated() {
            XCTAssertEqual(try plumb(["net", "create", net, "--subnet", "10.213.14\(i).0/24", "--bridge", lab.linkName("r\(i)")]).status, 0)
            let r = try plumb(["net", "connect", net, targets[2 * i], targets[2 * i + 1], "-p", "930\(2 * i)-930\(2 * i + 1):80"])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let built = try state(targets)
        // An unknown name, or networks with endpoints without --force: refused, nothing changed.
        var r = try plumb(["net", "rm", "ptra", "pt-no-such-net", "--force"])
        XCTAssertEqual(r.status, 4)
        XCTAssertTrue(r.stderr.contains("pt-no-such-net"), r.stderr)
        r = try plumb(["net", "rm", "ptra", "ptrb"])
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("--force"), r.stderr)
        XCTAssertEqual(try state(targets), built)
        // The plan: one firewall batch, and the veths and bridges deleted together (one group in the executor).
        r = try plumb(["net", "rm", "ptra", "ptrb", "--force", "--dry-run"])
        XCTAssertEqual(r.stdout.components(separatedBy: "iptables-restore").count - 1, 1, r.stdout)
        XCTAssertEqual(r.stdout.components(separatedBy: " link del ").count - 1, 6, r.stdout)
        r = try plumb(["net", "rm", "ptra", "ptrb", "--force"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try state(targets), before, "links, rules (shared chains included) and addresses as before")
        XCTAssertEqual(try plumb(["net", "ls", "--json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines), "[]")
    }

    func testBulkConnectKilledHalfWayIsUndoneByGc() throws {
        let targets = try (0..<3).map { try lab.addNamespace("k\($0)") }
        XCTAssertEqual(try plumb(["net", "create", "ptkb", "--subnet", "10.213.144.0/24", "--bridge", lab.linkName("kb")]).status, 0)
        let before = try state(targets)
        let storeBefore = try allocations("ptkb")
        // Each target takes 7 steps (veth, master, up, address, up, lo up, route), then hairpin and one firewall
        // batch: die in the middle of the second target.
        let r = try plumb(["net", "connect", "ptkb"] + targets + ["-p", "9400-9402:80"], env: ["PLUMB_TEST_KILL_AFTER_STEP": "10"])
        XCTAssertEqual(r.status, 9, "killed (signal 9)")
        XCTAssertNotEqual(try state(targets), before, "the first target was wired before the kill")
        let gc = try plumb(["gc"])
        XCTAssertEqual(gc.status, 0, gc.stderr)
        XCTAssertTrue(gc.stdout.contains("undid 1"), gc.stdout)
        XCTAssertEqual(try state(targets), before, "gc undid every target")
        XCTAssertEqual(try allocations("ptkb"), storeBefore, "and released the addresses the connect had taken")
        let again = try plumb(["net", "connect", "ptkb"] + targets + ["--json"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("\"10.213.144.2\""), "the pool starts over: \(again.stdout)")
        XCTAssertEqual(try plumb(["net", "rm", "ptkb", "--force"]).status, 0)
    }

    func testEndpointsWhoseVethVanishedCanStillBeDisconnectedAndRemoved() throws {
        let targets = try (0..<3).map { try lab.addNamespace("v\($0)") }
        let before = try state(targets)
        XCTAssertEqual(try plumb(["net", "create", "ptvan", "--subnet", "10.213.145.0/24", "--bridge", lab.linkName("vn")]).status, 0)
        XCTAssertEqual(try plumb(["net", "connect", "ptvan"] + targets + ["-p", "9500-9502:80"]).status, 0)
        // Delete two endpoints' host veths behind Plumb's back.
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try plumb(["net", "inspect", "ptvan", "--json"]).stdout.utf8)) as? [String: Any])
        let hostIfs = (doc["endpoints"] as? [[String: Any]] ?? []).compactMap { $0["hostIfname"] as? String }
        XCTAssertEqual(hostIfs.count, 3)
        try lab.ip(host, "link", "del", hostIfs[0])
        try lab.ip(host, "link", "del", hostIfs[1])
        XCTAssertTrue(try plumb(["net", "inspect", "ptvan"]).stdout.contains("deleted behind Plumb's back"))
        // disconnect still removes what is left of the endpoint (its port rules) and the store entry.
        var r = try plumb(["net", "disconnect", "ptvan", targets[0]])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(try Shell.run("ip", "netns", "exec", host, "iptables-save").contains("--dport 9500 "))
        // rm --force with one vanished and one live veth.
        r = try plumb(["net", "rm", "ptvan", "--force"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try state(targets), before)
        XCTAssertEqual(try plumb(["net", "ls", "--json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines), "[]")
    }
}
