import XCTest
@testable import PlumbKernel
import PlumbModel

/// Incremental discovery from process events over a fake /proc: only the processes named by events are
/// looked at (one readlink each), and a process that is gone before it is looked at is normal.
final class ProcessTrackerTests: XCTestCase {
    let host: UInt64 = 4026531840, web: UInt64 = 4026532290, fresh: UInt64 = 4026532999

    func tracker(_ t: FakeProcTree) -> ProcessTracker {
        var p = ProcessTracker()
        p.procRoot = t.path
        p.reset(from: [ProcessRecord(pid: 1, ppid: 0, comm: "init", cmdline: "", uid: 0, namespace: host),
                       ProcessRecord(pid: 100, ppid: 1, comm: "nginx", cmdline: "", uid: 0, namespace: web)])
        return p
    }

    func testForkIntoAKnownNamespaceCostsOneReadlinkAndNoDiscovery() throws {
        let t = try FakeProcTree()
        try t.addProcess(pid: 101, comm: "nginx", netns: web)
        var p = tracker(t)
        // A new thread (pid != tgid) is not a new process: not looked at.
        let c = p.apply([ProcessEvent(.fork, pid: 101, tgid: 101), ProcessEvent(.fork, pid: 102, tgid: 100)],
                        known: [host, web])
        XCTAssertEqual(p.lookups, 1)
        XCTAssertEqual(c.moved, [101: web])
        XCTAssertFalse(c.needsDiscovery)
    }

    func testProcessInANewNamespaceAsksForDiscovery() throws {
        let t = try FakeProcTree()
        try t.addProcess(pid: 200, comm: "sleep", netns: fresh)
        var p = tracker(t)
        // `ip netns exec`: the fork is still in the host's namespace in reality; the exec shows the new one.
        let c = p.apply([ProcessEvent(.exec, pid: 200, tgid: 200)], known: [host, web])
        XCTAssertEqual(c.unknownNamespaces, [fresh])
        XCTAssertTrue(c.needsDiscovery)
    }

    func testVanishingProcessIsNormal() throws {
        let t = try FakeProcTree()
        try t.addVanished(pid: 300)
        var p = tracker(t)
        // Forked and gone before we looked (no /proc entry), then its exit: nothing recorded, nothing to do.
        let c = p.apply([ProcessEvent(.fork, pid: 300, tgid: 300), ProcessEvent(.exit, pid: 300, tgid: 300),
                         ProcessEvent(.fork, pid: 301, tgid: 301)], known: [host, web])
        XCTAssertEqual(c.vanished, 2)
        XCTAssertEqual(c, ProcessTracker.Change(vanished: 2))
        XCTAssertFalse(c.needsDiscovery)
        XCTAssertEqual(p.namespaces.count, 2)
    }

    func testLastProcessExitingEmptiesItsNamespace() throws {
        let t = try FakeProcTree()
        var p = tracker(t)
        let c = p.apply([ProcessEvent(.exit, pid: 100, tgid: 100)], known: [host, web])
        XCTAssertEqual(c.exited, [100])
        XCTAssertEqual(c.emptied, [web], "a full discovery decides whether the namespace is gone")
        XCTAssertEqual(p.lookups, 0, "an exit costs no read")
        // A thread exiting is not its process exiting.
        let t2 = p.apply([ProcessEvent(.exit, pid: 5, tgid: 1)], known: [host, web])
        XCTAssertEqual(t2, ProcessTracker.Change())
    }
}
