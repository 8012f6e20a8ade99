import Foundation
import XCTest
@testable import PlumbKernel
import PlumbModel

/// Discovery reads bind mounts in every mount namespace through the mount-namespace walk and the table index
/// (listmount/statmount where no process lives in a mount namespace): a network namespace bind-mounted only
/// inside another mount namespace is found, from a fresh index and from a kept one.
final class MountNamespaceDiscoveryTests: RootTestCase {
    func inode(_ path: String) throws -> UInt64 {
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: path)
        return try XCTUnwrap(parseNamespaceLink(link)?.inode, link)
    }

    func waitFor(_ what: String, _ ok: () -> Bool) throws {
        for _ in 0..<300 where !ok() { usleep(10_000) }
        XCTAssertTrue(ok(), "timed out waiting for \(what)")
        if !ok() { throw Shell.Failed(command: [what], status: -1, stderr: "timed out") }
    }

    func discover(_ index: MountTableIndex) -> DiscoveryResult {
        var d = NamespaceDiscovery(scanFds: false)
        d.mountIndex = index
        return d.discover()
    }

    func testNamespaceBoundOnlyInsideAnotherMountNamespaceIsFound() throws {
        guard MountNamespaceWalk.all() != nil else {
            return XCTFail("this kernel (\(ProcessInfo.processInfo.operatingSystemVersionString)) cannot walk mount "
                           + "namespaces (NS_MNT_GET_NEXT, Linux 6.12): the listmount path is untested here")
        }
        let lab = TestLab()
        defer { lab.cleanup() }
        let dir = "/tmp/pt-mntns-\(lab.tag)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: "\(dir)/net", contents: nil)
        FileManager.default.createFile(atPath: "\(dir)/mnt", contents: nil)
        lab.onCleanup {
            _ = try? Shell.run(["umount", "\(dir)/mnt"], check: false)
            try? FileManager.default.removeItem(atPath: dir)
        }
        let mine = try inode("/proc/self/ns/net")
        let net = try Shell.spawn(["unshare", "-n", "sleep", "600"])
        lab.ownProcess(net)
        try waitFor("unshare -n") { ((try? inode("/proc/\(net.pid)/ns/net")) ?? mine) != mine }
        let netId = try inode("/proc/\(net.pid)/ns/net")
        // A private mount namespace where the network namespace is bind-mounted; the host never sees the mount.
        // (A constant script: no user text.)
        let holder = try Shell.spawn(["unshare", "-m", "--propagation", "private", "sh", "-c",
                                      "mount --bind /proc/\(net.pid)/ns/net \(dir)/net && exec sleep 600"])
        lab.ownProcess(holder)
        try waitFor("the holder's bind mount") {
            (try? String(contentsOfFile: "/proc/\(holder.pid)/comm", encoding: .utf8))?.hasPrefix("sleep") ?? false
        }
        kill(net.pid, SIGKILL); net.waitUntilExit()
        XCTAssertFalse(try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8).contains("\(dir)/net"))

        let index = MountTableIndex()
        let first = discover(index)
        let found = try XCTUnwrap(first.namespaces.first { $0.id == netId }, "net:[\(netId)] not found")
        XCTAssertEqual(found.heldBy, [Holder(kind: .bindMount, pid: holder.pid, path: "\(dir)/net")])
        XCTAssertEqual(found.handles.first, "/proc/\(holder.pid)/root\(dir)/net")
        XCTAssertGreaterThan(first.stats.mountTablesScanned, 0)

        // Again with the same index: unchanged tables are not read, the answer is the same.
        let second = discover(index)
        XCTAssertEqual(second.namespaces.first { $0.id == netId }?.heldBy, found.heldBy)
        XCTAssertLessThan(second.stats.mountTablesScanned, first.stats.mountTablesScanned)

        // The mount namespace outlives its last process (held by a bind mount of its own): no mountinfo to read,
        // so the table comes from listmount/statmount by the namespace's id.
        _ = try Shell.run("mount", "--bind", "/proc/\(holder.pid)/ns/mnt", "\(dir)/mnt")
        kill(holder.pid, SIGKILL); holder.waitUntilExit()
        let orphan = discover(MountTableIndex())
        let still = try XCTUnwrap(orphan.namespaces.first { $0.id == netId }, "net:[\(netId)] lost with its process")
        XCTAssertEqual(still.heldBy, [Holder(kind: .bindMount, pid: nil, path: "\(dir)/net")])
        XCTAssertEqual(still.paths, ["\(dir)/net"])
    }
}
