import XCTest
@testable import PlumbKernel

final class MountInfoParserTests: XCTestCase {
    func fixture(_ name: String) throws -> String {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/proc/\(name)")
        return try String(contentsOf: url, encoding: .utf8)
    }

    func testFindsOnlyNsfsEntriesWithTheirInodes() throws {
        let mounts = MountInfoParser.nsfsMounts(in: try fixture("mountinfo-host.txt"))
        XCTAssertEqual(mounts.count, 7)
        let net = mounts.filter { $0.type == "net" }
        XCTAssertEqual(net.map(\.inode), [4026532290, 4026532351, 4026532412, 4026532413, 4026532500])
        XCTAssertEqual(net[0].mountPoint, "/run/netns/web")
        XCTAssertEqual(net[2].mountPoint, "/run/docker/netns/1a2b3c4d5e6f")
        XCTAssertEqual(mounts.first { $0.type == "mnt" }?.inode, 4026532501)
    }

    func testUnescapesOctalSequencesInMountPoints() throws {
        let net = MountInfoParser.nsfsMounts(in: try fixture("mountinfo-host.txt")).filter { $0.type == "net" }
        XCTAssertEqual(net[4].mountPoint, "/tmp/held here/ns")
    }

    func testIgnoresGarbageLines() {
        let text = "garbage\n1 2 0:4 net:[notanumber] /x rw - nsfs nsfs rw\n3 4 0:4 net:[12] /y rw - nsfs nsfs rw\n"
        XCTAssertEqual(MountInfoParser.nsfsMounts(in: text), [NsfsMount(type: "net", inode: 12, mountPoint: "/y")])
    }

    func testParsesNamespaceLinks() {
        XCTAssertEqual(parseNamespaceLink("net:[4026531840]")?.inode, 4026531840)
        XCTAssertEqual(parseNamespaceLink("net:[4026531840]")?.type, "net")
        XCTAssertNil(parseNamespaceLink("socket:[123"))
        XCTAssertNil(parseNamespaceLink("/dev/null"))
    }

    func testNetnsNamesComeOnlyFromIpNetnsDirectories() {
        XCTAssertEqual(NamespaceDiscovery.netnsName("/run/netns/web"), "web")
        XCTAssertEqual(NamespaceDiscovery.netnsName("/var/run/netns/db"), "db")
        XCTAssertNil(NamespaceDiscovery.netnsName("/run/docker/netns/1a2b"))
        XCTAssertNil(NamespaceDiscovery.netnsName("/run/netns/a/b"))
    }
}
