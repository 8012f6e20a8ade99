import Foundation
import XCTest
@testable import PlumbKernel
import PlumbModel

/// The proc connector on the real kernel: process events drive discovery between full walks, and 50 new
/// processes cost about 50 readlinks (one per fork or exec), not a walk of every /proc entry.
final class ProcessEventsTests: RootTestCase {
    func testForksInAKnownNamespaceCostOneReadlinkEachAndNoWalk() throws {
        let model = LiveModel(options: SnapshotOptions())
        XCTAssertNotNil(model.processEvents, "the proc connector could not be opened (root, CONFIG_PROC_EVENTS)")
        _ = model.refresh(read: [], firewall: [], all: true, scanFds: false)
        let walks = model.walks
        let lookups = model.processLookups
        let seen = model.processEventsSeen
        let (content, objects) = (model.contentVersion, model.objectsVersion)
        // 50 short processes in the host namespace: fork + exec + exit each; most are gone before we look.
        for _ in 0..<50 { _ = try Shell.run("true") }
        let sleeper = try Shell.spawn(["sleep", "30"])
        defer { kill(sleeper.pid, SIGKILL); sleeper.waitUntilExit() }
        usleep(100_000)
        let snap = try XCTUnwrap(model.refreshDiscovery())
        XCTAssertEqual(model.walks, walks, "no /proc walk: events named every new process")
        XCTAssertEqual(model.eventPasses, 1)
        let cost = model.processLookups - lookups
        let events = model.processEventsSeen - seen
        let entries = try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { Int($0) != nil }.count
        // Each `true` is a fork, an exec and an exit (Foundation's spawn may add its own): one readlink per fork
        // or exec, none per exit, and no directory read at all.
        XCTAssertGreaterThanOrEqual(cost, 50)
        XCTAssertLessThanOrEqual(cost, events, "at most one readlink per process event")
        XCTAssertLessThan(cost, 50 * 4, "about one readlink per fork or exec")
        print("50 forks: \(events) process events, \(cost) readlinks; a walk reads \(entries) process directories")
        XCTAssertEqual(snap.processes.first { $0.pid == sleeper.pid }?.namespace, snap.host?.id,
                       "the new process is placed in its namespace")
        XCTAssertTrue(snap.host?.pids.contains(sleeper.pid) ?? false)
        // Processes moved, nothing else: a change of content, not of objects (the TUI's doctor need not run).
        XCTAssertGreaterThan(model.contentVersion, content)
        XCTAssertEqual(model.objectsVersion, objects)
    }

    func testProcessInANewNamespaceLeadsToAWalkThatFindsIt() throws {
        let model = LiveModel(options: SnapshotOptions())
        _ = model.refresh(read: [], firewall: [], all: true, scanFds: false)
        let walks = model.walks
        let objects = model.objectsVersion
        let anon = try Shell.spawn(["unshare", "-n", "sleep", "30"])
        defer { kill(anon.pid, SIGKILL); anon.waitUntilExit() }
        let mine = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net")
        for _ in 0..<200 where (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(anon.pid)/ns/net")) == mine {
            usleep(10_000)
        }
        let id = try XCTUnwrap(parseNamespaceLink(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(anon.pid)/ns/net"))?.inode)
        let snap = try XCTUnwrap(model.refreshDiscovery())
        XCTAssertGreaterThan(model.walks, walks, "an unknown namespace needs the full walk")
        let walked = model.walks
        XCTAssertEqual(snap.namespace(id: id)?.pids, [anon.pid])
        XCTAssertGreaterThan(model.objectsVersion, objects, "a new namespace is read: a change of objects")
        // It exits: the next pass sees its namespace emptied and walks again; the namespace is gone.
        kill(anon.pid, SIGKILL); anon.waitUntilExit()
        let after = try XCTUnwrap(model.refreshDiscovery())
        XCTAssertGreaterThan(model.walks, walked)
        XCTAssertNil(after.namespace(id: id))
    }

    /// The TUI's read of the namespace on screen every 10 s finds the namespaces from events, not a walk: the
    /// namespace is read anew (a sysctl changed, which sends no event), a process started since is in it, and
    /// every namespace, its holders and names are those a walk finds.
    func testAReadOfTheNamespacesOnScreenFindsThemFromEventsWithoutAWalk() throws {
        let lab = TestLab()
        defer { lab.cleanup() }
        let ns = try lab.addNamespace("pe-known")
        let model = LiveModel(options: SnapshotOptions())
        let first = model.refresh(read: [], firewall: [], all: true, scanFds: false)
        let id = try TopologyFixture.inode("/run/netns/\(ns)")
        XCTAssertNotNil(first.namespace(id: id))
        let walks = model.walks
        _ = try Shell.run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        let sleeper = try Shell.spawn(["ip", "netns", "exec", ns, "sleep", "30"])
        defer { kill(sleeper.pid, SIGKILL); sleeper.waitUntilExit() }
        // ip netns exec execs sleep in the namespace: wait until the process is there.
        for _ in 0..<200 where (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(sleeper.pid)/ns/net")) != "net:[\(id)]" {
            usleep(10_000)
        }
        let version = model.contentVersion
        let snap = model.refresh(read: [id], firewall: [], scanFds: false, knownDiscovery: true)
        XCTAssertEqual(model.walks, walks, "no /proc walk")
        XCTAssertGreaterThan(model.contentVersion, version)
        let read = try XCTUnwrap(snap.namespace(id: id))
        XCTAssertEqual(read.sysctls.ipForward, true, "read anew")
        XCTAssertTrue(read.pids.contains(sleeper.pid), "the process events placed the new process: \(read.pids)")
        // What a walk finds now: the same namespaces, names and holders.
        let walked = model.refresh(read: [id], firewall: [], scanFds: false)
        XCTAssertEqual(model.walks, walks + 1)
        XCTAssertEqual(Set(snap.namespaces.map(\.id)), Set(walked.namespaces.map(\.id)))
        for w in walked.namespaces {
            let k = try XCTUnwrap(snap.namespace(id: w.id))
            XCTAssertEqual(k.names, w.names, w.displayName)
            XCTAssertEqual(k.heldBy.map(\.kind), w.heldBy.map(\.kind), w.displayName)
        }
        XCTAssertEqual(walked.namespace(id: id)?.sysctls.ipForward, true)
    }

    /// A read of the namespace on screen whose namespaces come from events still gives its sockets their owners
    /// (the Sockets tab's PROCESS column): the fds of the processes in it are read for them. The discovery-only
    /// walk reads no sockets, and the ones the model has keep their owners.
    func testSocketsReadWithoutAWalkKeepTheirOwners() throws {
        let lab = TestLab()
        defer { lab.cleanup() }
        let ns = try lab.addNamespace("pe-owners")
        let id = try TopologyFixture.inode("/run/netns/\(ns)")
        let listener = try Shell.spawn(["ip", "netns", "exec", ns, "busybox", "nc", "-l", "-p", "28765"])
        lab.ownProcess(listener)
        var options = SnapshotOptions()
        options.sockets = true
        let model = LiveModel(options: options)
        func owners(_ snap: Snapshot) -> [Int32] {
            let socket = snap.namespace(id: id)?.sockets?.first { $0.local?.port == 28765 && $0.isListening }
            return socket?.owners.map(\.pid) ?? []
        }
        var first = model.refresh(read: [], firewall: [], all: true, scanFds: false)
        for _ in 0..<100 where owners(first).isEmpty {  // until nc listens
            usleep(20_000)
            first = model.refresh(read: [], firewall: [], all: true, scanFds: false)
        }
        XCTAssertEqual(owners(first), [listener.pid], "a walk's read")
        let walks = model.walks
        let snap = model.refresh(read: [id], firewall: [], scanFds: false, knownDiscovery: true)
        XCTAssertEqual(model.walks, walks, "no /proc walk")
        XCTAssertEqual(owners(snap), [listener.pid], "a read from events keeps the owner")
        model.walkEvery = 0
        let found = try XCTUnwrap(model.refreshDiscovery())
        XCTAssertEqual(model.walks, walks + 1)
        XCTAssertEqual(owners(found), [listener.pid], "a discovery-only walk (no fd read) keeps the sockets' owners")
    }

    func testLostEventsOrTheSafetyIntervalWalkAgain() throws {
        let model = LiveModel(options: SnapshotOptions())
        _ = model.refresh(read: [], firewall: [], all: true, scanFds: false)
        let walks = model.walks
        _ = model.refreshDiscovery()
        XCTAssertEqual(model.walks, walks, "idle: no walk")
        model.walkEvery = 0
        _ = model.refreshDiscovery()
        XCTAssertEqual(model.walks, walks + 1, "the safety net walks when its interval is up")
    }
}
