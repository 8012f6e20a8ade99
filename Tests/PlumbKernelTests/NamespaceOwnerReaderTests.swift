import XCTest
@testable import PlumbKernel
import PlumbModel
import PlumbSystem

final class NamespaceOwnerReaderTests: XCTestCase {
    let hostUserns: UInt64 = 4026531837
    let aliceUserns: UInt64 = 4026532281

    func userns(_ root: FakeRoot, pid: Int32, _ inode: UInt64) throws {
        try FileManager.default.createDirectory(atPath: "\(root.path)/proc/\(pid)/ns", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: "\(root.path)/proc/\(pid)/ns/user", withDestinationPath: "user:[\(inode)]")
    }

    func testOnlyNamespacesOwnedByAnotherUserNamespaceGetAnOwnerWithNameAndMap() throws {
        let root = try FakeRoot()
        try userns(root, pid: 1, hostUserns)
        try userns(root, pid: 4100, aliceUserns)   // the rootless pause process, holding the bind mount
        try root.file("/proc/4100/uid_map", "         0       1000          1\n         1     100000      65536\n")
        try root.file("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n")
        let namespaces = [
            DiscoveredNamespace(id: 10, isHost: true),
            DiscoveredNamespace(id: 11, isHost: false, paths: ["/run/user/1000/netns/netns-1"],
                                heldBy: [Holder(kind: .bindMount, pid: 4100, path: "/run/user/1000/netns/netns-1")]),
            DiscoveredNamespace(id: 12, isHost: false),
        ]
        let reader = NamespaceOwnerReader(procRoot: root.path + "/proc", root: root.path)
        let owners = reader.owners([OwningUserNamespace(inode: hostUserns, creatorUID: 0),
                                    OwningUserNamespace(inode: aliceUserns, creatorUID: 1000),
                                    OwningUserNamespace(inode: hostUserns, creatorUID: 0)], namespaces: namespaces)
        XCTAssertEqual(owners, [nil, NamespaceOwner(usernsId: aliceUserns, uid: 1000, user: "alice",
                                                    uidMap: [IDMapping(inside: 0, outside: 1000, count: 1),
                                                             IDMapping(inside: 1, outside: 100000, count: 65536)]), nil])
    }

    func testUnknownUIDAndNoProcessInsideLeaveNameAndMapOut() throws {
        let root = try FakeRoot()
        try userns(root, pid: 1, hostUserns)
        let reader = NamespaceOwnerReader(procRoot: root.path + "/proc", root: root.path)
        let owners = reader.owners([OwningUserNamespace(inode: aliceUserns, creatorUID: 1234), nil],
                                   namespaces: [DiscoveredNamespace(id: 11, isHost: false), DiscoveredNamespace(id: 12, isHost: false)])
        XCTAssertEqual(owners, [NamespaceOwner(usernsId: aliceUserns, uid: 1234), nil])
    }
}
