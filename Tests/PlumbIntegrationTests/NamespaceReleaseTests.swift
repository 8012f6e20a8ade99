import Foundation
import XCTest
import PlumbKernel
import PlumbModel
import PlumbSystem

/// `ns rm` reads the namespace it deletes for its identity only (SnapshotOptions.identityOnly): a netlink socket
/// opened in a namespace keeps it alive for an RCU grace period after it is closed (10-25 ms here), and with it
/// the veths its deletion takes, which `ns rm --force` waits for. Read so, nothing of Plumb's holds it.
final class NamespaceReleaseTests: RootTestCase {
    var lab: TestLab!
    var host = "", target = "", veth = ""

    override func setUpWithError() throws {
        try requireRoot()
        lab = TestLab()
        addTeardownBlock { [lab] in lab?.cleanup() }
        host = try lab.addNamespace("rh")
        target = try lab.addNamespace("rt")
        veth = lab.linkName("rv")
        try lab.ip(host, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", target)
    }

    private func read(identityOnly: Bool) throws -> (host: Namespace, target: Namespace, vanished: Int) {
        var st = stat()
        XCTAssertEqual(stat("/run/netns/\(target)", &st), 0)
        var o = SnapshotOptions()
        o.firewall = false
        o.scanFds = false
        o.containers = false
        o.processDetails = false
        if identityOnly { o.identityOnly = [UInt64(st.st_ino)] }
        let snap = SnapshotReader(options: o).read(files: [
            .init(path: "/run/netns/\(host)", name: host), .init(path: "/run/netns/\(target)", name: target),
        ])
        let h = try XCTUnwrap(snap.namespaces.first { $0.names.contains(host) })
        let t = try XCTUnwrap(snap.namespaces.first { $0.names.contains(target) })
        return (h, t, snap.discovery.namespacesVanished)
    }

    func testAnIdentityReadGivesTheCookieAndNoLinks() throws {
        let full = try read(identityOnly: false)
        let cookie = try XCTUnwrap(full.target.cookie)
        XCTAssertNotNil(full.target.link(named: "eth0"), "a full read has the namespace's links")

        let lean = try read(identityOnly: true)
        XCTAssertEqual(lean.target.cookie, cookie, "the same namespace, by its cookie")
        XCTAssertEqual(lean.target.links.count, 0, "no netlink dump of it: \(lean.target.links.map(\.name))")
        XCTAssertEqual(lean.vanished, 0, "an identity read is not a namespace that vanished")
        XCTAssertEqual(lean.host.cookie, full.host.cookie)
        XCTAssertNotNil(lean.host.link(named: veth), "the other namespaces are read in full")
    }

    /// The namespace dies as soon as its name is unmounted: its veth (whose host end is in another namespace) is
    /// gone within a few milliseconds, not after a grace period.
    func testAfterAnIdentityReadTheNamespaceDiesWithItsName() throws {
        // The setup's `ip -n` commands opened netlink sockets in it: let their deferred releases pass first.
        usleep(200_000)
        _ = try read(identityOnly: true)
        guard let hostFd = FileDescriptor.openIfPresent("/run/netns/\(host)", O_RDONLY) else { return XCTFail("cannot open \(host)") }
        try Shell.run("ip", "netns", "del", target)
        let started = DispatchTime.now().uptimeNanoseconds
        var gone = false, waited = 0.0
        let name = veth
        while !gone && waited < 1000 {
            gone = try NamespaceWorkers.run(inNamespaceFd: hostFd.rawValue) { if_nametoindex(name) == 0 }
            waited = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
            if !gone { usleep(200) }
        }
        XCTAssertTrue(gone, "the namespace's cleanup took its veth")
        // An RCU grace period (a netlink socket's deferred release) is 10-25 ms here; the cleanup itself ~0.3 ms.
        XCTAssertLessThan(waited, 8, "nothing of the read kept the namespace alive after its name went (\(waited) ms)")
    }
}

/// RTM_GETNSID by nsid tells a dead namespace (its last reference dropped, its cleanup queued) from a live one,
/// which is what lets `ns rm --force` return without waiting for that cleanup.
final class NamespaceDeathTests: RootTestCase {
    func testANamespaceIsDeadFromTheMomentItsLastReferenceGoes() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let host = try lab.addNamespace("dh"), target = try lab.addNamespace("dt")
        try lab.ip(host, "link", "add", lab.linkName("dv"), "type", "veth", "peer", "name", "eth0", "netns", target)
        guard let hostFd = FileDescriptor.openIfPresent("/run/netns/\(host)", O_RDONLY) else { return XCTFail("cannot open \(host)") }
        let session = try NamespaceWorkers.run(inNamespaceFd: hostFd.rawValue) { try NetlinkChangeSession() }
        let nsid: Int32 = try {
            guard let t = FileDescriptor.openIfPresent("/run/netns/\(target)", O_RDONLY) else { throw SystemError("open", target) }
            return try XCTUnwrap(session.namespaceId(ofNamespaceFd: t.rawValue), "the veth's peer gave it an nsid")
        }()
        XCTAssertEqual(session.namespaceIsAlive(nsid: nsid), true)

        // A process inside keeps it alive after its name is gone; when it ends, the namespace is dead.
        let inside = try Shell.spawn(["ip", "netns", "exec", target, "sleep", "60"])
        lab.ownProcess(inside)
        usleep(200_000)
        try Shell.run("ip", "netns", "del", target)
        XCTAssertEqual(session.namespaceIsAlive(nsid: nsid), true, "a process still lives in it")
        kill(inside.processIdentifier, SIGKILL)
        inside.waitUntilExit()
        XCTAssertTrue(eventuallyTrue(within: 2) { session.namespaceIsAlive(nsid: nsid) == false }, "dead once the process is gone")
        XCTAssertEqual(session.namespaceIsAlive(nsid: 99_999), false, "an id no namespace has")
    }
}
