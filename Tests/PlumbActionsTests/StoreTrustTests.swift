import Foundation
import XCTest
@testable import PlumbActions

/// The state store is trusted only when root alone could have written it: `gc` runs the journal's plans (CNI
/// plugin paths, firewall batches) as root, so a directory or database another user can write would let that
/// user run code as root. Each refusal happens before anything is read.
final class StoreTrustTests: StoreTestCase {
    private let nobody: uid_t = 65534
    private var stateDir: String { dir + "/state" }

    override func setUpWithError() throws {
        try super.setUpWithError()
        XCTAssertEqual(geteuid(), 0, "these tests chown files to nobody: run them as root")
    }

    private func mode(_ path: String) -> mode_t {
        var st = stat()
        XCTAssertEqual(lstat(path, &st), 0, path)
        return st.st_mode & 0o7777
    }

    /// A store with one network in it, closed again.
    private func makeStore() throws {
        let store = try openStore()
        try store.createNetwork(network("pt-trust"))
    }

    private func assertRefused(_ path: String, _ problem: String, line: UInt = #line) {
        do {
            _ = try openStore()
            XCTFail("opened an untrusted store", line: line)
        } catch let StoreError.untrusted(p, _, _, why) {
            XCTAssertEqual(p, path, line: line)
            XCTAssertTrue(why.contains(problem), why, line: line)
            let text = "\(StoreError.untrusted(path: p, owner: 0, mode: 0, problem: why))"
            XCTAssertFalse(text.contains("\n"), "one line: \(text)", line: line)
            XCTAssertTrue(text.contains("--state-dir") && text.contains("chmod"), text, line: line)
        } catch {
            XCTFail("\(error)", line: line)
        }
    }

    func testANewStoreIsPrivate() throws {
        let store = try openStore()
        try store.createNetwork(network("pt-trust"))
        XCTAssertEqual(mode(stateDir), 0o700)
        XCTAssertEqual(mode(dbPath), 0o600)
        XCTAssertEqual(mode(dbPath + "-wal"), 0o600, "SQLite gives the WAL the database's mode")
        XCTAssertEqual(mode(dbPath + "-shm"), 0o600)
        XCTAssertEqual(try store.network(named: "pt-trust")?.name, "pt-trust")
    }

    func testADirectoryOfAnotherUserIsRefused() throws {
        try makeStore()
        XCTAssertEqual(chown(stateDir, nobody, nobody), 0)
        assertRefused(stateDir, "belongs to uid 65534")
    }

    func testAWorldOrGroupWritableDirectoryIsRefused() throws {
        try makeStore()
        XCTAssertEqual(chmod(stateDir, 0o777), 0)
        assertRefused(stateDir, "is writable by group and others")
        XCTAssertEqual(chmod(stateDir, 0o770), 0)
        assertRefused(stateDir, "is writable by its group")
    }

    func testADatabaseOrWALOfAnotherUserOrWritableIsRefused() throws {
        try makeStore()
        XCTAssertEqual(chmod(dbPath, 0o666), 0)
        assertRefused(dbPath, "is writable by group and others")
        XCTAssertEqual(chmod(dbPath, 0o600), 0)
        XCTAssertEqual(chown(dbPath, nobody, nobody), 0)
        assertRefused(dbPath, "belongs to uid 65534")
        XCTAssertEqual(chown(dbPath, 0, 0), 0)
        // A WAL is replayed into the database on open: a planted one is as bad as a planted database.
        XCTAssertTrue(FileManager.default.createFile(atPath: dbPath + "-wal", contents: Data()))
        XCTAssertEqual(chown(dbPath + "-wal", nobody, nobody), 0)
        assertRefused(dbPath + "-wal", "belongs to uid 65534")
    }

    func testSymlinksAndHardLinksAreRefused() throws {
        try makeStore()
        // The state directory given as a symlink to a trusted directory: the link itself could be swapped.
        let other = dir + "/elsewhere"
        XCTAssertEqual(symlink(stateDir, other), 0)
        XCTAssertThrowsError(try StateStore(path: other + "/state.db")) { e in
            XCTAssertTrue("\(e)".contains("is a symbolic link"), "\(e)")
        }
        XCTAssertEqual(link(dbPath, dir + "/alias.db"), 0)
        assertRefused(dbPath, "has 2 hard links")
    }

    func testAWritableParentIsRefusedButAStickyOneIsNot() throws {
        XCTAssertEqual(chmod(dir, 0o777), 0)
        assertRefused(dir, "is writable by group and others")
        XCTAssertEqual(chmod(dir, 0o1777), 0, "sticky, like /tmp: others cannot rename the state directory")
        XCTAssertNoThrow(try makeStore())
        XCTAssertEqual(chmod(dir, 0o700), 0)
    }
}
