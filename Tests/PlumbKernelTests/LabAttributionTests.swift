import Foundation
import XCTest
@testable import PlumbKernel
import PlumbModel

/// The demo lab's namespaces are named like containers of runtime `plumb`, from the record `lab up` writes in
/// /run/plumb-lab-PREFIX/containers.json (a fake root here).
final class LabAttributionTests: XCTestCase {
    func record(_ prefix: String, _ members: [LabRecord.Member]) throws -> String {
        String(decoding: try JSONEncoder().encode(LabRecord(prefix: prefix, namespaces: members)), as: UTF8.self)
    }

    func attribute(_ root: FakeRoot, path: String, inode: UInt64) -> (containers: [Container], why: Unattributed?) {
        let (found, why) = ContainerAttributor(root: root.path).attributeAndExplain([NamespaceEvidence(id: inode, paths: [path])])
        return (found[inode] ?? [], why[inode])
    }

    func testLabNamespaceIsAContainerOfRuntimePlumb() throws {
        let root = try FakeRoot()
        try root.file("/run/plumb-lab-lab/containers.json", try record("lab", [
            LabRecord.Member(name: "lab-web", path: "/run/netns/lab-web", inode: 4026532901),
            LabRecord.Member(name: "lab-ha", path: "/run/netns/lab-ha", inode: nil),
        ]))
        let web = attribute(root, path: "/run/netns/lab-web", inode: 4026532901)
        XCTAssertEqual(web.containers, [Container(runtime: .plumb, id: "lab-web", name: "lab-web",
                                                  source: "/run/plumb-lab-lab/containers.json")])
        XCTAssertNil(web.why, "an attributed namespace needs no reason")
        XCTAssertEqual(attribute(root, path: "/var/run/netns/lab-ha", inode: 7).containers.map(\.name), ["lab-ha"],
                       "/var/run spelling; a member recorded without an inode matches by path alone")
    }

    func testANamespaceMadeLaterUnderTheSameNameIsNotTheLabs() throws {
        let root = try FakeRoot()
        try root.file("/run/plumb-lab-lab/containers.json", try record("lab", [
            LabRecord.Member(name: "lab-web", path: "/run/netns/lab-web", inode: 4026532901),
        ]))
        let other = attribute(root, path: "/run/netns/lab-web", inode: 4026532999)
        XCTAssertEqual(other.containers, [])
        XCTAssertEqual(other.why?.maker, "ip netns", "it is explained like any ip netns namespace")
    }

    func testOnlyRecordsInTheirOwnLabDirectoryCount() throws {
        let root = try FakeRoot()
        // A record claiming another prefix than its directory's, and one in a directory not a lab's.
        try root.file("/run/plumb-lab-a/containers.json", try record("b", [
            LabRecord.Member(name: "b-web", path: "/run/netns/b-web", inode: nil)]))
        try root.file("/run/other/containers.json", try record("c", [
            LabRecord.Member(name: "c-web", path: "/run/netns/c-web", inode: nil)]))
        try root.file("/run/plumb-lab-d/containers.json", "{not json")
        XCTAssertEqual(attribute(root, path: "/run/netns/b-web", inode: 1).containers, [])
        XCTAssertEqual(attribute(root, path: "/run/netns/c-web", inode: 1).containers, [])
        XCTAssertEqual(LabRecord.path(prefix: "lab"), "/run/plumb-lab-lab/containers.json")
    }
}
