import Foundation
import XCTest
@testable import PlumbActions
import PlumbModel

/// Endpoints are identified by their namespace's netns cookie; the inode in `sandbox` is for people (the kernel
/// reuses it). Rows stored before (schema 2) keep working and upgrade in place.
final class StoreEndpointIdentityTests: StoreTestCase {
    func endpoint(_ sandbox: String, cookie: UInt64?, address: String) -> EndpointRecord {
        EndpointRecord(network: "web", sandbox: sandbox, ifname: "eth0", hostIfname: "plv\(sandbox)\(cookie ?? 0)",
                       address: IPAddress(address), createdAt: 1_700_000_100, cookie: cookie)
    }

    func testANewcomerWithAReusedInodeIsAnotherEndpointWithItsOwnLease() throws {
        let store = try openStore()
        try store.createNetwork(network("web"))
        try store.addEndpoint(endpoint("4026532001", cookie: 4099, address: "10.213.0.2"))
        // The same inode, another namespace: not "already connected".
        try store.addEndpoint(endpoint("4026532001", cookie: 5000, address: "10.213.0.3"))
        assertThrows(.endpointExists(network: "web", sandbox: "4026532001")) {
            try store.addEndpoint(endpoint("4026532001", cookie: 5000, address: "10.213.0.4"))
        }
        let eps = try store.endpoints(network: "web")
        XCTAssertEqual(eps.map(\.cookie), [4099, 5000])
        XCTAssertEqual(eps.map(\.key), ["4026532001-c4099", "4026532001-c5000"])
        XCTAssertEqual(try store.allocationTexts(network: "web").map(\.sandbox), ["4026532001-c4099", "4026532001-c5000"])
        // Removing the gone one leaves the newcomer's endpoint and lease alone.
        try store.removeEndpoint(network: "web", key: "4026532001-c4099")
        XCTAssertEqual(try store.endpoints(network: "web").map(\.cookie), [5000])
        XCTAssertEqual(try store.allocationTexts(network: "web").map(\.address), ["10.213.0.3"])
        assertThrows(.endpointNotFound(network: "web", sandbox: "4026532001")) {
            try store.removeEndpoint(network: "web", key: "4026532001")
        }
    }

    func testRowsFromSchemaTwoUpgradeWithoutACookieAndStayOnePerInode() throws {
        // A schema-2 file with one network, one endpoint and its lease, as an older plumb wrote it.
        let old = try SQLiteConnection(path: { try? StateStore.makeDirectory(for: dbPath); return dbPath }())
        for v in 0..<2 { try old.exec(Schema.migrations[v], "test") }
        try old.exec("PRAGMA user_version = 2", "test")
        try old.exec("""
            INSERT INTO networks VALUES ('web', 'bridge', '10.213.0.0/24', '10.213.0.1', NULL, NULL, 0, '{"bridge":"pl-web"}', 1);
            INSERT INTO endpoints VALUES ('web', '4026532001', 'eth0', 'plvx', '10.213.0.2', NULL, '[]', 2, NULL);
            INSERT INTO allocations VALUES ('web', '10.213.0.2', '4026532001');
            """, "test")
        let store = try openStore()
        XCTAssertEqual(try Schema.version(store.db), Schema.migrations.count)
        let eps = try store.endpoints(network: "web")
        XCTAssertEqual(eps.count, 1)
        XCTAssertNil(eps[0].cookie)
        XCTAssertEqual(eps[0].key, "4026532001", "a row without a cookie keeps its inode as key (its rules' tags)")
        XCTAssertEqual(eps[0].hostIfname, "plvx")
        assertThrows(.endpointExists(network: "web", sandbox: "4026532001")) {
            try store.addEndpoint(EndpointRecord(network: "web", sandbox: "4026532001", ifname: "eth1", createdAt: 3))
        }
        try store.removeEndpoint(network: "web", key: "4026532001")
        XCTAssertTrue(try store.allocationTexts(network: "web").isEmpty, "its lease went with it")
    }
}
