import Foundation
import Glibc
import XCTest
@testable import PlumbKernel
import PlumbModel

/// Discovery asks the kernel which fds are namespace files (a BPF task_file iterator) instead of reading every
/// fd's link: it must find the same fd holders as the walk, including an fd whose bind mount is gone (it reads
/// back as "/"), an fd opened through /proc (`net:[ID]`), and not a mount-namespace fd.
final class NsfsFdIteratorTests: RootTestCase {
    func testTheIteratorFindsTheFdHoldersTheWalkFinds() throws {
        let lab = TestLab()
        defer { lab.cleanup() }
        let gone = try lab.addNamespace("fdit")
        let goneId = try TopologyFixture.inode("/run/netns/\(gone)")
        let kept = try lab.addNamespace("fdik")
        let keptId = try TopologyFixture.inode("/run/netns/\(kept)")
        // Constant scripts (the names are the test's own): fd 3 through a bind mount deleted afterwards, fd 4
        // through /proc/PID/ns/net of a process in the kept namespace, fd 5 a mount namespace.
        let inside = try Shell.spawn(["ip", "netns", "exec", kept, "sleep", "600"])
        lab.ownProcess(inside)
        try waitFor { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(inside.processIdentifier)/ns/net")) == "net:[\(keptId)]" }
        let holder = try Shell.spawn(["sh", "-c", "exec 3</run/netns/\(gone) 4</proc/\(inside.processIdentifier)/ns/net 5</proc/self/ns/mnt; exec sleep 600"])
        lab.ownProcess(holder)
        let pid = holder.processIdentifier
        try waitFor { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/5")) != nil
            && ((try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? "").hasPrefix("sleep") }
        try Shell.run("ip", "netns", "del", gone)

        let found = try XCTUnwrap(NsfsFdIterator().find(), "the iterator runs here (root, initial pid namespace)")
        XCTAssertEqual(found.fds[pid]?.sorted(), [3, 4, 5], "the kernel reports the holder's three nsfs fds")
        XCTAssertGreaterThan(found.visited, found.fds.values.map(\.count).reduce(0, +), "every fd is visited")

        var iterated = NamespaceDiscovery()
        iterated.fdIterator = true
        var walked = NamespaceDiscovery()
        walked.fdIterator = false
        let a = iterated.discover(), b = walked.discover()
        func holders(_ r: DiscoveryResult) -> [String] {
            r.namespaces.flatMap { ns in
                ns.heldBy.filter { $0.kind == .fd && $0.pid == pid }.map { "\(ns.id) fd \($0.fd ?? -1)" }
            }.sorted()
        }
        XCTAssertEqual(holders(a), ["\(goneId) fd 3", "\(keptId) fd 4"].sorted())
        XCTAssertEqual(holders(a), holders(b))
        XCTAssertEqual(a.namespaces.first { $0.id == goneId }?.heldBy, [Holder(kind: .fd, pid: pid, fd: 3)])
        XCTAssertGreaterThan(a.stats.fdsScanned, 0)
    }

    private func waitFor(_ done: () -> Bool) throws {
        for _ in 0..<300 {
            if done() { return }
            usleep(10_000)
        }
        XCTFail("the test's processes did not start")
        throw Shell.Failed(command: ["sh"], status: -1, stderr: "timed out")
    }
}

extension NsfsFdIteratorTests {
    /// The offsets come from this kernel's BTF (task_struct's tgid follows pid; no offset past a page).
    func testTheLayoutIsReadFromTheKernelsBTF() throws {
        let l = try NsfsFdIterator().layoutFromBTF().get()
        XCTAssertEqual(l.task_tgid, l.task_pid + 4)
        XCTAssertGreaterThan(l.iter_btf_id, 0)
        for off in [l.file_inode, l.inode_sb, l.sb_magic] { XCTAssertLessThan(off, 4096) }
        let missing = NsfsFdIterator(btfPath: "/nonexistent-btf")
        guard case .failure(let e) = missing.layoutFromBTF() else { return XCTFail("a missing BTF file is an error") }
        XCTAssertEqual(e.reason, "reading /nonexistent-btf: No such file or directory")
    }
}
