import XCTest
import PlumbModel

final class TargetSelectorTests: XCTestCase {
    let snap = Snapshot(
        takenAt: 0,
        namespaces: [
            Namespace(id: 100, isHost: true, pids: [1]),
            Namespace(id: 200, names: ["web"], pids: [50],
                      containers: [Container(runtime: .docker, id: "abcdef0123456789", name: "shop-web", source: "x")]),
            Namespace(id: 300, names: ["db"],
                      containers: [Container(runtime: .podman, id: "abcd99", name: "pg", source: "y")]),
        ],
        processes: [ProcessRecord(pid: 50, comm: "nginx", namespace: 200)],
        discovery: DiscoveryStats())

    func testResolvesEveryKindOfName() throws {
        XCTAssertEqual(try TargetSelector.resolve("host", in: snap).id, 100)
        XCTAssertEqual(try TargetSelector.resolve("200", in: snap).id, 200)
        XCTAssertEqual(try TargetSelector.resolve("net:[300]", in: snap).id, 300)
        XCTAssertEqual(try TargetSelector.resolve("web", in: snap).id, 200)
        XCTAssertEqual(try TargetSelector.resolve("shop-web", in: snap).id, 200)
        XCTAssertEqual(try TargetSelector.resolve("pg", in: snap).id, 300)
        XCTAssertEqual(try TargetSelector.resolve("pid:50", in: snap).id, 200)
        XCTAssertEqual(try TargetSelector.resolve("abcdef01", in: snap).id, 200)
    }

    func testUnknownAndAmbiguousTargetsSayWhatToDo() {
        XCTAssertThrowsError(try TargetSelector.resolve("nope", in: snap)) { e in
            XCTAssertEqual(e as? TargetSelector.Failure, .notFound("nope"))
            XCTAssertTrue("\(e)".contains("plumb ns ls"))
        }
        XCTAssertThrowsError(try TargetSelector.resolve("abcd", in: snap)) { e in
            XCTAssertEqual(e as? TargetSelector.Failure, .ambiguous("abcd", ["200", "300"]))
        }
        XCTAssertThrowsError(try TargetSelector.resolve("pid:999", in: snap))
    }

    func testOrphanMeansNoProcessOrThread() {
        var ns = Namespace(id: 1, heldBy: [Holder(kind: .bindMount, path: "/run/netns/x")])
        XCTAssertTrue(ns.isOrphan)
        ns.heldBy.append(Holder(kind: .thread, pid: 3, tid: 4))
        XCTAssertFalse(ns.isOrphan)
        XCTAssertFalse(Namespace(id: 2, isHost: true).isOrphan)
    }
}
