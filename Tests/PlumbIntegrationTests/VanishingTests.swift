import Foundation
import XCTest
@testable import PlumbKernel
import PlumbModel

/// Namespaces and processes vanish while Plumb reads them: that is normal and must never be a crash.
final class VanishingTests: RootTestCase {
    func testNamespaceDeletedBetweenDiscoveryAndReadIsReportedNotFatal() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let name = try lab.addNamespace("gone")
        let keep = try lab.addNamespace("kept")
        let reader = SnapshotReader()
        let found = reader.discovery.discover()
        let goneId = try XCTUnwrap(found.namespaces.first { $0.names.contains(name) }).id
        try Shell.run("ip", "netns", "del", name)

        let snap = reader.read(found, started: Date(), only: nil)
        let gone = try XCTUnwrap(snap.namespace(id: goneId))
        XCTAssertEqual(gone.links, [])
        XCTAssertEqual(gone.notes, ["namespace vanished before it could be entered"])
        XCTAssertGreaterThanOrEqual(snap.discovery.namespacesVanished, 1)
        // Everything else is still read.
        let kept = try XCTUnwrap(snap.namespaces.first { $0.names.contains(keep) })
        XCTAssertEqual(kept.links.map(\.name), ["lo"])
    }

    func testSocketCacheIsReusedAndDropsVanishedNamespaces() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let name = try lab.addNamespace("sc")
        var reader = SnapshotReader()
        reader.sockets = NetlinkSocketCache()
        let first = reader.read()
        XCTAssertEqual(reader.sockets?.count, first.namespaces.count, "one kept socket per namespace")
        let second = reader.read()
        XCTAssertEqual(second.namespaces.first { $0.names.contains(name) }?.links.map(\.name), ["lo"],
                       "a reused socket still reads its namespace")
        try Shell.run("ip", "netns", "del", name)
        let third = reader.read()
        XCTAssertNil(third.namespaces.first { $0.names.contains(name) })
        XCTAssertEqual(reader.sockets?.count, third.namespaces.count, "the vanished namespace's socket was dropped")
    }

    func testProcessesExitingDuringDiscoveryAreCounted() throws {
        try requireRoot()
        // 40 short-lived processes race the /proc walk; whatever the timing, discovery completes and counts.
        var procs: [Spawned] = []
        for _ in 0..<40 { procs.append(try Shell.spawn(["sleep", "0.0\(Int.random(in: 1...9))"])) }
        defer { procs.forEach { if $0.isRunning { kill($0.processIdentifier, SIGKILL) }; $0.waitUntilExit() } }
        let result = NamespaceDiscovery().discover()
        XCTAssertGreaterThan(result.stats.processesScanned, 0)
        XCTAssertEqual(result.processes.count, result.stats.processesScanned)
        XCTAssertTrue(result.namespaces.contains { $0.isHost })
    }

    func testHandleWithTheWrongInodeIsRejected() throws {
        try requireRoot()
        // /proc/self/ns/net is the host's: asking for another id through it must fail (pid reuse guard).
        XCTAssertNil(NamespaceFiles.open(["/proc/self/ns/net"], expecting: 1))
        XCTAssertNil(NamespaceFiles.open(["/nonexistent"], expecting: 1))
    }
}
