import Foundation
import XCTest

/// The kernel reuses nsfs inodes. An endpoint whose namespace was deleted behind Plumb's back must never be
/// matched to a newcomer that got the same inode: nothing of the newcomer is touched on the gone endpoint's
/// behalf, and the newcomer is not "already connected".
final class InodeReuseTests: RootTestCase {
    /// How many namespaces to create at most while waiting for the kernel to hand the old inode out again.
    static let maxAttempts = 600
    static let batch = 25

    func inode(_ ns: String) throws -> String {
        try Shell.run("stat", "-L", "-c", "%i", "/run/netns/\(ns)").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testAGoneEndpointsInodeInANewcomerIsNeitherTouchedNorRefused() throws {
        let lab = TestLab()
        defer { lab.cleanup() }
        let host = try lab.addNamespace("h"), gone = try lab.addNamespace("o")
        let stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-state-\(lab.tag)-\(UUID().uuidString.prefix(6))").path
        lab.onCleanup { try? FileManager.default.removeItem(atPath: stateDir) }
        func plumb(_ args: String...) throws -> (status: Int32, stdout: String, stderr: String) {
            try Shell.result([CLITests.binary] + args + ["--state-dir", stateDir, "--host-ns", host])
        }
        // Macvlan: its endpoint's interface lives only in the sandbox, so leaving deletes `eth0` *inside* the
        // sandbox: the step that hit a newcomer's eth0 before cookies.
        let parent = lab.linkName("mp")
        try lab.ip(host, "link", "add", parent, "type", "veth", "peer", "name", lab.linkName("mq"))
        try lab.ip(host, "link", "set", parent, "up")
        var r = try plumb("net", "create", "ptreuse", "--driver", "macvlan", "--parent", parent, "--subnet", "10.213.143.0/24")
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try plumb("net", "connect", "ptreuse", gone)
        XCTAssertEqual(r.status, 0, r.stderr)
        let oldInode = try inode(gone)
        try Shell.run("ip", "netns", "del", gone)

        // The kernel gives out the lowest free proc inode number once the namespace's cleanup has run. Every
        // namespace made here is kept until the end, so the free numbers below the old one get used up instead
        // of being handed out again; the search is bounded.
        var newcomer: String?, created: [String] = []
        while newcomer == nil && created.count < Self.maxAttempts {
            let names = (0..<Self.batch).map { lab.nsName("r\(created.count + $0)") }
            for n in names { lab.onCleanup { _ = try? Shell.run(["ip", "netns", "del", n], check: false) } }
            let made = try Shell.result(["ip", "-batch", "-"], stdin: names.map { "netns add \($0)" }.joined(separator: "\n") + "\n")
            XCTAssertEqual(made.status, 0, made.stderr)
            created += names
            for n in names where try inode(n) == oldInode { newcomer = n }
            if newcomer == nil { usleep(20_000) }  // the gone namespace's cleanup runs from a workqueue
        }
        let n: String
        if let newcomer {
            n = newcomer
            print("InodeReuseTests: the kernel reused inode \(oldInode) within \(created.count) new namespaces")
        } else {
            // No reuse within the bound (the machine's other namespace churn took it first). Construct the same
            // situation honestly: point the endpoint's stored inode at a live newcomer, exactly what a reused
            // inode looks like to Plumb (the inode matches, the stored cookie is the gone namespace's).
            n = try XCTUnwrap(created.last)
            try Shell.run("sqlite3", "\(stateDir)/state.db",
                          "UPDATE endpoints SET sandbox = '\(try inode(n))' WHERE network = 'ptreuse'")
            print("InodeReuseTests: no inode reuse within \(created.count) namespaces; the stored inode was pointed at \(n)")
        }
        try lab.ip(n, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1")
        // Link names (without the "@peer" suffix), in index order.
        let links = {
            try Shell.run("ip", "-n", n, "-o", "link", "show").split(separator: "\n")
                .map { String($0.split(separator: ":")[1].split(separator: "@")[0]).trimmingCharacters(in: .whitespaces) }
        }
        let before = try links()
        XCTAssertTrue(before.contains("eth0"), "\(before)")

        r = try plumb("net", "inspect", "ptreuse", "--json")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("its namespace is gone"), "matched by cookie, not by the reused inode: \(r.stdout)")

        // Not "already connected": the newcomer joins, and leaves, with nothing else of it touched.
        r = try plumb("net", "connect", "ptreuse", n, "--json")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("\"ifname\":\"eth2\""), r.stdout)
        r = try plumb("net", "disconnect", "ptreuse", n)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try links(), before)

        // The gone endpoint: nothing is planned inside the newcomer, and the network goes from the store.
        r = try plumb("net", "rm", "ptreuse", "--force", "--dry-run")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stdout.contains(n), "no step in the newcomer: \(r.stdout)")
        r = try plumb("net", "rm", "ptreuse", "--force")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("net:[\(oldInode)]") || r.stdout.contains("is gone"), r.stdout)
        XCTAssertEqual(try links(), before, "the newcomer's eth0 is untouched")
        XCTAssertEqual(try plumb("net", "ls", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines), "[]")
    }
}
