import Foundation
import XCTest
import PlumbModel

final class NamespaceHandleTests: XCTestCase {
    func json(_ h: NamespaceHandle) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        return String(decoding: try e.encode(h), as: UTF8.self)
    }

    /// Plans journaled before handles carried identity used the enum's synthesized form: they still decode, as
    /// unchecked handles.
    func testLegacyJournalFormsDecodeUnchecked() throws {
        let legacy = [#"{"host":{}}"#: NamespaceHandle.host,
                      #"{"named":{"_0":"web"}}"#: .named("web"),
                      #"{"path":{"_0":"/run/docker/netns/x"}}"#: .path("/run/docker/netns/x")]
        let withIdentity = try JSONDecoder().decode(NamespaceHandle.self,
                                                    from: Data(#"{"named":{"_0":"web","cookie":4099,"inode":7}}"#.utf8))
        XCTAssertEqual(withIdentity, NamespaceHandle(.named("web"), cookie: 4099))
        XCTAssertEqual(withIdentity.inode, 7)
        for (text, expected) in legacy {
            let h = try JSONDecoder().decode(NamespaceHandle.self, from: Data(text.utf8))
            XCTAssertEqual(h, expected)
            XCTAssertNil(h.cookie)
            XCTAssertNil(h.inode)
        }
    }

    /// The documented form: a kind, its value under a named key, the identity last (no Swift `_0` keys).
    func testIdentityFollowsTheLocation() throws {
        let h = NamespaceHandle(.named("web"), cookie: 4099, inode: 4026532384)
        XCTAssertEqual(try json(h), #"{"cookie":4099,"inode":4026532384,"kind":"named","name":"web"}"#)
        XCTAssertEqual(try json(.host), #"{"kind":"host"}"#)
        XCTAssertEqual(try json(.pid(7)), #"{"kind":"pid","pid":7}"#)
        XCTAssertEqual(try json(.path("/proc/9/fd/3")), #"{"kind":"path","path":"\/proc\/9\/fd\/3"}"#)
        for handle in [h, .host, .pid(7), NamespaceHandle(.path("/proc/9/fd/3"), cookie: 1)] {
            let back = try JSONDecoder().decode(NamespaceHandle.self, from: try JSONEncoder().encode(handle))
            XCTAssertEqual(back, handle)
            XCTAssertEqual(back.inode, handle.inode)
        }
        XCTAssertThrowsError(try JSONDecoder().decode(NamespaceHandle.self, from: Data(#"{"named":{"_0":"a"},"host":{}}"#.utf8)))
    }

    /// The cookie is identity, the inode is not: the kernel reuses inodes.
    func testEqualityIsLocationAndCookie() {
        XCTAssertEqual(NamespaceHandle(.named("a"), cookie: 1, inode: 10), NamespaceHandle(.named("a"), cookie: 1, inode: 11))
        XCTAssertNotEqual(NamespaceHandle(.named("a"), cookie: 1), NamespaceHandle(.named("a"), cookie: 2))
        XCTAssertNotEqual(NamespaceHandle(.named("a"), cookie: 1), .named("a"))
        XCTAssertEqual(NamespaceHandle(.named("a"), cookie: 1).unchecked, .named("a"))
    }

    func testFromASnapshotNamespace() throws {
        XCTAssertEqual(NamespaceHandle(Namespace(id: 1, isHost: true, pids: [1], cookie: 1)), .host)
        let named = try XCTUnwrap(NamespaceHandle(Namespace(id: 5, names: ["web"], paths: ["/run/netns/web"], cookie: 77)))
        XCTAssertEqual(named.location, .named("web"))
        XCTAssertEqual(named.cookie, 77)
        XCTAssertEqual(named.inode, 5)
        XCTAssertEqual(named.file, "/run/netns/web")
        XCTAssertEqual(NamespaceHandle(Namespace(id: 6, paths: ["/run/docker/netns/ab"]))?.location, .path("/run/docker/netns/ab"))
        XCTAssertEqual(NamespaceHandle(Namespace(id: 7, pids: [42]))?.file, "/proc/42/ns/net")
        XCTAssertEqual(NamespaceHandle(Namespace(id: 8, heldBy: [Holder(kind: .fd, pid: 3, fd: 9)]))?.file, "/proc/3/fd/9")
        XCTAssertNil(NamespaceHandle(Namespace(id: 9)))
    }

    func testGoneSaysSo() {
        let e = NamespaceOpenError.gone(NamespaceHandle(.named("pt-x"), cookie: 3, inode: 4026532384))
        XCTAssertEqual(e.description, "netns pt-x (net:[4026532384]): its namespace is gone")
    }

    func testPlanTextNamesPidHandlesByTheirFile() {
        XCTAssertEqual(PlanStep.setUp(link: "eth0", in: .pid(42)).description, "nsenter --net=/proc/42/ns/net ip link set eth0 up")
    }
}
