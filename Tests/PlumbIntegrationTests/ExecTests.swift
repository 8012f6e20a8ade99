import Foundation
import XCTest

/// `plumb exec`: commands run inside a namespace or a process's namespaces, and their exit codes pass through.
final class ExecTests: RootTestCase {
    var lab: TestLab!

    override func setUpWithError() throws {
        try requireRoot()
        lab = TestLab()
        addTeardownBlock { [lab] in lab?.cleanup() }
    }

    func plumb(_ args: [String], stdin: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        try Shell.result([CLITests.binary] + args, stdin: stdin)
    }

    func testCommandSeesTheNamespacesAddresses() throws {
        let ns = try lab.addNamespace("ex")
        try lab.ip(ns, "addr", "add", "10.213.170.5/24", "dev", "lo")
        let r = try plumb(["exec", ns, "--", "ip", "-j", "addr"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let oracle = try Shell.run("ip", "-n", ns, "-j", "addr")
        let mine = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]]
        let theirs = try JSONSerialization.jsonObject(with: Data(oracle.utf8)) as? [[String: Any]]
        func addresses(_ j: [[String: Any]]?) -> [String] {
            (j ?? []).flatMap { ($0["addr_info"] as? [[String: Any]] ?? []).compactMap { $0["local"] as? String } }.sorted()
        }
        XCTAssertEqual(addresses(mine), addresses(theirs))
        XCTAssertTrue(addresses(mine).contains("10.213.170.5"))
        let hostOnly = try Shell.run("ip", "-j", "addr")
        XCTAssertFalse(hostOnly.contains("10.213.170.5"), "the address lives only in the test namespace")
    }

    func testExitCodesPassThrough() throws {
        let ns = try lab.addNamespace("ec")
        XCTAssertEqual(try plumb(["exec", ns, "--", "sh", "-c", "exit 7"]).status, 7)
        XCTAssertEqual(try plumb(["exec", ns, "--", "true"]).status, 0)
        let missing = try plumb(["exec", ns, "--", "pt-no-such-command"])
        XCTAssertEqual(missing.status, 127)
        XCTAssertTrue(missing.stderr.contains("pt-no-such-command"), missing.stderr)
        let unknown = try plumb(["exec", "pt-no-such-namespace", "--", "true"])
        XCTAssertEqual(unknown.status, 4, "unknown target")
        XCTAssertTrue(unknown.stderr.contains("pt-no-such-namespace"), unknown.stderr)
    }

    func testShellGetsMarkerAndEnvironment() throws {
        let ns = try lab.addNamespace("sh")
        // No command: $SHELL runs, reading commands from stdin.
        let r = try Shell.result([CLITests.binary, "exec", ns], env: ["SHELL": "/bin/sh"],
                                 stdin: "echo ns=$PLUMB_NS; echo ps1=$PS1; readlink /proc/self/ns/net\n")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("ns=\(ns)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("ps1=[plumb:\(ns)]"), r.stdout)
        let inode = try TopologyFixture.inode("/run/netns/\(ns)")
        XCTAssertTrue(r.stdout.contains("net:[\(inode)]"), r.stdout)
        // A $SHELL that does not exist falls back to /bin/sh.
        let fallback = try Shell.result([CLITests.binary, "exec", ns], env: ["SHELL": "/pt/no/shell"],
                                        stdin: "echo fallback-ok\n")
        XCTAssertEqual(fallback.status, 0, fallback.stderr)
        XCTAssertTrue(fallback.stdout.contains("fallback-ok"))
    }

    func testProcessTargetEntersAllItsNamespaces() throws {
        // A process with its own PID, mount, UTS and network namespaces, like a container's init.
        let box = try Shell.spawn(["unshare", "--fork", "--kill-child", "--pid", "--mount-proc", "--uts", "--net",
                                   "sh", "-c", "hostname ptexecbox && exec sleep 120"])
        lab.ownProcess(box)
        var child: Int32? = nil
        for _ in 0..<50 where child == nil {
            let kids = (try? String(contentsOfFile: "/proc/\(box.pid)/task/\(box.pid)/children", encoding: .utf8)) ?? ""
            if let first = kids.split(separator: " ").first, let pid = Int32(first),
               (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.hasPrefix("sleep") == true {
                child = pid
            } else { usleep(100_000) }
        }
        let pid = try XCTUnwrap(child, "the namespaced process started")
        let r = try plumb(["exec", "pid:\(pid)", "--", "sh", "-c", "hostname; echo $$; readlink /proc/self/ns/net"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "ptexecbox", "UTS namespace entered")
        XCTAssertLessThan(Int(lines.dropFirst().first ?? "") ?? 99999, 100, "PID namespace entered: a small pid")
        let netOfBox = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net")
        XCTAssertEqual(lines.last, netOfBox, "network namespace entered")
        // --net-only keeps our UTS namespace: the host's hostname, the box's network.
        let netOnly = try plumb(["exec", "pid:\(pid)", "--net-only", "--", "sh", "-c", "hostname; readlink /proc/self/ns/net"])
        XCTAssertEqual(netOnly.status, 0, netOnly.stderr)
        let hostName = try Shell.run("hostname").trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(netOnly.stdout.split(separator: "\n").map(String.init), [hostName, netOfBox])
    }
}
