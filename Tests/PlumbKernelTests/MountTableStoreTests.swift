import XCTest
@testable import PlumbKernel

/// The saved mount-table index: what one run writes, the next one reads back exactly, and nothing else.
final class MountTableStoreTests: XCTestCase {
    func index() -> MountTableIndex {
        let host = [NsfsMount(type: "net", inode: 4026532290, mountPoint: "/run/netns/web"),
                    NsfsMount(type: "net", inode: 4026532351, mountPoint: "/tmp/held here/ns\\x"),
                    NsfsMount(type: "mnt", inode: 4026532501, mountPoint: "/run/ünï\tcode")]
        let stamps = (0..<3).map { MountNamespaceStamp(id: 100 + UInt64($0), inode: 4026531840 + UInt64($0),
                                                      count: 30, newest: 0x8000_0000 + UInt64($0)) }
        let i = MountTableIndex()
        // Two namespaces share the host's list (copies), one has none: two lists are stored.
        i.imported(lists: [host, []], entries: [.init(stamp: stamps[0], list: 0), .init(stamp: stamps[1], list: 0),
                                                .init(stamp: stamps[2], list: 1)])
        return i
    }

    func testRoundTripKeepsEveryEntryAndSharesLists() throws {
        let bytes = MountTableStore.encode(index(), boot: "b00t")
        let (lists, entries) = try XCTUnwrap(MountTableStore.decode(bytes, boot: "b00t"))
        XCTAssertEqual(lists.count, 2, "identical mount lists are written once")
        XCTAssertEqual(lists[0], index().mounts(0))
        XCTAssertEqual(entries.map(\.stamp.id), [100, 101, 102])
        XCTAssertEqual(entries.map(\.list), [0, 0, 1])
        XCTAssertEqual(entries[2].stamp, MountNamespaceStamp(id: 102, inode: 4026531842, count: 30, newest: 0x8000_0002))
    }

    func testAnotherBootOrDamagedFileIsIgnored() {
        let bytes = MountTableStore.encode(index(), boot: "b00t")
        XCTAssertNil(MountTableStore.decode(bytes, boot: "other"), "ids are unique within one boot only")
        XCTAssertNil(MountTableStore.decode(Array(bytes.dropLast(40)) + Array("ns x\n".utf8), boot: "b00t"))
        XCTAssertNil(MountTableStore.decode(Array("plumb-mount-tables 1 b00t\nlist 5\nnet 1 /a\n".utf8), boot: "b00t"),
                     "a list shorter than it says")
    }

    func testEscapeIsTheInverseOfUnescape() {
        for s in ["/run/netns/a", "/tmp/held here/ns", "a\\b\tc\nd", "/ünï"] {
            XCTAssertEqual(MountInfoParser.unescape(Substring(MountInfoParser.escape(s))), s)
            XCTAssertFalse(MountInfoParser.escape(s).contains(" "))
        }
    }
}
