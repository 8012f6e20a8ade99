import XCTest
import Glibc
import PlumbSystem

/// `FileDescriptor.createPrivate`, the one way a capture file (`capture -w`, the TUI's `w`) is created. Plumb
/// runs as root, so each test plants what an unprivileged user could plant in a shared directory.
final class PrivateFileTests: XCTestCase {
    private var dir = ""
    private let nobody: uid_t = 65534
    private let me = FileOwner(uid: geteuid(), gid: getegid())

    override func setUpWithError() throws {
        XCTAssertEqual(geteuid(), 0, "these tests chown files to nobody: run them as root")
        dir = "/tmp/pt-private-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        XCTAssertEqual(mkdir(dir, 0o1777), 0)
        chmod(dir, 0o1777)  // like /tmp: anyone may plant a file or a link here
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func write(_ text: String, to path: String, mode: mode_t = 0o600, owner: uid_t? = nil) {
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        chmod(path, mode)
        if let owner { XCTAssertEqual(chown(path, owner, owner), 0) }
    }

    private func contents(_ path: String) -> String? {
        (try? Data(contentsOf: URL(fileURLWithPath: path))).map { String(decoding: $0, as: UTF8.self) }
    }

    private func stat(_ path: String) -> Glibc.stat {
        var st = Glibc.stat()
        XCTAssertEqual(lstat(path, &st), 0, path)
        return st
    }

    private func refusal(_ path: String, overwrite: Bool, owner: FileOwner? = nil) -> PrivateFileError? {
        do {
            _ = try FileDescriptor.createPrivate(path, overwrite: overwrite, owner: owner ?? me)
            return nil
        } catch {
            return error
        }
    }

    func testASymlinkToAVictimIsNeverFollowedNorTruncated() {
        let victim = "\(dir)/victim", link = "\(dir)/capture.pcap"
        write("secret", to: victim, mode: 0o600)
        XCTAssertEqual(symlink(victim, link), 0)
        XCTAssertEqual(refusal(link, overwrite: false), .symbolicLink(link))
        XCTAssertEqual(refusal(link, overwrite: true), .symbolicLink(link), "not even with --force")
        XCTAssertEqual(contents(victim), "secret", "the victim was not truncated")
    }

    func testADanglingSymlinksTargetIsNotCreated() {
        let target = "\(dir)/created-by-root", link = "\(dir)/dangling.pcap"
        XCTAssertEqual(symlink(target, link), 0)
        XCTAssertEqual(refusal(link, overwrite: true), .symbolicLink(link))
        XCTAssertFalse(FileManager.default.fileExists(atPath: target))
    }

    func testAnExistingFileNeedsOverwriteAndMustBeOurs() {
        let theirs = "\(dir)/theirs.pcap"
        write("nobody's", to: theirs, mode: 0o644, owner: nobody)
        XCTAssertEqual(refusal(theirs, overwrite: false), .exists(theirs))
        XCTAssertEqual(refusal(theirs, overwrite: true), .foreignOwner(theirs, uid: nobody))
        XCTAssertEqual(contents(theirs), "nobody's")

        let mine = "\(dir)/mine.pcap"
        write("old capture", to: mine)
        XCTAssertEqual(refusal(mine, overwrite: false), .exists(mine))
        XCTAssertEqual(contents(mine), "old capture")
        XCTAssertNil(refusal(mine, overwrite: true))
        XCTAssertEqual(contents(mine), "", "overwritten: truncated through the checked descriptor")
    }

    func testAHardLinkedFileIsNotOverwritten() {
        let original = "\(dir)/original", alias = "\(dir)/alias.pcap"
        write("keep", to: original)
        XCTAssertEqual(link(original, alias), 0)
        XCTAssertEqual(refusal(alias, overwrite: true), .notPlainFile(alias, reason: "hard-linked 2 times"))
        XCTAssertEqual(contents(original), "keep")
    }

    func testANewFileIs0600AndBelongsToTheSudoUser() throws {
        let path = "\(dir)/new.pcap"
        let owner = FileOwner.invokingUser(environment: ["SUDO_UID": "65534", "SUDO_GID": "65533"])
        XCTAssertEqual(owner, FileOwner(uid: 65534, gid: 65533))
        let fd = try FileDescriptor.createPrivate(path, overwrite: false, owner: owner)
        try fd.writeAll(Array("pcap".utf8))
        let st = stat(path)
        XCTAssertEqual(st.st_mode & 0o7777, 0o600)
        XCTAssertEqual(st.st_uid, 65534)
        XCTAssertEqual(st.st_gid, 65533)
        XCTAssertEqual(FileOwner.invokingUser(environment: [:]), FileOwner(uid: 0, gid: 0), "root without sudo: root's")
        XCTAssertEqual(FileOwner.invokingUser(environment: ["SUDO_UID": "x", "SUDO_GID": "1"]), FileOwner(uid: 0, gid: 0))
    }

    func testCharacterDevicesAreWrittenOnlyWithOverwrite() {
        XCTAssertEqual(refusal("/dev/null", overwrite: false), .exists("/dev/null"))
        XCTAssertNil(refusal("/dev/null", overwrite: true))
        XCTAssertEqual(refusal(dir, overwrite: true), .system(SystemError("open", dir, errno: EISDIR)))
    }
}
