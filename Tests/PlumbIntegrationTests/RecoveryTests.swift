import Foundation
import XCTest

/// Crash recovery that tells the truth, and changes that cannot be claimed twice: gc touches only operations
/// whose process is dead, finishes interrupted teardowns, reconciles the store with the kernel both ways, and
/// published ports and leases are taken in the same transaction as the journal entry.
final class RecoveryTests: RecoveryTestCase {
    /// gc started while an 8-target connect runs must not undo it: either way, the store and the kernel agree.
    func testGcDuringAConnectLeavesTheLiveOperationAlone() throws {
        let targets = try (0..<8).map { try lab.addNamespace("g\($0)") }
        XCTAssertEqual(try plumb("net", "create", "ptgc", "--subnet", "10.213.230.0/24", "--bridge", lab.linkName("gc")).status, 0)
        var rng = SeededGenerator(seed: UInt64(ProcessInfo.processInfo.environment["PLUMB_CHAOS_SEED"] ?? "") ?? 1303)
        // Delays spread over the connect's whole run (its start, IPAM, journal, apply, store).
        for round in 0..<6 {
            let delay = UInt32.random(in: 1_000...250_000, using: &rng)
            let connect = Locked<(status: Int32, stdout: String, stderr: String)?>(nil)
            let done = DispatchSemaphore(value: 0)
            let cmd = command(["net", "connect", "ptgc"] + targets + ["-p", "18300-18307:80"])
            Thread {
                connect.mutate { $0 = try? Shell.result(cmd) }
                done.signal()
            }.start()
            usleep(delay)
            let gc = try plumb("gc")
            done.wait()
            let c = try XCTUnwrap(connect.value)
            XCTAssertEqual(gc.status, 0, gc.stderr)
            XCTAssertEqual(c.status, 0, "round \(round), gc after \(delay) µs: \(c.stderr)")
            XCTAssertEqual(try disagreements(targets: targets, foreign: []), [], "round \(round), gc after \(delay) µs; gc said: \(gc.stdout)")
            XCTAssertEqual(try sql("SELECT count(*) FROM endpoints"), ["8"])
            XCTAssertEqual(try plumb(["net", "disconnect", "ptgc"] + targets).status, 0)
        }
        XCTAssertEqual(try plumb("net", "rm", "ptgc").status, 0)
    }

    /// 16 concurrent connects publishing one host port: exactly one wins, and the kernel has one DNAT rule for it.
    func testSixteenConcurrentPublishesOfOnePortGiveOneRule() throws {
        let targets = try (0..<16).map { try lab.addNamespace("p\($0)") }
        XCTAssertEqual(try plumb("net", "create", "ptport", "--subnet", "10.213.231.0/24", "--bridge", lab.linkName("pp")).status, 0)
        let results = Locked<[Int32]>([])
        let group = DispatchGroup()
        for t in targets {
            group.enter()
            let cmd = command(["net", "connect", "ptport", t, "-p", "18399:80"])
            Thread {
                let r = try? Shell.result(cmd)
                results.mutate { $0.append(r?.status ?? -1) }
                group.leave()
            }.start()
        }
        group.wait()
        XCTAssertEqual(results.value.filter { $0 == 0 }.count, 1, "exactly one connect publishes 18399: \(results.value)")
        let dnat = try hostRules().filter { $0.contains("--dport 18399 ") && $0.contains("DNAT") }
        XCTAssertEqual(dnat.count, 1, "\(dnat)")
        XCTAssertEqual(try disagreements(targets: targets, foreign: []), [])
        XCTAssertEqual(try plumb("net", "rm", "ptport", "--force").status, 0)
    }

    /// A `net rm --force` or `net disconnect` killed half-way is finished by gc (rolled forward), and gc says what
    /// it changed.
    func testInterruptedTeardownIsFinishedByGc() throws {
        let targets = try (0..<2).map { try lab.addNamespace("t\($0)") }
        let linksBefore = try hostLinks(), rulesBefore = try hostRules()
        // The disconnect plan: the port rules' batch, then the veth. Die after the first step.
        XCTAssertEqual(try plumb(["net", "create", "ptrm", "--subnet", "10.213.232.0/24", "--bridge", lab.linkName("rm")]).status, 0)
        XCTAssertEqual(try plumb(["net", "connect", "ptrm"] + targets + ["-p", "18310-18311:80"]).status, 0)
        var r = try plumb(["net", "disconnect", "ptrm", targets[0]], env: ["PLUMB_TEST_KILL_AFTER_STEP": "1"])
        XCTAssertEqual(r.status, 9, "killed (signal 9)")
        var gc = try plumb("gc")
        XCTAssertEqual(gc.status, 0, gc.stderr)
        XCTAssertTrue(gc.stdout.contains("finished"), gc.stdout)
        XCTAssertEqual(try sql("SELECT count(*) FROM endpoints"), ["1"], "the endpoint left the store")
        XCTAssertEqual(try disagreements(targets: targets, foreign: []), [])

        // The rm plan: one firewall batch (every rule of the network), then the links. Die after the rules.
        r = try plumb(["net", "rm", "ptrm", "--force"], env: ["PLUMB_TEST_KILL_AFTER_STEP": "1"])
        XCTAssertEqual(r.status, 9, "killed (signal 9)")
        XCTAssertTrue(try ruleTags().isEmpty, "the kill came after the rules went")
        gc = try plumb("gc")
        XCTAssertEqual(gc.status, 0, gc.stderr)
        XCTAssertTrue(gc.stdout.contains("finished"), gc.stdout)
        XCTAssertEqual(try sql("SELECT count(*) FROM networks"), ["0"], "the network left the store")
        XCTAssertEqual(try sql("SELECT count(*) FROM allocations"), ["0"], "with its leases")
        XCTAssertEqual(try hostLinks(), linksBefore, "bridge and veths are gone")
        XCTAssertEqual(try hostRules(), rulesBefore)
        for t in targets { XCTAssertEqual(try links(t), []) }
        XCTAssertEqual(try plumb("gc").stdout, "nothing to clean up\n", "a second gc has nothing left to do")
    }

    /// gc reports what it changed, and "nothing" when an interrupted entry had changed nothing.
    func testGcCountsChangesNotEntries() throws {
        XCTAssertEqual(try plumb(["net", "create", "ptnil", "--subnet", "10.213.233.0/24", "--bridge", lab.linkName("nl")]).status, 0)
        let t = try lab.addNamespace("n0")
        let before = try hostRules()
        // A connect journaled as started whose process died before its first step: the entry is planned, and
        // undoing it has nothing to remove. (The plan is the one --dry-run prints.)
        let dry = try plumb("net", "connect", "ptnil", t, "--dry-run", "--json")
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any])
        let plan = try XCTUnwrap((doc["plans"] as? [Any])?.first)
        let text = String(decoding: try JSONSerialization.data(withJSONObject: plan), as: UTF8.self)
        XCTAssertFalse(text.contains("'"))
        try Shell.run("sqlite3", "\(stateDir)/state.db", """
            INSERT INTO journal (operation, plan, state, created_at, updated_at)
            VALUES ('net connect ptnil \(t)', '\(text)', 'planned', 0, 0)
            """)
        let gc = try plumb("gc")
        XCTAssertEqual(gc.status, 0, gc.stderr)
        XCTAssertTrue(gc.stdout.hasPrefix("nothing to clean up"), gc.stdout)
        XCTAssertEqual(try sql("SELECT count(*) FROM journal WHERE state = 'planned'"), ["0"], "the entry is closed")
        XCTAssertEqual(try hostRules(), before)
        XCTAssertEqual(try plumb("net", "rm", "ptnil").status, 0)
    }

    /// The store and the kernel reconciled both ways: a lease no endpoint holds, an endpoint whose veth is gone,
    /// a veth on a Plumb bridge that no endpoint owns and a port rule of no endpoint. `net inspect` names each,
    /// `gc --dry-run` changes nothing, `gc` fixes them all and then finds nothing.
    func testInspectAndGcReconcileStoreAndKernelBothWays() throws {
        let targets = try (0..<3).map { try lab.addNamespace("r\($0)") }
        let br = lab.linkName("rc")
        XCTAssertEqual(try plumb(["net", "create", "ptrec", "--subnet", "10.213.234.0/24", "--bridge", br]).status, 0)
        XCTAssertEqual(try plumb(["net", "connect", "ptrec"] + targets + ["-p", "18320-18322:80"]).status, 0)
        XCTAssertTrue(try plumb("net", "inspect", "ptrec").stdout.contains("in sync with the kernel"))
        // Store-only: a lease nobody holds (what a kill between allocation and journal used to leave), and an
        // endpoint whose veth was deleted behind Plumb's back.
        try Shell.run("sqlite3", "\(stateDir)/state.db", "INSERT INTO allocations (network, address, sandbox) VALUES ('ptrec', '10.213.234.77', NULL)")
        let vanished = try XCTUnwrap(try sql("SELECT host_ifname FROM endpoints WHERE sandbox = '\(try namespaceID(targets[0]))'").first)
        try lab.ip(host, "link", "del", vanished)
        // Kernel-only: a plv veth on the network's bridge, and a port rule tagged for an endpoint that is not there.
        try lab.ip(host, "link", "add", "plvorphan", "type", "veth", "peer", "name", lab.linkName("op"), "netns", targets[2])
        try lab.ip(host, "link", "set", "plvorphan", "master", br)
        try Shell.run("ip", "netns", "exec", host, "iptables", "-t", "nat", "-A", "PLUMB-DNAT", "-p", "tcp", "--dport", "18329",
                      "-m", "comment", "--comment", "plumb:ptrec:4242", "-j", "DNAT", "--to-destination", "10.213.234.99:80")
        let inspect = try plumb("net", "inspect", "ptrec")
        for expected in ["10.213.234.77", vanished, "plvorphan", "plumb:ptrec:4242"] {
            XCTAssertTrue(inspect.stdout.contains(expected), "inspect names \(expected): \(inspect.stdout)")
        }
        let links = try hostLinks(), rules = try hostRules(), leases = try sql("SELECT * FROM allocations ORDER BY address")
        let dry = try plumb("gc", "--dry-run")
        XCTAssertEqual(dry.status, 0, dry.stderr)
        for expected in ["10.213.234.77", "plvorphan"] { XCTAssertTrue(dry.stdout.contains(expected), dry.stdout) }
        XCTAssertEqual(try hostLinks(), links, "gc --dry-run changes nothing")
        XCTAssertEqual(try hostRules(), rules)
        XCTAssertEqual(try sql("SELECT * FROM allocations ORDER BY address"), leases)

        let gc = try plumb("gc")
        XCTAssertEqual(gc.status, 0, gc.stderr)
        XCTAssertFalse(gc.stdout.hasPrefix("nothing"), gc.stdout)
        XCTAssertEqual(try disagreements(targets: targets, foreign: []), [])
        XCTAssertEqual(try sql("SELECT count(*) FROM endpoints"), ["2"], "the endpoint whose veth vanished is gone")
        XCTAssertTrue(try plumb("net", "inspect", "ptrec").stdout.contains("in sync with the kernel"))
        XCTAssertEqual(try plumb("gc").stdout, "nothing to clean up\n")
        XCTAssertEqual(try plumb("net", "rm", "ptrec", "--force").status, 0)

        // Kernel-only network: its row lost (an older Plumb killed between the change and the row), its bridge
        // and rules still in the kernel. gc removes them, because this store's journal shows it created them.
        let linksBefore = try hostLinks(), rulesBefore = try ruleTags()
        XCTAssertEqual(try plumb(["net", "create", "ptlost", "--subnet", "10.213.235.0/24", "--bridge", lab.linkName("lo")]).status, 0)
        try Shell.run("sqlite3", "\(stateDir)/state.db", "DELETE FROM networks WHERE name = 'ptlost'")
        let lost = try plumb("gc")
        XCTAssertTrue(lost.stdout.contains("network ptlost is not in the store"), lost.stdout)
        XCTAssertEqual(try hostLinks(), linksBefore)
        XCTAssertEqual(try ruleTags(), rulesBefore)
    }

    /// `lab up --dry-run` prints the plan and changes nothing: no namespace, link, address or rule.
    func testLabUpDryRunChangesNothing() throws {
        let prefix = "pt-\(lab.tag.prefix(3))"
        lab.onCleanup { [self] in _ = try? Shell.result([CLITests.binary, "lab", "down", "--prefix", prefix, "--host-ns", host, "--state-dir", stateDir]) }
        let before = [try Shell.run("ip", "netns", "list"), try Shell.run("ip", "-j", "link", "show")] + (try hostLinks()) + (try hostRules())
        let r = try plumb("lab", "up", "--prefix", prefix, "--dry-run")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("# dry run: nothing was changed"), r.stdout)
        XCTAssertTrue(r.stdout.contains("ip netns add \(prefix)-web"), r.stdout)
        XCTAssertTrue(r.stdout.contains("net create \(prefix)-front"), r.stdout)
        let after = [try Shell.run("ip", "netns", "list"), try Shell.run("ip", "-j", "link", "show")] + (try hostLinks()) + (try hostRules())
        XCTAssertEqual(after, before)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(stateDir)/lab-\(prefix).json"), "no lab state written")
    }
}
