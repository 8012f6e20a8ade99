import Foundation
import XCTest

/// `net inspect` and `gc` reconcile macvlan networks (endpoints that live only in their sandboxes) and networks
/// of another `--host-ns` than the one gc is given, both ways, touching only what the journal proves Plumb made.
final class SandboxDriftTests: StateDirTestCase {
    func drift(_ network: String) throws -> [String] {
        let r = try plumb("net", "inspect", network, "--json")
        XCTAssertEqual(r.status, 0, r.stderr)
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        return try XCTUnwrap(doc["drift"] as? [String])
    }

    func links(_ ns: String) throws -> [String] {
        try Shell.run("ip", "-n", ns, "-o", "link", "show").split(separator: "\n")
            .map { String($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces).split(separator: "@")[0]) }
    }

    func testMacvlanDriftBothWaysOnlyWhatTheJournalProves() throws {
        let parent = lab.linkName("mp")
        try lab.ip(home, "link", "add", parent, "type", "veth", "peer", "name", lab.linkName("mq"))
        try lab.ip(home, "link", "set", parent, "up")
        XCTAssertEqual(try plumb("net", "create", "ptmvd", "--driver", "macvlan", "--parent", parent, "--subnet", "10.213.152.0/24").status, 0)
        let a = try lab.addNamespace("a"), b = try lab.addNamespace("b")
        XCTAssertEqual(try plumb("net", "connect", "ptmvd", a).status, 0)
        XCTAssertEqual(try plumb("net", "connect", "ptmvd", b).status, 0)
        // A macvlan on the same parent in a that Plumb did not make: never Plumb's to remove.
        let foreign = lab.linkName("fm")
        try lab.ip(home, "link", "add", foreign, "link", parent, "type", "macvlan", "mode", "bridge")
        try lab.ip(home, "link", "set", foreign, "netns", a, "name", "eth7")

        // Kernel-only: a's row is lost (its lease stays). Store-only: b's namespace is deleted behind Plumb's back.
        try Shell.run("sqlite3", "\(stateDir)/state.db", "DELETE FROM endpoints WHERE network = 'ptmvd' AND sandbox = '\(try inode(a))'")
        try Shell.run("ip", "netns", "del", b)

        let found = try drift("ptmvd"), aInode = try inode(a)
        XCTAssertTrue(found.contains { $0.contains("interface eth0 in net:[\(aInode)] belongs to no endpoint") && $0.contains("journal entry") }, "\(found)")
        XCTAssertTrue(found.contains { $0.contains("lease 10.213.152.2") }, "\(found)")
        XCTAssertTrue(found.contains { $0.contains("its namespace is gone") }, "\(found)")
        XCTAssertFalse(found.contains { $0.contains("eth7") }, "not Plumb's: \(found)")

        let other = try lab.addNamespace("o")
        let r = try plumb("gc", hostNs: other)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try links(a).sorted(), ["eth7", "lo"], "Plumb's eth0 went, the foreign eth7 stays")
        XCTAssertEqual(try drift("ptmvd"), [], "gc left nothing to report")
        let c = try lab.addNamespace("c")
        let again = try plumb("net", "connect", "ptmvd", c, "--json")
        XCTAssertTrue(again.stdout.contains("\"address\":\"10.213.152.2\""), "both leases are free again: \(again.stdout)")
        XCTAssertEqual(try plumb("net", "rm", "ptmvd", "--force").status, 0)
    }

    func testGcReconcilesABridgeNetworkOfAnotherHostNamespace() throws {
        XCTAssertEqual(try plumb("net", "create", "ptobr", "--subnet", "10.213.153.0/24", "--bridge", lab.linkName("ob")).status, 0)
        let a = try lab.addNamespace("a")
        XCTAssertEqual(try plumb("net", "connect", "ptobr", a).status, 0)
        try Shell.run("sqlite3", "\(stateDir)/state.db", "DELETE FROM endpoints WHERE network = 'ptobr'")
        XCTAssertTrue(try links(home).contains { $0.hasPrefix("plv") })

        let other = try lab.addNamespace("o")
        let r = try plumb("gc", hostNs: other)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("belongs to no endpoint"), r.stdout)
        XCTAssertFalse(try links(home).contains { $0.hasPrefix("plv") }, "the orphan veth in the network's own host namespace went")
        XCTAssertEqual(try drift("ptobr"), [])
        XCTAssertEqual(try plumb("net", "rm", "ptobr").status, 0)
    }

    /// CNI endpoints both ways: a lost row whose interface is still in its sandbox gets a CNI DEL there (the
    /// journal proves Plumb's ADD made it); an endpoint whose sandbox is gone gets a DEL with no netns, which
    /// frees its host-local lease. Checked on host-local's own lease files.
    func testCNIDriftBothWays() throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: "/usr/lib/cni/bridge"), "containernetworking-plugins missing")
        let dataDir = "\(stateDir)-ipam", conf = "\(stateDir)-cni.conflist"
        lab.onCleanup { try? FileManager.default.removeItem(atPath: dataDir); try? FileManager.default.removeItem(atPath: conf) }
        try """
            {"cniVersion":"1.0.0","name":"ptcnid","plugins":[{"type":"bridge","bridge":"\(lab.linkName("cb"))","isGateway":true,
             "ipam":{"type":"host-local","subnet":"10.213.154.0/24","dataDir":"\(dataDir)"}}]}
            """.write(toFile: conf, atomically: true, encoding: .utf8)
        XCTAssertEqual(try plumb("net", "create", "ptcnid", "--driver", "cni", "--cni-config", conf).status, 0)
        let a = try lab.addNamespace("a"), b = try lab.addNamespace("b")
        XCTAssertEqual(try plumb("net", "connect", "ptcnid", a).status, 0)
        XCTAssertEqual(try plumb("net", "connect", "ptcnid", b).status, 0)
        func leases() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: "\(dataDir)/ptcnid").filter { $0.hasPrefix("10.213.154.") }.sorted()
        }
        XCTAssertEqual(try leases().count, 2)

        try Shell.run("sqlite3", "\(stateDir)/state.db", "DELETE FROM endpoints WHERE network = 'ptcnid' AND sandbox = '\(try inode(a))'")
        try Shell.run("ip", "netns", "del", b)
        let aInode = try inode(a), found = try drift("ptcnid")
        XCTAssertTrue(found.contains { $0.contains("interface eth0 in net:[\(aInode)] belongs to no endpoint") }, "\(found)")
        XCTAssertTrue(found.contains { $0.contains("its namespace is gone") }, "\(found)")

        let r = try plumb("gc")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try links(a), ["lo"], "the DEL ran in a: its eth0 went")
        XCTAssertEqual(try leases(), [], "both host-local leases were released")
        XCTAssertEqual(try drift("ptcnid"), [])
        XCTAssertEqual(try plumb("net", "rm", "ptcnid").status, 0)
    }
}
