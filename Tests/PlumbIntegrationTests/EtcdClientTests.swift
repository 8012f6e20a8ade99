import Foundation
import PlumbCluster
import XCTest

/// The etcd client against a real etcd (Debian's etcd-server, started by the test on a free loopback port).
/// No kernel changes; it lives here because it starts a server process.
final class EtcdClientTests: RootTestCase {
    var etcd: EtcdServer!
    var client: EtcdClient!

    override func setUpWithError() throws {
        etcd = try EtcdServer()
        client = try EtcdClient(location: etcd.location, timeout: .seconds(3))
    }

    override func tearDown() {
        etcd?.stop()
    }

    func testKeysRangesAndCompareAndSwap() throws {
        let c = client!
        try runBlocking {
            try await c.put("/pt/a/1", value: Array("one".utf8))
            try await c.put("/pt/a/2", value: Array("two".utf8))
            try await c.put("/pt/b", value: Array("b".utf8))
            let one = try await c.get("/pt/a/1")
            XCTAssertEqual(one?.text, "one")
            let none = try await c.get("/pt/none")
            XCTAssertNil(none)
            let r = try await c.range(prefix: "/pt/a/")
            XCTAssertEqual(r.kvs.map(\.key), ["/pt/a/1", "/pt/a/2"])
            XCTAssertGreaterThan(r.revision, 0)

            let first = try await c.create("/pt/lease", value: Array("host-a".utf8))
            XCTAssertTrue(first.created)
            let second = try await c.create("/pt/lease", value: Array("host-b".utf8))
            XCTAssertFalse(second.created)
            XCTAssertEqual(second.holder?.text, "host-a", "the failed create names who holds the key")

            // Update only if unchanged since read: a stale revision loses.
            let held = try await c.get("/pt/lease")!
            let swap = try await c.txn([.modRevision("/pt/lease", equals: held.modRevision)], success: [.put("/pt/lease", value: Array("host-a2".utf8))])
            XCTAssertTrue(swap.succeeded)
            let stale = try await c.txn([.modRevision("/pt/lease", equals: held.modRevision)], success: [.delete("/pt/lease")])
            XCTAssertFalse(stale.succeeded)

            let deleted = try await c.delete(prefix: "/pt/a/")
            XCTAssertEqual(deleted, 2)
            let left = try await c.range(prefix: "/pt/a/").kvs
            XCTAssertEqual(left.count, 0)
        }
    }

    func testLeasedKeysGoWithTheirLease() throws {
        let c = client!
        try runBlocking {
            let lease = try await c.grantLease(ttl: 30)
            XCTAssertEqual(lease.ttl, 30)
            try await c.put("/pt/host", value: Array("alive".utf8), lease: lease.id)
            let attached = try await c.get("/pt/host")?.lease
            XCTAssertEqual(attached, lease.id)
            let renewed = try await c.keepAlive(lease.id)
            XCTAssertEqual(renewed, 30)
            try await c.revoke(lease.id)
            let gone = try await c.get("/pt/host")
            XCTAssertNil(gone, "revoking the lease removes its keys")
            let after = try await c.keepAlive(lease.id)
            XCTAssertEqual(after, 0, "a gone lease keeps alive with TTL 0")
        }
    }

    func testWatchSeesChangesFromARevision() throws {
        let c = client!
        try runBlocking {
            let start = try await c.range(prefix: "/pt/w/").revision
            try await c.put("/pt/w/x", value: Array("1".utf8))      // before the watch starts, after `start`
            let watch = Task { () -> [EtcdWatchEvent] in
                var seen: [EtcdWatchEvent] = []
                for try await e in c.watch(prefix: "/pt/w/", from: start + 1) {
                    seen.append(e)
                    if seen.count == 3 { break }
                }
                return seen
            }
            try await Task.sleep(for: .milliseconds(200))
            try await c.put("/pt/other", value: [1])                  // outside the prefix: not seen
            try await c.put("/pt/w/y", value: Array("2".utf8))
            try await c.delete("/pt/w/x")
            let seen = try await watch.value
            XCTAssertEqual(seen.map(\.kv.key), ["/pt/w/x", "/pt/w/y", "/pt/w/x"])
            XCTAssertEqual(seen.map(\.kind), [.put, .put, .delete])
        }
    }

    func testConcurrentCreatesHaveOneWinnerEach() throws {
        let c = client!
        // 3 contenders for each of 20 keys, all at once: exactly one wins each key.
        let wins = try runBlocking {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for key in 0..<20 { for who in 0..<3 {
                    group.addTask { try await c.create("/pt/ip/\(key)", value: Array("\(who)".utf8)).created }
                } }
                var n = 0
                for try await won in group where won { n += 1 }
                return n
            }
        }
        XCTAssertEqual(wins, 20)
    }

    func testTLSWithClientCertificates() throws {
        let secure = try EtcdServer(tls: true)
        defer { secure.stop() }
        let c = try EtcdClient(location: secure.location, tls: secure.tlsFiles, timeout: .seconds(3))
        try runBlocking { try await c.put("/pt/tls", value: Array("yes".utf8)) }
        XCTAssertEqual(try runBlocking { try await c.get("/pt/tls")?.text }, "yes")
        // Without the client certificate etcd refuses the handshake: nothing is read.
        let anonymous = try EtcdClient(location: secure.location, tls: StoreTLSFiles(caFile: secure.tlsFiles.caFile), timeout: .seconds(3))
        XCTAssertThrowsError(try runBlocking { try await anonymous.get("/pt/tls") })
        // A missing key file is named.
        XCTAssertThrowsError(try EtcdClient(location: secure.location, tls: StoreTLSFiles(certFile: "/nonexistent.pem"))) { e in
            XCTAssertTrue("\(e)".contains("--store-cert and --store-key go together"), "\(e)")
        }
    }

    func testUnreachableStoreSaysWhereAndWhat() throws {
        let port = try EtcdServer.freePort("127.0.0.1")
        let c = try EtcdClient(location: try StoreLocation.parse("etcd://127.0.0.1:\(port)"), timeout: .seconds(2))
        XCTAssertThrowsError(try runBlocking { try await c.get("/pt/x") }) { e in
            guard let e = e as? EtcdError else { return XCTFail("\(e)") }
            XCTAssertTrue(e.isUnreachable, "\(e)")
            XCTAssertTrue(e.description.contains("127.0.0.1:\(port)") && e.description.contains("start etcd"), e.description)
        }
        // A dead first member and a live second one: the client moves on.
        let both = try EtcdClient(location: try StoreLocation.parse("etcd://127.0.0.1:\(port),\(etcd.storeURL.dropFirst(7))"), timeout: .seconds(2))
        try runBlocking { try await both.put("/pt/k", value: [1]) }
        XCTAssertEqual(try runBlocking { try await both.get("/pt/k")?.value }, [1])
    }
}
