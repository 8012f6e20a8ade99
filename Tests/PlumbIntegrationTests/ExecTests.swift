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

    /// The command gets a clean environment, not the caller's: TERM, LANG and HOME, a fixed PATH, the marker,
    /// and what --env names; and no descriptor but stdin, stdout and stderr, even one plumb's caller leaked.
    func testCleanEnvironmentAndNoInheritedDescriptors() throws {
        let ns = try lab.addNamespace("env")
        let r = try Shell.result([CLITests.binary, "exec", ns, "--env", "PT_KEEP", "--env", "PT_SET=a=b", "--env", "PT_UNSET",
                                  "--", "env"],
                                 env: ["PT_SECRET": "s", "PT_KEEP": "k", "PATH": "/tmp/pt-evil:/usr/bin:/bin", "TERM": "xterm",
                                       "LANG": "C.UTF-8", "HOME": "/root"])
        XCTAssertEqual(r.status, 0, r.stderr)
        var env: [String: String] = [:]
        for line in r.stdout.split(separator: "\n") where line.contains("=") {
            let kv = line.split(separator: "=", maxSplits: 1)
            env[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
        }
        XCTAssertEqual(Set(env.keys), ["TERM", "LANG", "HOME", "PATH", "PLUMB_NS", "PS1", "PROMPT_COMMAND", "PT_KEEP", "PT_SET"],
                       r.stdout)
        XCTAssertEqual(env["PATH"], "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        XCTAssertEqual(env["PT_KEEP"], "k")
        XCTAssertEqual(env["PT_SET"], "a=b")
        XCTAssertEqual(env["TERM"], "xterm")
        XCTAssertEqual(env["PLUMB_NS"], ns)

        let bad = try plumb(["exec", ns, "--env", "1BAD=x", "--", "true"])
        XCTAssertEqual(bad.status, 64, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("--env 1BAD=x"), bad.stderr)

        // fds 7 and 8 leak into plumb (no close-on-exec); the command must see only 0, 1, 2 and ls's own 3.
        let fds = try Shell.result(["sh", "-c", "exec 7</etc/hostname 8>/dev/null; exec \"$0\" exec \"$1\" -- ls /proc/self/fd",
                                    CLITests.binary, ns])
        XCTAssertEqual(fds.status, 0, fds.stderr)
        XCTAssertEqual(fds.stdout.split(separator: "\n").map(String.init), ["0", "1", "2", "3"], fds.stdout)
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
