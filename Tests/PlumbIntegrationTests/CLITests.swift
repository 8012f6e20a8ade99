import Foundation
import XCTest

/// Drives the real `plumb` binary: JSON contract, text output, exit codes and error lines.
final class CLITests: RootTestCase {
    var lab: TestLab!

    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["PLUMB_TEST_BINARY"] { return b }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/plumb").path
    }

    override func setUpWithError() throws {
        try requireRoot()
        lab = TestLab()
        addTeardownBlock { [lab] in lab?.cleanup() }
    }

    func plumb(_ args: String...) throws -> (status: Int32, stdout: String, stderr: String) {
        try Shell.result([Self.binary] + args)
    }

    func testSnapshotJSONFollowsTheSchema() throws {
        let name = try lab.addNamespace("cli")
        try lab.ip(name, "link", "add", "pta", "type", "veth", "peer", "name", "ptb")
        try lab.ip(name, "addr", "add", "10.213.9.1/30", "dev", "pta")
        let r = try plumb("snapshot", "--json")
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let nss = try XCTUnwrap(json["namespaces"] as? [[String: Any]])
        XCTAssertEqual(nss.first?["isHost"] as? Bool, true)
        let ns = try XCTUnwrap(nss.first { ($0["names"] as? [String])?.contains(name) == true })
        XCTAssertEqual(ns["id"] as? UInt64, try TopologyFixture.inode("/run/netns/\(name)"))
        let links = try XCTUnwrap(ns["links"] as? [[String: Any]])
        let pta = try XCTUnwrap(links.first { $0["name"] as? String == "pta" })
        XCTAssertEqual(pta["addresses"] as? [String], ["10.213.9.1/30"])
        let peer = try XCTUnwrap(pta["peer"] as? [String: Any])
        XCTAssertEqual(peer["namespace"] as? UInt64, ns["id"] as? UInt64, "a veth with both ends here")
        XCTAssertEqual(peer["index"] as? Int, (links.first { $0["name"] as? String == "ptb" })?["index"] as? Int)
        XCTAssertNotNil(json["processes"] as? [[String: Any]])
    }

    func testTargetFiltersToOneNamespace() throws {
        let name = try lab.addNamespace("one")
        let r = try plumb("snapshot", name, "--json")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").count, 1, "JSON is one line unless --pretty")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let nss = try XCTUnwrap(json["namespaces"] as? [[String: Any]])
        XCTAssertEqual(nss.count, 1)
        XCTAssertEqual(nss[0]["names"] as? [String], [name])
        let pretty = try plumb("snapshot", name, "--json", "--pretty")
        XCTAssertGreaterThan(pretty.stdout.split(separator: "\n").count, 20)
        // Same document either way (timestamps and timings aside): compare the namespace.
        let prettyJSON = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(pretty.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((prettyJSON["namespaces"] as? [[String: Any]])?.first?["links"] as? NSArray,
                       nss.first?["links"] as? NSArray)

        let text = try plumb("snapshot", name)
        XCTAssertEqual(text.status, 0)
        XCTAssertTrue(text.stdout.hasPrefix("\(name)  net:["), text.stdout)
        XCTAssertTrue(text.stdout.contains("1: lo [loopback]"), text.stdout)
        // An `ip netns` namespace without a process is normal: named, not a leak.
        XCTAssertTrue(text.stdout.contains("held by: bindMount (named, no process)"), text.stdout)
    }

    func testNsListShowsHoldersInTextAndJSON() throws {
        let name = try lab.addNamespace("ls")
        let j = try plumb("ns", "ls", "--json")
        XCTAssertEqual(j.status, 0, j.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [[String: Any]])
        let row = try XCTUnwrap(rows.first { $0["name"] as? String == name })
        XCTAssertEqual(row["heldBy"] as? [String], ["bindMount"])
        XCTAssertEqual(row["orphan"] as? Bool, true)
        XCTAssertEqual(row["links"] as? Int, 1)
        XCTAssertEqual(rows.first?["isHost"] as? Bool, true)
        let t = try plumb("ns", "ls")
        XCTAssertTrue(t.stdout.hasPrefix("NSID"), t.stdout)
        let line = try XCTUnwrap(t.stdout.split(separator: "\n").first { $0.contains(name) })
        XCTAssertTrue(line.contains("bindMount (named, no process)"), String(line))
        XCTAssertNil(row["leak"], "named: not a leak")
    }

    func testFwShowsRulesWithCounters() throws {
        let name = try lab.addNamespace("fw")
        try Shell.run("ip", "netns", "exec", name, "iptables", "-N", "PT-FW")
        try Shell.run("ip", "netns", "exec", name, "iptables", "-A", "OUTPUT", "-o", "lo", "-j", "PT-FW")
        try Shell.run("ip", "netns", "exec", name, "ping", "-c", "2", "-i", "0.2", "127.0.0.1")
        let j = try plumb("fw", name, "--json")
        XCTAssertEqual(j.status, 0, j.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 1)
        let tables = try XCTUnwrap((rows[0]["firewall"] as? [String: Any])?["tables"] as? [[String: Any]])
        let filter = try XCTUnwrap(tables.first { $0["name"] as? String == "filter" })
        let output = try XCTUnwrap((filter["chains"] as? [[String: Any]])?.first { $0["name"] as? String == "OUTPUT" })
        let rule = try XCTUnwrap((output["rules"] as? [[String: Any]])?.first)
        XCTAssertEqual(rule["target"] as? String, "PT-FW")
        XCTAssertGreaterThanOrEqual(rule["packets"] as? Int ?? 0, 4, "two pings out and two replies over lo")
        let t = try plumb("fw", name)
        XCTAssertTrue(t.stdout.contains("iptables ipv4 filter:"), t.stdout)
        XCTAssertTrue(t.stdout.contains("-o lo -j PT-FW"), t.stdout)
    }

    func testDiffOfTwoSavedSnapshots() throws {
        let name = try lab.addNamespace("diff")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-diff-\(lab.tag)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.json").path, b = dir.appendingPathComponent("b.json").path
        try plumb("snapshot", name, "--json").stdout.write(toFile: a, atomically: true, encoding: .utf8)
        try lab.ip(name, "link", "add", "ptd0", "type", "veth", "peer", "name", "ptd1")
        try lab.ip(name, "link", "set", "lo", "down")
        try plumb("snapshot", name, "--json").stdout.write(toFile: b, atomically: true, encoding: .utf8)
        let r = try plumb("diff", a, b)
        XCTAssertEqual(r.status, 1, "changes: 1, as diff(1) \(r.stderr)")
        XCTAssertTrue(r.stdout.contains("\(name): link ptd0 (veth) appeared, down"), r.stdout)
        XCTAssertTrue(r.stdout.contains("\(name): link lo: up → down"), r.stdout)
        let same = try plumb("diff", a, a)
        XCTAssertEqual(same.stdout, "no changes\n")
        XCTAssertEqual(same.status, 0)
        let bad = try plumb("diff", a, "/nonexistent")
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("cannot read /nonexistent"), bad.stderr)
    }

    func testUnknownTargetExitsFourWithOneLine() throws {
        let r = try plumb("snapshot", "pt-does-not-exist")
        XCTAssertEqual(r.status, 4)
        XCTAssertEqual(r.stdout, "")
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("no namespace matches 'pt-does-not-exist'"), r.stderr)
    }

    func testBadUsageExits64() throws {
        let r = try plumb("snapshot", "--no-such-flag")
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertTrue(r.stderr.contains("--no-such-flag"), r.stderr)
    }

    func asNobody(_ args: String...) throws -> (status: Int32, stdout: String, stderr: String) { try asNobody(args) }

    func asNobody(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        // setpriv (util-linux) drops to nobody with no capabilities.
        try Shell.result(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                          "--inh-caps=-all", "--bounding-set=-all", Self.binary] + args)
    }

    func testWithoutPrivilegesWhatNeedsRootExits77WithOneLine() throws {
        let r = try asNobody("fw")
        XCTAssertEqual(r.status, 77, r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("CAP_NET_ADMIN"), r.stderr)
        XCTAssertTrue(r.stderr.contains("run as root"), r.stderr)
        XCTAssertEqual(r.stdout, "")
    }

    /// As lsns, ip link and ss do: read-only listings show what the user can read, with one note, exit 0. Its
    /// own namespace is read in full (setns fails even into it without CAP_SYS_ADMIN, so it is not entered);
    /// a namespace it cannot enter says so, not that it vanished.
    func testWithoutPrivilegesListingsShowWhatTheyCanWithANote() throws {
        let other = try lab.addNamespace("np")
        for args in [["ns", "ls", "--json"], ["snapshot", "--json"], ["ss", "--json"]] {
            let r = try asNobody(args)
            XCTAssertEqual(r.status, 0, "\(args): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("plumb: note: without CAP_NET_ADMIN"), r.stderr)
            XCTAssertTrue(r.stderr.contains("run as root"), r.stderr)
            let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
            let rows = (json as? [String: Any])?["namespaces"] as? [[String: Any]] ?? json as? [[String: Any]] ?? []
            let host = rows.first { $0["isHost"] as? Bool == true || $0["name"] as? String == "host" }
            XCTAssertNotNil(host, "its own namespace at least: \(r.stdout.prefix(300))")
            XCTAssertEqual(host?["notes"] as? [String] ?? [], [], "\(args): the user's own namespace is read")
            if args[0] == "snapshot" {
                let links = (host?["links"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                XCTAssertTrue(links.contains("lo"), "the host's links are read: \(links)")
            }
            if args[0] != "ns" {
                let notes = rows.first { ($0["names"] as? [String]) == [other] || $0["name"] as? String == other }?["notes"] as? [String]
                XCTAssertEqual(notes, ["not read: entering it needs CAP_SYS_ADMIN (run as root)"], "\(args): \(other)")
            }
        }
        let ss = try asNobody(["ss", "-l"])
        XCTAssertTrue(ss.stdout.hasPrefix("Namespace"), ss.stdout)
    }

    /// `plumb snapshots` names the closest command; --version prints the version.
    func testMistypedCommandAndVersion() throws {
        var r = try plumb("snapshots", "--json")
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertEqual(r.stderr, "plumb: unknown command 'snapshots' — did you mean 'snapshot'? (`plumb --help` lists the commands)\n")
        XCTAssertEqual(r.stdout, "")
        r = try plumb("--version")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("plumb "), r.stdout)
    }
}
