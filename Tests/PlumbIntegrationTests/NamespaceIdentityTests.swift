import Foundation
import XCTest
import PlumbActions
import PlumbKernel
import PlumbModel
import PlumbSystem

/// A namespace is identified by its netns cookie, not by its name, path or inode: after `ip netns del x;
/// ip netns add x`, a handle made for the first `x` must fail as gone everywhere it is opened, and nothing may
/// happen in the newcomer.
final class NamespaceIdentityTests: RootTestCase {
    /// The snapshot's view of one ip-netns namespace and the handle a plan or shell would hold for it.
    private func handle(_ name: String) throws -> (Namespace, NamespaceHandle) {
        let ns = try XCTUnwrap(SnapshotReader().read(target: name).namespaces.first { $0.names.contains(name) })
        return (ns, try XCTUnwrap(NamespaceHandle(ns)))
    }

    /// An ip-netns namespace that was deleted and re-created under its name, and the handle made for the first.
    private func replaced(_ lab: TestLab, _ suffix: String) throws -> (String, NamespaceHandle) {
        let name = try lab.addNamespace(suffix)
        let (_, old) = try handle(name)
        try Shell.run("ip", "netns", "del", name)
        try Shell.run("ip", "netns", "add", name)
        return (name, old)
    }

    /// Opens and closes at once.
    private func open(_ h: NamespaceHandle) throws { _ = try NamespaceOpener.open(h) }

    func testAHandleToARecreatedNamespaceIsGone() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let name = try lab.addNamespace("id")
        let (first, old) = try handle(name)
        let cookie = try XCTUnwrap(first.cookie, "the snapshot reads the cookie")
        XCTAssertEqual(old.cookie, cookie)
        _ = try NamespaceOpener.open(old)

        try Shell.run("ip", "netns", "del", name)
        XCTAssertThrowsError(try open(old)) { e in
            XCTAssertEqual(e as? NamespaceOpenError, .gone(old), "deleted: \(e)")
        }
        try Shell.run("ip", "netns", "add", name)
        let (second, new) = try handle(name)
        XCTAssertNotEqual(second.cookie, cookie, "a re-created namespace gets a new cookie")
        XCTAssertThrowsError(try open(old)) { e in
            XCTAssertEqual(e as? NamespaceOpenError, .gone(old))
            XCTAssertTrue("\(e)".contains("its namespace is gone"), "\(e)")
        }
        // The inode check alone cannot tell when the kernel reused the inode: the cookie can, even then.
        var sameInode = old
        sameInode.inode = second.id
        XCTAssertThrowsError(try open(sameInode)) { e in
            XCTAssertEqual(e as? NamespaceOpenError, .gone(sameInode))
        }
        _ = try NamespaceOpener.open(new)
        // A legacy handle (no identity) opens whatever the name holds now.
        _ = try NamespaceOpener.open(.named(name))
    }

    func testAPlanForAReplacedNamespaceChangesNothingInTheNewcomer() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let (name, old) = try replaced(lab, "pl")
        let plan = Plan(operation: .other("test"), steps: [.setLinkState(link: "lo", up: true, in: old)])
        XCTAssertThrowsError(try PlanExecutor().apply(plan)) { e in
            XCTAssertTrue("\(e)".contains("its namespace is gone"), "\(e)")
        }
        let lo = try Shell.run("ip", "-n", name, "-o", "link", "show", "lo")
        XCTAssertFalse(lo.contains(",UP"), "lo of the newcomer stayed down: \(lo)")
        // The same plan with the newcomer's identity runs.
        let (_, new) = try handle(name)
        try PlanExecutor().apply(Plan(operation: .other("test"), steps: [.setLinkState(link: "lo", up: true, in: new)]))
        XCTAssertTrue(try Shell.run("ip", "-n", name, "-o", "link", "show", "lo").contains(",UP"))
    }

    /// Rollback and gc undo an interrupted plan: in a namespace that is gone there is nothing left to undo, and
    /// the newcomer at its name keeps what it has (here the very address the plan had added).
    func testUndoingAPlanForAReplacedNamespaceLeavesTheNewcomerAlone() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let (name, old) = try replaced(lab, "rb")
        try lab.ip(name, "addr", "add", "10.213.144.2/24", "dev", "lo")
        let plan = Plan(operation: .other("test"), steps: [.addAddress(cidr: IPPrefix("10.213.144.2/24")!, link: "lo", in: old)])
        PlanExecutor().rollback(plan)
        XCTAssertTrue(try Shell.run("ip", "-n", name, "-o", "addr", "show", "dev", "lo").contains("10.213.144.2/24"),
                      "the newcomer's address stays")
    }

    func testAShellIsNotStartedInAReplacedNamespace() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let (name, old) = try replaced(lab, "sh")
        XCTAssertThrowsError(try NamespaceExec.run(["/bin/true"], in: .network(old), environment: [])) { e in
            XCTAssertTrue("\(e)".contains("its namespace is gone"), "\(e)")
            XCTAssertEqual((e as? NamespaceExec.Failure)?.exitCode, 127)
        }
        let (_, new) = try handle(name)
        XCTAssertEqual(try NamespaceExec.run(["/bin/true"], in: .network(new), environment: []), 0)
    }
}
