import XCTest
@testable import PlumbCLI
import PlumbModel

/// Light refreshes must not look like removals: what they did not read is carried over.
final class LiveSnapshotsTests: XCTestCase {
    func testCarryOverKeepsWhatALightRefreshDidNotRead() {
        let route = Route(family: .ipv4, table: 254, tableName: "main", dst: "default", gateway: "10.213.1.1")
        let fw = Firewall(tables: [FirewallTable(family: "ipv4", name: "filter", source: "iptables")])
        let old = Snapshot(takenAt: 1, namespaces: [
            Namespace(id: 1, isHost: true, routes: [route]),
            Namespace(id: 2, routes: [route], firewall: fw),
            Namespace(id: 3, heldBy: [Holder(kind: .fd, pid: 9, fd: 4)]),
        ], processes: [], discovery: DiscoveryStats())
        let light = Snapshot(takenAt: 2, namespaces: [Namespace(id: 1, isHost: true), Namespace(id: 2)],
                             processes: [], discovery: DiscoveryStats())
        let merged = LiveSnapshots.carryOver(light, from: old, detailed: [1])
        XCTAssertEqual(merged.namespaces.map(\.id), [1, 2, 3], "fd-held namespaces are kept until a full refresh")
        XCTAssertEqual(merged.namespace(id: 1)?.routes, [], "the detailed namespace shows what was just read")
        XCTAssertEqual(merged.namespace(id: 2)?.routes, [route])
        XCTAssertEqual(merged.namespace(id: 2)?.firewall, fw)
        XCTAssertTrue(SnapshotDiff.events(from: old, to: merged).allSatisfy { $0.namespace == "host" },
                      "no spurious events for namespaces that were not re-read")
    }
}
