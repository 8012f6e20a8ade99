import XCTest
import CLinuxShims
@testable import PlumbKernel

/// The saved iterator layout: read back exactly for the same boot, ignored for another boot or when damaged.
final class NsfsLayoutStoreTests: XCTestCase {
    func testTheSavedLayoutIsReadBackForTheSameBootOnly() {
        let l = plumb_nsfs_layout(task_pid: 1264, task_tgid: 1268, file_inode: 32, inode_sb: 40, sb_magic: 96,
                                  iter_btf_id: 64101)
        let text = "plumb-nsfs-layout 1 b00t\nlayout \(NsfsFdIterator.encode(l))\n"
        XCTAssertEqual(NsfsFdIterator.decode(text, boot: "b00t"), .layout(l))
        XCTAssertEqual(NsfsFdIterator.decode(text, boot: "other"), NsfsFdIterator.Saved.none)
        XCTAssertEqual(NsfsFdIterator.decode("plumb-nsfs-layout 1 b00t\nunusable\n", boot: "b00t"), .unusable)
        XCTAssertEqual(NsfsFdIterator.decode("plumb-nsfs-layout 1 b00t\nlayout 1 2 3\n", boot: "b00t"), NsfsFdIterator.Saved.none)
        XCTAssertEqual(NsfsFdIterator.decode("plumb-nsfs-layout 1 b00t\nlayout 1 2 3 4 5 x\n", boot: "b00t"), NsfsFdIterator.Saved.none)
    }
}
