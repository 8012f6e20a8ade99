import XCTest
import PlumbAgent
import PlumbCluster
import PlumbModel

/// What an agent wants on its overlay from the store's keys: live peers only, bound leases only, never itself.
final class ClusterViewTests: XCTestCase {
    func kv<T: Encodable>(_ key: String, _ value: T) throws -> EtcdKeyValue { EtcdKeyValue(key: key, value: try ClusterJSON.encode(value)) }
    func vtep(_ host: String, _ underlay: String) throws -> EtcdKeyValue {
        try kv(ClusterKeys.vtep(host: host, network: "ov"), VTEPEntry(host: host, network: "ov", vni: 42, underlay: underlay, mac: "aa:bb:cc:00:00:01", port: 4789))
    }
    func lease(_ address: String, _ host: String, _ state: AddressLease.State = .bound, mac: String? = nil) throws -> EtcdKeyValue {
        try kv(ClusterKeys.lease(network: "ov", address: address),
               AddressLease(network: "ov", address: address, host: host, mac: mac, state: state, since: 0))
    }

    func testOnlyLivePeersBoundLeasesAndNeverItself() throws {
        var view = ClusterView()
        view.reset([
            try vtep("a", "10.213.250.11"), try vtep("b", "10.213.250.12"),
            try lease("10.213.7.2", "a"),                    // mine: no entry
            try lease("10.213.7.3", "b"),                    // live peer: entry, derived MAC
            try lease("10.213.7.4", "b", .reserved),         // not bound yet: no entry
            try lease("10.213.7.5", "c"),                    // host c has no VTEP (dead): no entry, lease kept
            try lease("10.213.7.6", "b", mac: "02:aa:00:00:00:06"),  // the lease's MAC wins
        ])
        let want = view.forwarding(network: "ov", me: "a")
        XCTAssertEqual(want.vteps, [IPAddress("10.213.250.12")!])
        XCTAssertEqual(want.endpoints.sorted().map { "\($0.ip) \($0.mac) \($0.vtep)" }, [
            "10.213.7.3 02:50:0a:d5:07:03 10.213.250.12",
            "10.213.7.6 02:aa:00:00:00:06 10.213.250.12",
        ])
        XCTAssertEqual(view.leases(network: "ov").count, 5)
    }

    func testAWatchedDeleteOfAVTEPDropsThatHostsEntries() throws {
        var view = ClusterView()
        let b = try vtep("b", "10.213.250.12")
        view.reset([try vtep("a", "10.213.250.11"), b, try lease("10.213.7.3", "b")])
        XCTAssertEqual(view.forwarding(network: "ov", me: "a").endpoints.count, 1)
        XCTAssertTrue(view.apply(.delete, key: b.key, value: []))
        XCTAssertEqual(view.forwarding(network: "ov", me: "a"), OverlayForwarding())
        // A snapshot summary changes no forwarding.
        XCTAssertFalse(view.apply(.put, key: ClusterKeys.snapshot(host: "b"), value: Array("{}".utf8)))
    }
}
