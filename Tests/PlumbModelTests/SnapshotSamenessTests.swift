import XCTest
import PlumbModel

/// `SnapshotSameness`: what the live source's versions count. Only counters and time may differ for `.same`;
/// processes and what discovery finds of a namespace for `.sameObjects`; anything else is different objects.
final class SnapshotSamenessTests: XCTestCase {
    private func snapshot() -> Snapshot {
        let host = Namespace(id: 1, isHost: true, heldBy: [Holder(kind: .process, pid: 1)], pids: [1, 50],
                             links: [Link(index: 1, name: "lo", kind: "loopback"),
                                     Link(index: 2, name: "ptbr0", kind: "bridge", addresses: [IPPrefix("10.213.9.1/24")!])])
        let c = Namespace(id: 2, names: ["pt-c"], paths: ["/run/netns/pt-c"], heldBy: [Holder(kind: .bindMount, path: "/run/netns/pt-c")],
                          links: [Link(index: 2, name: "eth0", kind: "veth", addresses: [IPPrefix("10.213.9.2/24")!])])
        return Snapshot(takenAt: 1, namespaces: [host, c], processes: [ProcessRecord(pid: 1, comm: "init", namespace: 1),
                                                                      ProcessRecord(pid: 50, comm: "sh", namespace: 1)],
                        discovery: DiscoveryStats())
    }

    /// Each namespace a fresh value, as a read makes it (no box shared with the old snapshot).
    private func reread(_ s: Snapshot) -> Snapshot {
        var s = s
        s.namespaces = s.namespaces.map { ns in
            var fresh = ns
            fresh.notes = ns.notes  // a write: its own box
            return fresh
        }
        return s
    }

    func testCountersAndTimeAreTheSame() {
        let a = snapshot()
        var b = reread(a)
        XCTAssertFalse(b.namespaces[0].sharesFields(with: a.namespaces[0]))
        b.takenAt = 2
        b.namespaces[0].links[1].stats.rxBytes = 12_345
        b.namespaces[1].links[0].stats.txPackets = 7
        XCTAssertEqual(SnapshotSameness.of(a, b), .same)
        XCTAssertEqual(SnapshotSameness.of(a, a), .same)
    }

    func testProcessesAndHoldersAreTheSameObjects() {
        let a = snapshot()
        var b = reread(a)
        b.processes.append(ProcessRecord(pid: 60, comm: "sleep", namespace: 1))
        XCTAssertEqual(SnapshotSameness.of(a, b), .sameObjects)
        var c = reread(a)
        c.namespaces[0].pids.append(60)
        XCTAssertEqual(SnapshotSameness.of(a, c), .sameObjects)
        var d = reread(a)
        d.namespaces[1].heldBy.append(Holder(kind: .process, pid: 70))
        d.namespaces[1].links[0].stats.rxBytes = 1
        XCTAssertEqual(SnapshotSameness.of(a, d), .sameObjects)
    }

    func testAnythingElseIsDifferentObjects() {
        let a = snapshot()
        var changes: [(String, (inout Snapshot) -> Void)] = [
            ("an address", { $0.namespaces[1].links[0].addresses = [IPPrefix("10.213.9.3/24")!] }),
            ("a link's state", { $0.namespaces[0].links[1].flags = ["up"] }),
            ("a route", { $0.namespaces[1].routes = [Route(family: .ipv4, table: 254, tableName: "main", dst: nil,
                                                            gateway: IPAddress("10.213.9.1"), dev: "eth0")] }),
            ("a sysctl", { $0.namespaces[0].sysctls.ipForward = true }),
            ("a new link", { $0.namespaces[1].links.append(Link(index: 3, name: "ptx", kind: "dummy")) }),
            ("a namespace gone", { $0.namespaces.removeLast() }),
            ("namespaces reordered", { $0.namespaces.reverse() }),
            ("a note", { $0.notes.append("iptables-save failed") }),
        ]
        changes.append(("links reordered", { $0.namespaces[0].links.reverse() }))
        for (what, change) in changes {
            var b = reread(a)
            b.namespaces[0].links[0].stats.rxBytes = 99  // counters move too
            change(&b)
            XCTAssertEqual(SnapshotSameness.of(a, b), .differentObjects, what)
        }
    }
}
