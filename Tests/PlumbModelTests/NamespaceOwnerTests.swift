import XCTest
import PlumbModel

final class NamespaceOwnerTests: XCTestCase {
    func testUIDMapLinesParseAndMalformedOnesAreSkipped() {
        let text = "         0       1000          1\n         1     100000      65536\nbogus line\n"
        XCTAssertEqual(IDMapping.parse(text), [IDMapping(inside: 0, outside: 1000, count: 1),
                                               IDMapping(inside: 1, outside: 100000, count: 65536)])
    }

    func testDescriptionNamesTheUserThenTheUIDThenTheUserNamespace() {
        XCTAssertEqual(NamespaceOwner(usernsId: 7, uid: 1000, user: "alice").description, "owned by user alice (uid 1000)")
        XCTAssertEqual(NamespaceOwner(usernsId: 7, uid: 1001).description, "owned by uid 1001")
        XCTAssertEqual(NamespaceOwner(usernsId: 7).description, "owned by user:[7]")
    }

    func testNamespaceOwnedByAnotherUserNamespaceIsNeverALikelyLeak() {
        // Held by an fd only, no name: a leak when the host's user namespace owns it...
        var ns = Namespace(id: 9, heldBy: [Holder(kind: .fd, pid: 812, fd: 7)])
        XCTAssertTrue(ns.isLikelyLeak)
        // ...but a rootless runtime's holder is often invisible to the walk: not evidence of a leak.
        ns.owner = NamespaceOwner(usernsId: 4026532281, uid: 1000, user: "alice")
        XCTAssertFalse(ns.isLikelyLeak)
        XCTAssertNil(ns.leakReason)
        XCTAssertTrue(ns.isOrphan, "it still has no process")
    }

    func testOwnerAndWhyRoundTripThroughJSON() throws {
        let ns = Namespace(id: 9, owner: NamespaceOwner(usernsId: 5, uid: 1000, user: "alice",
                                                        uidMap: [IDMapping(inside: 0, outside: 1000, count: 1)]),
                           why: Unattributed(maker: "unshare", reason: "r", evidence: "e"))
        let back = try JSONDecoder().decode(Namespace.self, from: JSONEncoder().encode(ns))
        XCTAssertEqual(back, ns)
    }
}
