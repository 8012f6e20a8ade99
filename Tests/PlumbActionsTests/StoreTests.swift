import Foundation
import XCTest
@testable import PlumbActions
import PlumbModel

/// Gives each test its own temporary directory (never /var/lib/plumb), removed afterwards.
class StoreTestCase: XCTestCase {
    var dir = ""
    var dbPath: String { dir + "/state/state.db" }

    override func setUpWithError() throws {
        var template = Array(((NSTemporaryDirectory() as NSString).appendingPathComponent("plumb-store-test.XXXXXX")).utf8CString)
        guard let p = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: NSTemporaryDirectory()]) }
        dir = String(cString: p)
    }

    override func tearDownWithError() throws {
        if !dir.isEmpty { try? FileManager.default.removeItem(atPath: dir) }
    }

    func openStore() throws -> StateStore { try StateStore(path: dbPath) }

    func network(_ name: String, subnet: String = "10.213.0.0/24", gateway: String = "10.213.0.1",
                 ipRange: String? = nil) -> NetworkRecord {
        NetworkRecord(name: name, config: .bridge(BridgeConfig(bridge: "pl-\(name)")), subnet: IPPrefix(subnet)!, gateway: IPAddress(gateway)!,
                      ipRange: ipRange.map { IPPrefix($0)! }, mtu: 1500, internal: false, hostNamespace: .path("/run/netns/lab"), createdAt: 1_700_000_000)
    }

    func endpoint(_ network: String, _ sandbox: String, address: String? = nil) -> EndpointRecord {
        EndpointRecord(network: network, sandbox: sandbox, ifname: "eth0", hostIfname: "plv\(sandbox)", address: address.map { IPAddress($0)! },
                       mac: "02:42:ac:11:00:02", ports: [PortMapping(hostPort: 8080, containerPort: 80)],
                       createdAt: 1_700_000_100)
    }

    /// Runs `body` and checks it throws exactly `expected`, whose description is returned for further checks.
    @discardableResult
    func assertThrows<T>(_ expected: StoreError, _ body: () throws -> T, line: UInt = #line) -> String {
        do {
            _ = try body()
            XCTFail("no error; expected \(expected)", line: line)
        } catch let e as StoreError {
            XCTAssertEqual(e, expected, line: line)
            return e.description
        } catch {
            XCTFail("\(error); expected \(expected)", line: line)
        }
        return ""
    }
}

final class StoreTests: StoreTestCase {
    func testOpenCreatesPrivateDirectoryWalAndSchema() throws {
        let store = try openStore()
        var st = stat()
        XCTAssertEqual(stat(dir + "/state", &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o700)
        let mode = try store.db.query("PRAGMA journal_mode", [], "test") { $0.text(0) }
        XCTAssertEqual(mode, ["wal"])
        XCTAssertEqual(try store.db.query("PRAGMA foreign_keys", [], "test") { $0.int(0) }, [1])
        XCTAssertEqual(try Schema.version(store.db), Schema.migrations.count)
        let tables = try store.db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", [], "test") { $0.text(0) }
        XCTAssertEqual(tables, ["allocations", "endpoints", "journal", "networks"])
    }

    func testOpenFailuresSayWhere() throws {
        _ = FileManager.default.createFile(atPath: dir + "/file", contents: Data())
        let e = assertThrows(.cannotCreateDirectory(dir + "/file/sub", reason: "\(dir)/file exists and is not a directory")) {
            try StateStore(path: dir + "/file/sub/state.db")
        }
        XCTAssertTrue(e.contains("--state-dir"), e)
        try FileManager.default.createDirectory(atPath: dir + "/db-is-dir", withIntermediateDirectories: false)
        XCTAssertThrowsError(try StateStore(path: dir + "/db-is-dir")) { e in
            XCTAssertTrue("\(e)".hasPrefix("cannot open state database \(self.dir)/db-is-dir"), "\(e)")
        }
    }

    func testNewerSchemaIsRefused() throws {
        let store = try openStore()
        try store.db.exec("PRAGMA user_version = 99", "test")
        assertThrows(.schemaTooNew(path: dbPath, version: 99, supported: Schema.migrations.count)) { try openStore() }
    }

    func testReopeningKeepsEverything() throws {
        do {
            let store = try openStore()
            try store.createNetwork(network("web"))
            _ = try store.allocateText(network: "web", requested: "10.213.0.9", sandbox: "4026532001")
            try store.addEndpoint(endpoint("web", "4026532001", address: "10.213.0.9"))
            _ = try store.journalBegin(operation: "net create web", plan: "{}")
        }
        let store = try openStore()
        XCTAssertEqual(try store.network(named: "web"), network("web"))
        XCTAssertEqual(try store.endpoints(network: "web"), [endpoint("web", "4026532001", address: "10.213.0.9")])
        XCTAssertEqual(try store.allocationTexts(network: "web").map(\.address), ["10.213.0.9"])
        XCTAssertEqual(try store.journal(states: [.planned]).map(\.operation), ["net create web"])
    }

    // MARK: networks

    func testNetworkCrud() throws {
        let store = try openStore()
        XCTAssertNil(try store.network(named: "web"))
        try store.createNetwork(network("web"))
        var v6 = network("db", subnet: "fd13:0::/64", gateway: "fd13::0001", ipRange: "fd13::8000:0:0:0/65")
        v6.mtu = nil
        v6.internal = true
        v6.config = .bridge(BridgeConfig())
        v6.hostNamespace = .host
        try store.createNetwork(v6)
        XCTAssertEqual(try store.network(named: "web"), network("web"))
        let json = try store.db.query("SELECT options FROM networks WHERE name = 'web'", [], "test") { $0.text(0) }
        XCTAssertEqual(json, [#"{"bridge":"pl-web","hostNamespace":"path:/run/netns/lab"}"#])
        let db = try XCTUnwrap(store.network(named: "db"))
        XCTAssertEqual([db.subnet.description, db.gateway.description, db.ipRange?.description], ["fd13::/64", "fd13::1", "fd13::8000:0:0:0/65"])  // canonical
        XCTAssertNil(db.mtu)
        XCTAssertTrue(db.internal)
        XCTAssertEqual(try store.networks().map(\.name), ["db", "web"])
        try store.deleteNetwork(named: "db")
        XCTAssertEqual(try store.networks().map(\.name), ["web"])
        assertThrows(.networkNotFound("db")) { try store.deleteNetwork(named: "db") }
    }

    /// The address columns stay text in SQLite and become values when read: a row whose text does not parse
    /// (edited by hand, written by a broken tool) is an error that names the network, the column and the text,
    /// never a crash, and the rows that do parse still read.
    func testAnAddressColumnThatDoesNotParseIsAnErrorNamingItsNetwork() throws {
        let store = try openStore()
        try store.createNetwork(network("web"))
        try store.createNetwork(network("db", subnet: "10.9.0.0/24", gateway: "10.9.0.1"))
        try store.addEndpoint(endpoint("db", "4026532001", address: "10.9.0.2"))
        XCTAssertEqual(try store.endpoints(network: "db").first?.address, IPAddress("10.9.0.2"))
        for (column, text) in [("subnet", "10.213.0.0/33"), ("gateway", "10.213.0"), ("ip_range", "nowhere")] {
            try store.db.run("UPDATE networks SET \(column) = ? WHERE name = 'web'", [text], "test")
            XCTAssertThrowsError(try store.network(named: "web")) { e in
                XCTAssertTrue("\(e)".contains("network web has \(column == "ip_range" ? "ip-range" : column) '\(text)'"), "\(e)")
            }
            XCTAssertThrowsError(try store.networks())
            try store.db.run("UPDATE networks SET subnet = '10.213.0.0/24', gateway = '10.213.0.1', ip_range = NULL WHERE name = 'web'", [], "test")
        }
        XCTAssertEqual(try store.network(named: "web"), network("web"))
        try store.db.run("UPDATE endpoints SET address = '10.9.0.300' WHERE network = 'db'", [], "test")
        XCTAssertThrowsError(try store.endpoints(network: "db")) { e in
            XCTAssertTrue("\(e)".contains("endpoint 4026532001 of network db has address '10.9.0.300'"), "\(e)")
        }
        XCTAssertEqual(try store.network(named: "db")?.gateway, IPAddress("10.9.0.1"))
    }

    func testNetworkNamesAreUnique() throws {
        let store = try openStore()
        try store.createNetwork(network("web"))
        let e = assertThrows(.networkExists("web")) { try store.createNetwork(network("web", subnet: "10.9.0.0/24", gateway: "10.9.0.1")) }
        XCTAssertEqual(e, "network 'web' already exists: pick another name or remove it first (`plumb net rm web`)")
        XCTAssertEqual(try store.network(named: "web")?.subnet.description, "10.213.0.0/24")
    }

    func testInvalidNetworksAreRefusedWithTheReason() throws {
        let store = try openStore()
        let e = assertThrows(.invalidNetwork("a", reason: "gateway 10.214.0.1 is outside subnet 10.213.0.0/24: use 10.213.0.1 to 10.213.0.254")) {
            try store.createNetwork(network("a", gateway: "10.214.0.1"))
        }
        XCTAssertTrue(e.hasPrefix("network 'a' cannot be stored: gateway 10.214.0.1 is outside"), e)
        XCTAssertThrowsError(try store.createNetwork(network("b", subnet: "10.213.0.5/24"))) { e in
            XCTAssertTrue("\(e)".contains("did you mean 10.213.0.0/24?"), "\(e)")
        }
        XCTAssertThrowsError(try store.createNetwork(network("c", gateway: "10.213.0.255"))) { e in
            XCTAssertTrue("\(e)".contains("broadcast address"), "\(e)")
        }
        XCTAssertThrowsError(try store.createNetwork(network("d", ipRange: "10.213.1.0/25"))) { e in
            XCTAssertTrue("\(e)".contains("ip-range 10.213.1.0/25 is outside subnet"), "\(e)")
        }
        var bad = network("e")
        bad.mtu = 20
        XCTAssertThrowsError(try store.createNetwork(bad)) { e in XCTAssertTrue("\(e)".contains("MTU 20"), "\(e)") }
        XCTAssertEqual(try store.networks(), [])
    }

    func testDeletingANetworkCascadesAllocationsButNotEndpoints() throws {
        let store = try openStore()
        try store.createNetwork(network("web"))
        _ = try store.allocateText(network: "web", requested: nil, sandbox: "1")
        try store.addEndpoint(endpoint("web", "1", address: "10.213.0.2"))
        let e = assertThrows(.networkHasEndpoints("web", sandboxes: ["1"])) { try store.deleteNetwork(named: "web") }
        XCTAssertEqual(e, "network 'web' still has 1 endpoint (1): disconnect them first")
        try store.removeEndpoint(network: "web", key: "1")
        _ = try store.allocateText(network: "web", requested: "10.213.0.50", sandbox: nil)
        try store.deleteNetwork(named: "web")
        let left = try store.db.query("SELECT COUNT(*) FROM allocations", [], "test") { $0.int(0) }
        XCTAssertEqual(left, [0])
        // A new network of the same name starts clean.
        try store.createNetwork(network("web"))
        XCTAssertEqual(try store.allocateText(network: "web", requested: nil, sandbox: nil), "10.213.0.2")
    }

    // MARK: endpoints

    func testEndpointCrud() throws {
        let store = try openStore()
        try store.createNetwork(network("web"))
        try store.createNetwork(network("db", subnet: "10.9.0.0/24", gateway: "10.9.0.1"))
        let a = endpoint("web", "4026532001", address: "10.213.0.2")
        var b = endpoint("web", "blue", address: nil)
        b.createdAt += 1
        b.ports = [try PortMapping.parse("127.0.0.1:8443:443/tcp"), try PortMapping.parse("[::1]:53:53/udp")]
        b.hostIfname = nil
        b.mac = nil
        let c = endpoint("db", "4026532001")
        try store.addEndpoint(a)
        try store.addEndpoint(b)
        try store.addEndpoint(c)
        XCTAssertEqual(try store.endpoints(network: "web"), [a, b])
        XCTAssertEqual(try store.endpoints(network: "db"), [c])
        XCTAssertEqual(try store.endpoints(network: "nope"), [])
        XCTAssertEqual(try store.allEndpoints(), [c, a, b])
        try store.removeEndpoint(network: "web", key: "4026532001")
        XCTAssertEqual(try store.endpoints(network: "web"), [b])
        assertThrows(.endpointNotFound(network: "web", sandbox: "4026532001")) {
            try store.removeEndpoint(network: "web", key: "4026532001")
        }
    }

    func testEndpointUniquenessAndNetworkMustExist() throws {
        let store = try openStore()
        try store.createNetwork(network("web"))
        try store.addEndpoint(endpoint("web", "blue"))
        let e = assertThrows(.endpointExists(network: "web", sandbox: "blue")) { try store.addEndpoint(endpoint("web", "blue")) }
        XCTAssertEqual(e, "sandbox blue is already connected to network 'web': disconnect it first")
        assertThrows(.networkNotFound("nope")) { try store.addEndpoint(endpoint("nope", "blue")) }
    }

    func testEndpointAddressesAreAllocations() throws {
        let store = try openStore()
        try store.createNetwork(network("web"))
        // Allocated for the sandbox first (the connect path), then taken over by its endpoint.
        let a = try store.allocateText(network: "web", requested: nil, sandbox: "blue")
        try store.addEndpoint(endpoint("web", "blue", address: a))
        // Not allocated before: allocated now, checked like an explicit request.
        try store.addEndpoint(endpoint("web", "red", address: "10.213.0.77"))
        XCTAssertEqual(try store.allocationTexts(network: "web").map(\.address), ["10.213.0.2", "10.213.0.77"])
        XCTAssertEqual(try store.allocationTexts(network: "web").map(\.sandbox), ["blue", "red"])
        assertThrows(.addressTaken("10.213.0.77", network: "web", by: "red")) {
            try store.addEndpoint(endpoint("web", "green", address: "10.213.0.77"))
        }
        XCTAssertThrowsError(try store.addEndpoint(endpoint("web", "green", address: "10.213.0.1"))) { e in
            XCTAssertTrue("\(e)".contains("is its gateway"), "\(e)")
        }
        XCTAssertEqual(try store.endpoints(network: "web").map(\.sandbox), ["blue", "red"])  // failures left nothing
        // An endpoint's address cannot be released under it; removing the endpoint releases it.
        assertThrows(.addressInUse("10.213.0.77", network: "web", sandbox: "red")) {
            try store.releaseText(network: "web", address: "10.213.0.77")
        }
        try store.removeEndpoint(network: "web", key: "red")
        XCTAssertEqual(try store.allocationTexts(network: "web").map(\.address), ["10.213.0.2"])
    }

    // MARK: transactions

    func testTransactionRollsBackOnError() throws {
        let store = try openStore()
        struct Boom: Error {}
        XCTAssertThrowsError(try store.transaction {
            try store.createNetwork(network("web"))
            _ = try store.allocateText(network: "web", requested: nil, sandbox: nil)
            throw Boom()
        })
        XCTAssertEqual(try store.networks(), [])
        let n = try store.transaction { () -> Int in
            try store.createNetwork(network("web"))
            return try store.networks().count
        }
        XCTAssertEqual(n, 1)
    }

    func testNestedFailureUndoesOnlyTheInnerPart() throws {
        let store = try openStore()
        try store.transaction {
            try store.createNetwork(network("outer"))
            // The inner createNetwork fails (gateway outside) and is caught: the outer part still commits.
            XCTAssertThrowsError(try store.transaction {
                try store.createNetwork(network("inner", subnet: "10.9.0.0/24", gateway: "10.9.0.1"))
                try store.createNetwork(network("bad", gateway: "10.214.0.1"))
            })
        }
        XCTAssertEqual(try store.networks().map(\.name), ["outer"])
    }

    func testCorruptJsonIsReportedNotCrashed() throws {
        let store = try openStore()
        try store.createNetwork(network("web"))
        try store.db.run("UPDATE networks SET options = 'nope' WHERE name = 'web'", [], "test")
        XCTAssertThrowsError(try store.networks()) { e in
            XCTAssertEqual("\(e)", "state database \(self.dbPath) holds a bad value: options of network web is not valid JSON (nope) (fix or remove the record with sqlite3)")
        }
    }
}
