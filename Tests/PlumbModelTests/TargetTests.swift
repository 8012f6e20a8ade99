import XCTest
import PlumbModel

final class TargetTests: XCTestCase {
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
        XCTAssertEqual(try Target.resolve("host", in: snap).id, 100)
        XCTAssertEqual(try Target.resolve("200", in: snap).id, 200)
        XCTAssertEqual(try Target.resolve("net:[300]", in: snap).id, 300)
        XCTAssertEqual(try Target.resolve("web", in: snap).id, 200)
        XCTAssertEqual(try Target.resolve("shop-web", in: snap).id, 200)
        XCTAssertEqual(try Target.resolve("pg", in: snap).id, 300)
        XCTAssertEqual(try Target.resolve("pid:50", in: snap).id, 200)
        XCTAssertEqual(try Target.resolve("abcdef01", in: snap).id, 200)
    }

    func testUnknownAndAmbiguousTargetsSayWhatToDo() {
        XCTAssertThrowsError(try Target.resolve("nope", in: snap)) { e in
            XCTAssertEqual(e as? Target.Failure, .notFound("nope"))
            XCTAssertTrue("\(e)".contains("plumb ns ls"))
        }
        XCTAssertThrowsError(try Target.resolve("abcd", in: snap)) { e in
            XCTAssertEqual(e as? Target.Failure, .ambiguous("abcd", ["200", "300"]))
        }
        XCTAssertThrowsError(try Target.resolve("pid:999", in: snap))
    }

    func testParsesEveryForm() {
        XCTAssertEqual(Target(parsing: "host"), .host)
        XCTAssertEqual(Target(parsing: "4026531840"), .id(4026531840))
        XCTAssertEqual(Target(parsing: "net:[4026531840]"), .id(4026531840))
        XCTAssertEqual(Target(parsing: "pid:42"), .pid(42))
        XCTAssertEqual(Target(parsing: "pid:x"), .name("pid:x"))
        XCTAssertEqual(Target(parsing: "web"), .name("web"))
        XCTAssertEqual(Target(parsing: "net:[web]"), .name("web"))
        XCTAssertEqual(Target(parsing: "net:[]"), .name("net:[]"))
        XCTAssertEqual(Target(parsing: "-1"), .name("-1"))
        XCTAssertEqual(Target(parsing: "pid:7").description, "pid:7")
    }

    func testAddressedTargetSplitsAtTheLastAt() {
        let a = AddressedTarget(parsing: "web@fd13::1")
        XCTAssertEqual(a.target, .name("web"))
        XCTAssertEqual(a.address, "fd13::1")
        XCTAssertEqual(AddressedTarget(parsing: "pid:9@10.213.0.1").target, .pid(9))
        XCTAssertNil(AddressedTarget(parsing: "net:[300]").address)
        XCTAssertEqual(AddressedTarget(parsing: "net:[300]").target, .id(300))
        XCTAssertEqual(AddressedTarget(parsing: "db@").address, "")
    }

    func testANumberThatIsNoIdIsTriedAsAName() throws {
        var s = snap
        s.namespaces.append(Namespace(id: 400, names: ["5"]))
        XCTAssertEqual(try Target.resolve("5", in: s).id, 400)
        XCTAssertThrowsError(try Target.resolve("6", in: s)) { e in
            XCTAssertEqual(e as? Target.Failure, .notFound("6"))
        }
    }

    func testFailuresQuoteTheTextAsTyped() {
        XCTAssertThrowsError(try Target.resolve("net:[999]", in: snap)) { e in
            XCTAssertEqual(e as? Target.Failure, .notFound("net:[999]"))
        }
        XCTAssertThrowsError(try AddressedTarget(parsing: "nope@1.2.3.4").target.resolve(in: snap, typed: "nope")) { e in
            XCTAssertEqual(e as? Target.Failure, .notFound("nope"))
        }
    }

    func testMatchUsesDiscoveryFactsOnly() {
        let found = snap.namespaces
        XCTAssertEqual(Target.host.match(in: found)?.id, 100)
        XCTAssertEqual(Target.id(300).match(in: found)?.id, 300)
        XCTAssertEqual(Target.pid(50).match(in: found)?.id, 200)
        XCTAssertEqual(Target.name("db").match(in: found)?.id, 300)
        // Container names and ids need attribution: discovery cannot tell.
        XCTAssertNil(Target.name("shop-web").match(in: found))
        XCTAssertNil(Target.id(999).match(in: found))
    }

    func testOrphanMeansNoProcessOrThread() {
        var ns = Namespace(id: 1, heldBy: [Holder(kind: .bindMount, path: "/run/netns/x")])
        XCTAssertTrue(ns.isOrphan)
        ns.heldBy.append(Holder(kind: .thread, pid: 3, tid: 4))
        XCTAssertFalse(ns.isOrphan)
        XCTAssertFalse(Namespace(id: 2, isHost: true).isOrphan)
    }
}
