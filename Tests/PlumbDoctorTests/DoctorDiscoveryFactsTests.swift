import XCTest
import PlumbModel
import PlumbTrace
@testable import PlumbDoctor

/// `Doctor.readsSameDiscovery`: the live TUI skips the doctor when only processes moved and this says the doctor
/// reads the same. So it must never say "same" where the findings differ: checked on each kind of move, and on
/// random sequences of moves against the findings themselves.
final class DoctorDiscoveryFactsTests: XCTestCase {
    private let H = DoctorFixture.host, C1 = DoctorFixture.c1

    /// The fixture with c1 held by its process only (no bind mount: a fix names it through /proc/PID/ns/net) and
    /// no IPv4 default route, so that a finding's fix names c1.
    private func unnamedBrokenC1() -> DoctorFixture {
        var f = DoctorFixture()
        f.edit(C1) { ns in
            ns.names = []; ns.paths = []
            ns.routes.removeAll { $0.isDefault && $0.family == .ipv4 }
        }
        f.snap.processes = [ProcessRecord(pid: 1, comm: "init", namespace: H), ProcessRecord(pid: 100, comm: "app", namespace: C1)]
        return f
    }

    /// A process starts in `ns` (or, with `ending`, its pid ends), kept as discovery keeps it: sorted pids, one
    /// process holder for the lowest.
    private func move(_ f: inout DoctorFixture, pid: Int32, in ns: UInt64, ending: Bool = false,
                      comm: String = "sleep", cmdline: String = "") {
        if ending {
            f.snap.processes.removeAll { $0.pid == pid }
        } else {
            f.snap.processes.append(ProcessRecord(pid: pid, comm: comm, cmdline: cmdline, namespace: ns))
            f.snap.processes.sort { $0.pid < $1.pid }
        }
        let pids = f.snap.processes.filter { $0.namespace == ns }.map(\.pid)
        f.edit(ns) { n in
            n.pids = pids
            n.heldBy.removeAll { $0.kind == .process }
            if let first = n.pids.first { n.heldBy.insert(Holder(kind: .process, pid: first), at: 0) }
        }
    }

    func testProcessesComingAndGoingOnTheHostAreTheSameToTheDoctor() {
        let before = unnamedBrokenC1()
        var after = before
        for pid in Int32(2000)..<2050 { move(&after, pid: pid, in: H) }
        move(&after, pid: 2010, in: H, ending: true)
        XCTAssertNotEqual(before.snap.processes, after.snap.processes)
        XCTAssertTrue(Doctor.readsSameDiscovery(before.snap, after.snap))
        XCTAssertEqual(Doctor.run(snapshot: before.snap), Doctor.run(snapshot: after.snap))
    }

    func testAFifthProcessInAContainerIsTheSameButANewFirstOneIsNot() throws {
        var f = unnamedBrokenC1()
        for pid in Int32(101)...103 { move(&f, pid: pid, in: C1) }
        var fifth = f
        move(&fifth, pid: 104, in: C1)
        XCTAssertTrue(Doctor.readsSameDiscovery(f.snap, fifth.snap), "resolv.conf is read through the first four")
        // Its first process ends: fixes now name c1 through the next one's /proc entry.
        var restarted = f
        move(&restarted, pid: 100, in: C1, ending: true)
        XCTAssertFalse(Doctor.readsSameDiscovery(f.snap, restarted.snap))
        // Where the fix adds c1's default route.
        func fixedIn(_ s: Snapshot) -> NamespaceHandle.Location? {
            let steps = Doctor.run(snapshot: s).first { $0.id == "no-default-route:ns10:ipv4" }?.fix?.steps
            guard case .addRoute(_, _, _, let ref)? = steps?.first else { return nil }
            return ref.location
        }
        XCTAssertEqual(fixedIn(f.snap), .path("/proc/100/ns/net"))
        XCTAssertEqual(fixedIn(fifth.snap), .path("/proc/100/ns/net"))
        XCTAssertEqual(fixedIn(restarted.snap), .path("/proc/101/ns/net"))
    }

    func testADockerProxyIsNotTheSame() {
        let before = unnamedBrokenC1()
        var after = before
        move(&after, pid: 812, in: H, comm: "docker-proxy",
             cmdline: "/usr/sbin/docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8080 -container-ip 10.213.110.2 -container-port 80")
        XCTAssertFalse(Doctor.readsSameDiscovery(before.snap, after.snap))
        XCTAssertNotEqual(PublishedPortFinder.find(before.snap), PublishedPortFinder.find(after.snap))
    }

    func testANamespaceLosingItsLastProcessIsNotTheSame() {
        var before = DoctorFixture()
        before.snap.processes = [ProcessRecord(pid: 200, comm: "app", namespace: DoctorFixture.c2)]
        before.edit(DoctorFixture.c2) { $0.links.removeAll { !$0.isLoopback } }
        var after = before
        move(&after, pid: 200, in: DoctorFixture.c2, ending: true)
        XCTAssertFalse(Doctor.readsSameDiscovery(before.snap, after.snap))
        XCTAssertNotEqual(Doctor.run(snapshot: before.snap).map(\.id), Doctor.run(snapshot: after.snap).map(\.id),
                          "a named namespace with nothing but loopback and no process is a leftover")
    }

    /// Random starts and ends in every namespace: wherever the predicate says "same", the findings are equal.
    func testWhereverItSaysSameTheFindingsAreEqual() {
        var rng = SystemRandomNumberGenerator()
        var same = 0, differ = 0
        for _ in 0..<60 {
            var f = unnamedBrokenC1()
            let judged = f.snap
            var next: Int32 = 300
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let ns = [H, C1, DoctorFixture.c2].randomElement(using: &rng)!
                let here = f.snap.processes.filter { $0.namespace == ns }.map(\.pid)
                if !here.isEmpty && Bool.random(using: &rng) {
                    move(&f, pid: here.randomElement(using: &rng)!, in: ns, ending: true)
                } else {
                    // Sometimes a low pid (pids are reused), so that a new process can become the first.
                    let pid = Bool.random(using: &rng) ? Int32.random(in: 2...99, using: &rng) : next
                    if f.snap.processes.contains(where: { $0.pid == pid }) { continue }
                    move(&f, pid: pid, in: ns)
                    next += 1
                }
            }
            if Doctor.readsSameDiscovery(judged, f.snap) {
                same += 1
                XCTAssertEqual(Doctor.run(snapshot: judged), Doctor.run(snapshot: f.snap))
            } else {
                differ += 1
            }
        }
        XCTAssertGreaterThan(same, 0)
        XCTAssertGreaterThan(differ, 0)
    }
}
