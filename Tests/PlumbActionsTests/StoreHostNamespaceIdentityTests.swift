import Foundation
import XCTest
@testable import PlumbActions
import PlumbModel

/// A network's `--host-ns` namespace is stored by identity (cookie, inode; schema 5), not only by name.
final class StoreHostNamespaceIdentityTests: StoreTestCase {
    func testTheHostNamespacesCookieAndInodeAreStoredAndRead() throws {
        let store = try openStore()
        var net = network("web")
        net.hostNamespace = NamespaceRef(.named("pt-h"), cookie: 4099, inode: 4026532001)
        try store.createNetwork(net)
        let read = try XCTUnwrap(try store.network(named: "web"))
        XCTAssertEqual(read.hostNamespace.location, .named("pt-h"))
        XCTAssertEqual(read.hostNamespace.cookie, 4099)
        XCTAssertEqual(read.hostNamespace.inode, 4026532001)
        // The JSON carries them as new keys, and reads them back.
        let json = try JSONEncoder().encode(read)
        let text = String(decoding: json, as: UTF8.self)
        XCTAssertTrue(text.contains("\"hostNamespaceInode\":4026532001") && text.contains("\"hostNamespaceCookie\":4099"), text)
        XCTAssertEqual(try JSONDecoder().decode(NetworkRecord.self, from: json), read)
    }

    func testNetworksFromSchemaFourUpgradeWithoutAnIdentity() throws {
        let old = try SQLiteConnection(path: { try? StateStore.makeDirectory(for: dbPath); return dbPath }())
        for v in 0..<4 { try old.exec(Schema.migrations[v], "test") }
        try old.exec("PRAGMA user_version = 4", "test")
        try old.exec("""
            INSERT INTO networks VALUES ('web', 'bridge', '10.213.0.0/24', '10.213.0.1', NULL, NULL, 0, '{"bridge":"pl-web","hostNamespace":"netns:pt-h"}', 1);
            """, "test")
        let store = try openStore()
        XCTAssertEqual(try Schema.version(store.db), Schema.migrations.count)
        let read = try XCTUnwrap(try store.network(named: "web"))
        XCTAssertEqual(read.hostNamespace, .named("pt-h"), "no cookie: checked by name only, as before")
        XCTAssertNil(read.hostNamespace.inode)
    }
}
