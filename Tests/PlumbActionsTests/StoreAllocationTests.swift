import Foundation
import XCTest
@testable import PlumbActions
import PlumbModel

final class StoreAllocationTests: StoreTestCase {
    func testAutomaticAllocationIsLowestFreeSkippingNetworkAndGateway() throws {
        let store = try openStore()
        try store.createNetwork(network("web"))
        XCTAssertEqual(try store.allocateText(network: "web", requested: nil, sandbox: "a"), "10.213.0.2")
        XCTAssertEqual(try store.allocateText(network: "web", requested: nil, sandbox: "b"), "10.213.0.3")
        // A gateway in the middle is skipped too.
        try store.createNetwork(network("mid", subnet: "10.9.0.0/29", gateway: "10.9.0.2"))
        let got = try (0..<4).map { _ in try store.allocateText(network: "mid", requested: nil, sandbox: nil) }
        XCTAssertEqual(got, ["10.9.0.1", "10.9.0.3", "10.9.0.4", "10.9.0.5"])
    }

    func testFullSubnetNeverGivesBroadcastAndThenIsExhausted() throws {
        let store = try openStore()
        try store.createNetwork(network("small", subnet: "10.9.0.0/29", gateway: "10.9.0.1"))
        let got = try (0..<5).map { _ in try store.allocateText(network: "small", requested: nil, sandbox: nil) }
        XCTAssertEqual(got, ["10.9.0.2", "10.9.0.3", "10.9.0.4", "10.9.0.5", "10.9.0.6"])
        let e = assertThrows(.poolExhausted("small", range: "10.9.0.0/29")) {
            try store.allocateText(network: "small", requested: nil, sandbox: nil)
        }
        XCTAssertEqual(e, "network 'small' has no free address left in 10.9.0.0/29: disconnect unused endpoints, or create a network with a larger subnet or ip-range")
    }

    func testExplicitAllocation() throws {
        let store = try openStore()
        try store.createNetwork(network("web"))
        XCTAssertEqual(try store.allocateText(network: "web", requested: "10.213.0.200", sandbox: "a"), "10.213.0.200")
        let e = assertThrows(.addressTaken("10.213.0.200", network: "web", by: "a")) {
            try store.allocateText(network: "web", requested: "10.213.0.200", sandbox: "b")
        }
        XCTAssertEqual(e, "address 10.213.0.200 on network 'web' is already taken by sandbox a: pick another, or leave the address out to get the next free one")
        assertThrows(.addressTaken("10.213.0.201", network: "web", by: nil)) {
            _ = try store.allocateText(network: "web", requested: "10.213.0.201", sandbox: nil)
            return try store.allocateText(network: "web", requested: "10.213.0.201", sandbox: "b")
        }
        // Automatic allocation goes around explicit ones.
        XCTAssertEqual(try store.allocateText(network: "web", requested: nil, sandbox: "c"), "10.213.0.2")
    }

    func testExplicitAllocationRefusesReservedAndOutsideAddresses() throws {
        let store = try openStore()
        try store.createNetwork(network("web"))
        let cases: [(String, String)] = [
            ("10.213.0.0", "address 10.213.0.0 is the network address of 10.213.0.0/24"),
            ("10.213.0.255", "address 10.213.0.255 is the broadcast address of 10.213.0.0/24"),
            ("10.213.0.1", "address 10.213.0.1 is its gateway"),
            ("10.214.0.9", "address 10.214.0.9 is outside subnet 10.213.0.0/24"),
            ("fd00::9", "address fd00::9 is IPv6 but subnet 10.213.0.0/24 is IPv4"),
        ]
        for (address, reason) in cases {
            XCTAssertThrowsError(try store.allocateText(network: "web", requested: address, sandbox: nil)) { e in
                guard case .addressNotAllowed(let n, let r)? = e as? StoreError else { return XCTFail("\(e)") }
                XCTAssertEqual(n, "web")
                XCTAssertTrue(r.hasPrefix(reason), r)
                XCTAssertTrue("\(e)".hasPrefix("network 'web': \(reason)"), "\(e)")
            }
        }
        // Text is parsed where it comes in (`net connect --ip`), before the store sees a value.
        XCTAssertThrowsError(try IPAddress.parse("10.213.0.300")) { e in
            XCTAssertEqual(e as? AddressError, .invalidAddress("10.213.0.300", reason: "300 is more than 255"))
        }
        assertThrows(.networkNotFound("nope")) { try store.allocateText(network: "nope", requested: nil, sandbox: nil) }
        XCTAssertEqual(try store.allocationTexts(network: "web").count, 0)
    }

    func testIpRangeIsRespected() throws {
        let store = try openStore()
        try store.createNetwork(network("web", ipRange: "10.213.0.252/30"))
        // .252 and .253 and .254; .255 is the subnet's broadcast.
        let got = try (0..<3).map { _ in try store.allocateText(network: "web", requested: nil, sandbox: nil) }
        XCTAssertEqual(got, ["10.213.0.252", "10.213.0.253", "10.213.0.254"])
        assertThrows(.poolExhausted("web", range: "10.213.0.252/30")) { try store.allocateText(network: "web", requested: nil, sandbox: nil) }
        XCTAssertThrowsError(try store.allocateText(network: "web", requested: "10.213.0.9", sandbox: nil)) { e in
            XCTAssertEqual("\(e)", "network 'web': address 10.213.0.9 is outside its ip-range 10.213.0.252/30: pick one from 10.213.0.252 to 10.213.0.254")
        }
        // A range at the bottom of the subnet skips the network address and the gateway.
        try store.createNetwork(network("low", subnet: "10.9.0.0/24", gateway: "10.9.0.1", ipRange: "10.9.0.0/30"))
        XCTAssertEqual(try store.allocateText(network: "low", requested: nil, sandbox: nil), "10.9.0.2")
    }

    func testReleaseAndReuse() throws {
        let store = try openStore()
        try store.createNetwork(network("web"))
        for _ in 0..<5 { _ = try store.allocateText(network: "web", requested: nil, sandbox: nil) }   // .2 to .6
        try store.releaseText(network: "web", address: "10.213.0.3")
        try store.releaseText(network: "web", address: "10.213.0.5")
        try store.releaseText(network: "web", address: "10.213.0.5")   // again: nothing to do
        XCTAssertEqual(try store.allocationTexts(network: "web").map(\.address), ["10.213.0.2", "10.213.0.4", "10.213.0.6"])
        XCTAssertEqual(try store.allocateText(network: "web", requested: nil, sandbox: nil), "10.213.0.3")
        XCTAssertEqual(try store.allocateText(network: "web", requested: nil, sandbox: nil), "10.213.0.5")
        XCTAssertEqual(try store.allocateText(network: "web", requested: nil, sandbox: nil), "10.213.0.7")
        assertThrows(.networkNotFound("nope")) { try store.releaseText(network: "nope", address: "10.213.0.3") }
    }

    func testIPv6AndTinySubnets() throws {
        let store = try openStore()
        try store.createNetwork(network("v6", subnet: "fd13::/64", gateway: "fd13::1"))
        XCTAssertEqual(try store.allocateText(network: "v6", requested: nil, sandbox: nil), "fd13::2")
        XCTAssertEqual(try store.allocateText(network: "v6", requested: "FD13:0::00ff", sandbox: nil), "fd13::ff")   // canonical
        assertThrows(.addressTaken("fd13::ff", network: "v6", by: nil)) { try store.allocateText(network: "v6", requested: "fd13::0:ff", sandbox: nil) }
        try store.releaseText(network: "v6", address: "fd13:0:0::ff")
        XCTAssertEqual(try store.allocationTexts(network: "v6").map(\.address), ["fd13::2"])
        // /31 (RFC 3021): both addresses are hosts; with the gateway on one, one is left.
        try store.createNetwork(network("p2p", subnet: "10.9.0.0/31", gateway: "10.9.0.0"))
        XCTAssertEqual(try store.allocateText(network: "p2p", requested: nil, sandbox: nil), "10.9.0.1")
        XCTAssertThrowsError(try store.allocateText(network: "p2p", requested: nil, sandbox: nil))
    }

    func testAllocationsAreInAddressOrder() throws {
        let store = try openStore()
        try store.createNetwork(network("web"))
        for a in ["10.213.0.100", "10.213.0.20", "10.213.0.3"] { _ = try store.allocateText(network: "web", requested: a, sandbox: a) }
        XCTAssertEqual(try store.allocationTexts(network: "web").map(\.address), ["10.213.0.3", "10.213.0.20", "10.213.0.100"])
        XCTAssertEqual(try store.allocationTexts(network: "nope").count, 0)
    }

    /// 8 threads, each with its own connection (SQLite locks per connection, so this is the path separate
    /// processes take), allocate 25 addresses each on one /24: 200 distinct addresses, no errors.
    func testConcurrentAllocationFromSeparateConnections() throws {
        try openStore().createNetwork(network("web"))
        let results = WorkerResults()
        let group = DispatchGroup()
        let path = dbPath
        for worker in 0..<8 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let store = try StateStore(path: path)
                    for i in 0..<25 {
                        results.add(try store.allocateText(network: "web", requested: nil, sandbox: "w\(worker)-\(i)"))
                    }
                } catch {
                    results.fail("\(error)")
                }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 120), .success)
        let (addresses, errors) = results.snapshot()
        XCTAssertEqual(errors, [])
        XCTAssertEqual(addresses.count, 200)
        XCTAssertEqual(Set(addresses).count, 200)
        let subnet = IPPrefix("10.213.0.0/24")!
        XCTAssertTrue(addresses.allSatisfy { subnet.contains(IPAddress($0)!) && $0 != "10.213.0.1" })
        // Lowest-free with no releases: exactly .2 to .201.
        XCTAssertEqual(Set(addresses), Set((2...201).map { "10.213.0.\($0)" }))
        XCTAssertEqual(try openStore().allocationTexts(network: "web").count, 200)
    }

    /// 8 connections opening a file that does not exist yet: one creates the schema, all work.
    func testConcurrentFirstOpen() throws {
        let results = WorkerResults()
        let group = DispatchGroup()
        let path = dbPath
        for worker in 0..<8 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do {
                    let store = try StateStore(path: path)
                    try store.createNetwork(NetworkRecord(name: "n\(worker)", config: .bridge(BridgeConfig()), subnet: IPPrefix("10.\(worker).0.0/24")!,
                                                          gateway: IPAddress("10.\(worker).0.1")!, createdAt: 0))
                    results.add("n\(worker)")
                } catch {
                    results.fail("\(error)")
                }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(results.snapshot().errors, [])
        XCTAssertEqual(try openStore().networks().map(\.name), (0..<8).map { "n\($0)" })
    }

    /// One connection shared by threads: the store's lock keeps their transactions apart.
    func testConcurrentAllocationOnOneSharedStore() throws {
        let store = try openStore()
        try store.createNetwork(network("web"))
        let results = WorkerResults()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for i in 0..<10 {
                do { results.add(try store.allocateText(network: "web", requested: nil, sandbox: "s\(worker)-\(i)")) }
                catch { results.fail("\(error)") }
            }
        }
        let (addresses, errors) = results.snapshot()
        XCTAssertEqual(errors, [])
        XCTAssertEqual(Set(addresses).count, 40)
    }
}

/// Collects what worker threads report.
final class WorkerResults: @unchecked Sendable {
    private let lock = NSLock()
    private var addresses: [String] = []
    private var errors: [String] = []
    func add(_ a: String) { lock.lock(); addresses.append(a); lock.unlock() }
    func fail(_ e: String) { lock.lock(); errors.append(e); lock.unlock() }
    func snapshot() -> (addresses: [String], errors: [String]) { lock.lock(); defer { lock.unlock() }; return (addresses, errors) }
}
