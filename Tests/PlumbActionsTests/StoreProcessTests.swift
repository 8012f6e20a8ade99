import Foundation
import XCTest
@testable import PlumbActions

/// The same race as testConcurrentAllocationFromSeparateConnections, with 8 real processes: the test binary
/// runs itself once per worker, filtered to `testHelperAllocates`, which only acts when the environment names
/// a database.
final class StoreProcessTests: StoreTestCase {
    static let dbVariable = "PLUMB_STORE_TEST_HELPER_DB"
    static let idVariable = "PLUMB_STORE_TEST_HELPER_ID"

    func testConcurrentAllocationFromSeparateProcesses() throws {
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        guard exe.hasSuffix(".xctest") else { return XCTFail("its workers need the .xctest binary; this is \(exe)") }
        try openStore().createNetwork(network("web"))
        var workers: [(Process, String)] = []
        for id in 0..<8 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: exe)
            p.arguments = ["PlumbActionsTests.StoreProcessTests/testHelperAllocates"]
            var env = ProcessInfo.processInfo.environment
            env[Self.dbVariable] = dbPath
            env[Self.idVariable] = String(id)
            p.environment = env
            let log = "\(dir)/worker\(id).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            p.standardOutput = handle
            p.standardError = handle
            try p.run()
            workers.append((p, log))
        }
        for (p, log) in workers {
            p.waitUntilExit()
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            XCTAssertEqual(p.terminationStatus, 0, "worker failed:\n\(output.suffix(2000))")
            XCTAssertTrue(output.contains("Executed 1 test, with 0 failures"), "worker ran no test:\n\(output.suffix(2000))")
        }
        let rows = try openStore().allocationTexts(network: "web")
        XCTAssertEqual(rows.count, 200)
        XCTAssertEqual(Set(rows.map(\.address)), Set((2...201).map { "10.213.0.\($0)" }))
        XCTAssertEqual(Set(rows.compactMap(\.sandbox)).count, 200)
    }

    /// One worker of the test above when the environment names a database; in an ordinary run the same 25
    /// allocations on a store of its own. Either way its 25 addresses must be distinct.
    func testHelperAllocates() throws {
        let env = ProcessInfo.processInfo.environment
        let store: StateStore
        let id: String
        if let path = env[Self.dbVariable], let worker = env[Self.idVariable] {
            (store, id) = (try StateStore(path: path), worker)
        } else {
            (store, id) = (try openStore(), "solo")
            try store.createNetwork(network("web"))
        }
        var addresses = Set<String>()
        for i in 0..<25 { addresses.insert(try store.allocateText(network: "web", requested: nil, sandbox: "p\(id)-\(i)")) }
        XCTAssertEqual(addresses.count, 25)
    }
}
