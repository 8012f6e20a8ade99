import XCTest
@testable import PlumbKernel
import PlumbModel

/// Discovery over a fake /proc: every way a namespace can be held must be found and recorded.
final class NamespaceDiscoveryTests: XCTestCase {
    let host: UInt64 = 4026531840

    func makeTree() throws -> FakeProcTree {
        let t = try FakeProcTree()
        let mountinfo = """
            25 28 0:24 / /run rw - tmpfs tmpfs rw
            402 25 0:4 net:[4026532290] /run/netns/web rw shared:238 - nsfs nsfs rw
            520 25 0:4 net:[4026532412] /run/docker/netns/1a2b3c4d5e6f rw shared:300 - nsfs nsfs rw
            """
        try t.addProcess(pid: 1, comm: "init", ppid: 0, netns: host, cmdline: ["/sbin/init"], mountinfo: mountinfo)
        try t.addProcess(pid: 100, comm: "nginx", netns: 4026532290, cmdline: ["nginx", "-g", "daemon off;"])
        // A process in the host whose second thread entered another namespace (setns on a thread).
        try t.addProcess(pid: 200, comm: "agent", netns: host, threads: [(201, 4026532600)])
        // A process holding a namespace only through an open fd, plus unrelated fds.
        try t.addProcess(pid: 300, comm: "holder", netns: host,
                         fds: [0: "/dev/null", 1: "pipe:[999]", 7: "net:[4026532700]", 8: "mnt:[4026532701]"])
        try t.addVanished(pid: 400)
        return t
    }

    func discover(_ t: FakeProcTree) -> DiscoveryResult {
        var d = NamespaceDiscovery()
        d.procRoot = t.path
        d.threads = 1
        return d.discover()
    }

    func testFindsNamespacesHeldByProcessesThreadsMountsAndFds() throws {
        let t = try makeTree()
        let r = discover(t)
        let ids = Set(r.namespaces.map(\.id))
        XCTAssertEqual(ids, [host, 4026532290, 4026532412, 4026532600, 4026532700])
        func ns(_ id: UInt64) -> DiscoveredNamespace { r.namespaces.first { $0.id == id }! }

        XCTAssertEqual(ns(4026532290).names, ["web"])
        XCTAssertEqual(ns(4026532290).pids, [100])
        XCTAssertEqual(Set(ns(4026532290).heldBy.map(\.kind)), [.process, .bindMount])

        XCTAssertEqual(ns(4026532412).paths, ["/run/docker/netns/1a2b3c4d5e6f"])
        XCTAssertEqual(ns(4026532412).names, [], "docker sandboxes are not ip-netns names")
        XCTAssertEqual(ns(4026532412).heldBy.map(\.kind), [.bindMount])

        XCTAssertEqual(ns(4026532600).heldBy, [Holder(kind: .thread, pid: 200, tid: 201)])
        XCTAssertEqual(ns(4026532700).heldBy, [Holder(kind: .fd, pid: 300, fd: 7)])
        XCTAssertEqual(ns(host).pids, [1, 200, 300])
    }

    func testCountsVanishedProcessesWithoutFailing() throws {
        let t = try makeTree()
        let r = discover(t)
        XCTAssertEqual(r.stats.processesScanned, 4)
        XCTAssertEqual(r.stats.processesVanished, 1)
        XCTAssertEqual(r.processes.map(\.pid), [1, 100, 200, 300])
        XCTAssertEqual(r.processes[1].cmdline, "nginx -g daemon off;")
        XCTAssertEqual(r.processes[1].comm, "nginx")
        XCTAssertEqual(r.stats.threadsScanned, 1)
        XCTAssertEqual(r.stats.fdsScanned, 4)
    }

    func testProcessWithUnreadableNamespaceIsKeptWithoutNamespace() throws {
        let t = try FakeProcTree()
        try t.addProcess(pid: 1, comm: "init", netns: nil)
        try t.addProcess(pid: 5, comm: "sh", netns: host)
        let r = discover(t)
        XCTAssertEqual(r.processes.count, 2)
        XCTAssertNil(r.processes[0].namespace)
        XCTAssertEqual(r.processes[1].namespace, host)
    }

    func testParallelScanGivesTheSameResultAsSerial() throws {
        let t = try FakeProcTree()
        for pid in Int32(2)...Int32(1200) {
            try t.addProcess(pid: pid, comm: "p\(pid)", netns: pid % 3 == 0 ? 4026532290 : host)
        }
        var d = NamespaceDiscovery()
        d.procRoot = t.path
        d.threads = 1
        let serial = d.discover()
        d.threads = 4
        let parallel = d.discover()
        XCTAssertEqual(serial.processes, parallel.processes)
        XCTAssertEqual(serial.namespaces.map(\.pids), parallel.namespaces.map(\.pids))
        XCTAssertEqual(parallel.stats.processesScanned, 1199)
    }
}

extension NamespaceDiscoveryTests {
    func testHostIsPidOnesNamespaceAndComesFirst() throws {
        let t = try makeTree()
        let r = discover(t)
        XCTAssertEqual(r.namespaces.first?.id, host)
        XCTAssertEqual(r.namespaces.filter(\.isHost).map(\.id), [host])
    }
}
