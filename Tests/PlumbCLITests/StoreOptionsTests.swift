import Foundation
@testable import PlumbCLI
import PlumbCluster
import XCTest

/// Store selection: --store over PLUMB_STORE over the system config file; no store, local only.
final class StoreOptionsTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-config-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func config(_ text: String) throws -> [String: String] {
        try text.write(toFile: "\(dir)/config", atomically: true, encoding: .utf8)
        return ["PLUMB_CONFIG": "\(dir)/config"]
    }

    func testNoStoreAnywhereMeansLocal() throws {
        let opts = try StoreOptions.parse([])
        XCTAssertNil(try opts.resolve(environment: ["PLUMB_CONFIG": "\(dir)/none"]))
    }

    func testPrecedenceOptionThenEnvironmentThenFile() throws {
        var env = try config("""
        # the machine's store
        store = etcd://10.0.0.1:2379
        store-ca = /etc/plumb/ca.pem
        host-id = node-file
        unknown-key = ignored
        """)
        var r = try XCTUnwrap(try StoreOptions.parse([]).resolve(environment: env))
        XCTAssertEqual(r.location.description, "etcd://10.0.0.1:2379")
        XCTAssertEqual(r.tls, StoreTLSFiles(caFile: "/etc/plumb/ca.pem"))
        XCTAssertEqual(r.hostID, "node-file")
        env["PLUMB_STORE"] = "etcd://10.0.0.2:2379"
        env["PLUMB_HOST_ID"] = "node-env"
        r = try XCTUnwrap(try StoreOptions.parse([]).resolve(environment: env))
        XCTAssertEqual(r.location.description, "etcd://10.0.0.2:2379")
        XCTAssertEqual(r.hostID, "node-env")
        r = try XCTUnwrap(try StoreOptions.parse(["--store", "etcd://10.0.0.3", "--host-id", "node-opt", "--store-cert", "c.pem", "--store-key", "k.pem"]).resolve(environment: env))
        XCTAssertEqual(r.location.description, "etcd://10.0.0.3:2379")
        XCTAssertEqual(r.hostID, "node-opt")
        XCTAssertEqual(r.tls, StoreTLSFiles(caFile: "/etc/plumb/ca.pem", certFile: "c.pem", keyFile: "k.pem"))
    }

    func testBadValuesNameTheFileLineOrForm() throws {
        let env = try config("store =\n")
        XCTAssertThrowsError(try StoreOptions.parse([]).resolve(environment: env)) { e in
            XCTAssertTrue("\(e)".contains("\(dir)/config:1: store has no value"), "\(e)")
        }
        XCTAssertThrowsError(try StoreOptions.parse(["--store", "http://x"]).resolve(environment: [:])) { e in
            XCTAssertTrue("\(e)".contains("etcd://HOST:PORT"), "\(e)")
            XCTAssertEqual((e as? CommandFailure)?.code, PlumbExit.usage)
        }
    }

    func testHostnameIsTheDefaultHostID() throws {
        let r = try XCTUnwrap(try StoreOptions.parse(["--store", "etcd://127.0.0.1:1"]).resolve(environment: ["PLUMB_CONFIG": "\(dir)/none"]))
        XCTAssertEqual(r.hostID, StoreOptions.hostname())
        XCTAssertFalse(r.hostID.isEmpty)
    }
}
