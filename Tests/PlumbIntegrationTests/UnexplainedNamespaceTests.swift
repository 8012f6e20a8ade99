import Foundation
import Glibc
import XCTest

/// "Never a bare '-' without a reason": namespaces no container runtime made, as a user leaves them: one made
/// by `unshare --fork` and one whose name was deleted while a python3 process
/// keeps an fd on it. Each must say what made it and name the evidence; and on the whole machine, every
/// namespace but the host's has a container or a `why`, in the JSON and in the text's CONTAINER column.
final class UnexplainedNamespaceTests: RootTestCase {
    func testEveryNamespaceWithoutAContainerSaysWhyWithItsEvidence() throws {
        let tag = String(format: "%04x", Int.random(in: 0..<65536))
        let named = "pt-why\(tag)"
        var undo: [() -> Void] = []
        addTeardownBlock { for f in undo.reversed() { f() } }

        let unshared = try UnsharedSleep.start()
        undo.append { unshared.stop() }
        let unshare = unshared.unshare, child = unshared.child

        try Shell.run("ip", "netns", "add", named)
        undo.append { _ = try? Shell.result(["ip", "netns", "del", named]) }
        let held = try XCTUnwrap(Self.inode("/run/netns/\(named)"))
        // A fixed script: the path comes as its argument; it keeps the fd open until killed.
        let holder = try Shell.spawn(["python3", "-c", "import os, sys, time; fd = os.open(sys.argv[1], os.O_RDONLY); print(fd, flush=True); time.sleep(60)",
                                      "/run/netns/\(named)"])
        undo.append { RuntimeHost.stop(pid: holder.pid, grace: 2); holder.waitUntilExit() }
        XCTAssertTrue(RuntimeHost.wait(5) {
            // Opened through the bind mount, the fd reads as that path until it is unmounted.
            ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(holder.pid)/fd")) ?? []).contains {
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(holder.pid)/fd/\($0)")) == "/run/netns/\(named)"
            }
        }, "python3 holds the namespace by an fd")
        try Shell.run("ip", "netns", "del", named)

        let rows = try NamespaceListing.rows()
        func why(_ id: UInt64?) -> [String: Any]? {
            rows.first { ($0["id"] as? NSNumber)?.uint64Value == id }?["why"] as? [String: Any]
        }
        let byUnshare = why(NetworkHelperTests.netns(child))
        XCTAssertEqual(byUnshare?["maker"] as? String, "unshare", "\(String(describing: byUnshare))")
        // unshare --fork unshares itself, then forks: unshare is the namespace's first process.
        let evidence = byUnshare?["evidence"] as? String ?? ""
        XCTAssertTrue(evidence.hasPrefix("pid \(unshare.pid) `") && evidence.contains("unshare --net --fork --kill-child sleep 60`, child of "),
                      evidence)
        XCTAssertEqual(byUnshare?["reason"] as? String, "no container runtime's state, cgroup or parent process names it")
        let byFd = why(held)
        XCTAssertEqual(byFd?["maker"] as? String, "fd of python3", "\(String(describing: byFd))")
        XCTAssertTrue((byFd?["evidence"] as? String ?? "").hasPrefix("fd ") && (byFd?["evidence"] as? String ?? "").contains("of pid \(holder.pid) ("),
                      "\(String(describing: byFd))")

        for row in rows where (row["isHost"] as? Bool) != true {
            let containers = row["containers"] as? [[String: Any]] ?? []
            XCTAssertTrue(!containers.isEmpty || row["why"] != nil, "a namespace with neither a container nor a why: \(row)")
        }
        // The text: the CONTAINER column (the third) is never a bare "-" but on the host's row.
        let text = try Shell.run(CLITests.binary, "ns", "ls")
        for line in text.split(separator: "\n").dropFirst() {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true)
            guard cells.count > 2, cells[1] != "host" else { continue }
            XCTAssertNotEqual(cells[2], "-", "a bare '-': \(line)")
        }
        XCTAssertTrue(text.contains("(unshare)") && text.contains("(fd of python3)"), text)
    }

    static func inode(_ path: String) -> UInt64? {
        var st = stat()
        return stat(path, &st) == 0 ? UInt64(st.st_ino) : nil
    }
}
