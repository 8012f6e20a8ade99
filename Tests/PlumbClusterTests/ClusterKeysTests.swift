@testable import PlumbCluster
import XCTest

final class ClusterKeysTests: XCTestCase {
    func testLayoutIsVersionedAndReadsBack() {
        XCTAssertEqual(ClusterKeys.network("ov1"), "/plumb/v1/networks/ov1")
        XCTAssertEqual(ClusterKeys.lease(network: "ov1", address: "10.213.7.2"), "/plumb/v1/networks/ov1/leases/10.213.7.2")
        XCTAssertEqual(ClusterKeys.host("node-a"), "/plumb/v1/hosts/node-a")
        XCTAssertEqual(ClusterKeys.vtep(host: "node-a", network: "ov1"), "/plumb/v1/hosts/node-a/vteps/ov1")
        XCTAssertEqual(ClusterKeys.endpoint(host: "a", network: "ov1", address: "fd13::2"), "/plumb/v1/hosts/a/endpoints/ov1/fd13::2")
        XCTAssertEqual(ClusterKeys.snapshot(host: "a"), "/plumb/v1/hosts/a/snapshot")

        XCTAssertEqual(ClusterKeys.parse("/plumb/v1/networks/ov1"), .network("ov1"))
        XCTAssertEqual(ClusterKeys.parse("/plumb/v1/networks/ov1/leases/10.213.7.2"), .lease(network: "ov1", address: "10.213.7.2"))
        XCTAssertEqual(ClusterKeys.parse("/plumb/v1/hosts/a"), .host("a"))
        XCTAssertEqual(ClusterKeys.parse("/plumb/v1/hosts/a/vteps/ov1"), .vtep(host: "a", network: "ov1"))
        XCTAssertEqual(ClusterKeys.parse("/plumb/v1/hosts/a/endpoints/ov1/fd13::2"), .endpoint(host: "a", network: "ov1", address: "fd13::2"))
        XCTAssertEqual(ClusterKeys.parse("/plumb/v1/hosts/a/snapshot"), .snapshot(host: "a"))
    }

    func testUnknownKeysAreNotParsed() {
        for key in ["/plumb/v2/networks/a", "/plumb/v1/", "/plumb/v1/networks/", "/plumb/v1/networks/a/other/b",
                    "/plumb/v1/hosts/a/vteps", "/plumb/v1/whatever/a", "/plumb/v1/networks/a/leases/", "/plumb/v1/networks/%zz"] {
            XCTAssertNil(ClusterKeys.parse(key), key)
        }
    }

    func testSegmentsNeverSplit() {
        // A slash or a space in a host name (a hostname is not a Plumb name) stays inside its segment.
        let odd = "rack 1/node%2"
        let key = ClusterKeys.vtep(host: odd, network: "ov1")
        XCTAssertEqual(key, "/plumb/v1/hosts/rack%201%2Fnode%252/vteps/ov1")
        XCTAssertEqual(ClusterKeys.parse(key), .vtep(host: odd, network: "ov1"))
        XCTAssertEqual(ClusterKeys.unsegment(ClusterKeys.segment("ünï")), "ünï")
        XCTAssertNil(ClusterKeys.unsegment("%4"))
    }

    func testPrefixesDoNotOverlapNeighbours() {
        // ov1's keys must not include ov10's: the prefix ends with a slash.
        XCTAssertFalse(ClusterKeys.network("ov10").hasPrefix(ClusterKeys.networkPrefix("ov1")))
        XCTAssertTrue(ClusterKeys.lease(network: "ov1", address: "10.0.0.2").hasPrefix(ClusterKeys.leasesPrefix(network: "ov1")))
    }

    func testPrefixRangeEnd() {
        XCTAssertEqual(EtcdKeyRange.end(ofPrefix: Array("/a/".utf8)), Array("/a0".utf8))
        XCTAssertEqual(EtcdKeyRange.end(ofPrefix: [0x61, 0xff]), [0x62])
        XCTAssertEqual(EtcdKeyRange.end(ofPrefix: [0xff, 0xff]), [0])
        XCTAssertEqual(EtcdKeyRange.end(ofPrefix: []), [0])
    }

    func testStoreLocation() throws {
        let one = try StoreLocation.parse("etcd://127.0.0.1:2379")
        XCTAssertEqual(one.endpoints, [.init(host: "127.0.0.1", port: 2379)])
        let many = try StoreLocation.parse("etcd://a.example:12379,10.0.0.2,[fd13::1]:2379")
        XCTAssertEqual(many.endpoints, [.init(host: "a.example", port: 12379), .init(host: "10.0.0.2", port: 2379), .init(host: "fd13::1", port: 2379)])
        XCTAssertEqual(many.description, "etcd://a.example:12379,10.0.0.2:2379,[fd13::1]:2379")
        for bad in ["http://a:1", "etcd://", "etcd://a:0", "etcd://a:99999", "etcd://a:b", "etcd://a,,b", "etcd://a b:1", "etcd://[fd13::1"] {
            XCTAssertThrowsError(try StoreLocation.parse(bad), bad) { e in
                XCTAssertTrue("\(e)".contains("etcd://HOST:PORT"), "\(e)")
            }
        }
    }

    func testRecordsRoundTripWithStableBytes() throws {
        let lease = AddressLease(network: "ov1", address: "10.213.7.2", host: "a", namespaceCookie: 4097, namespaceInode: 4026532000,
                                 namespaceName: "pt-a", ifname: "eth0", state: .reserved, since: 1_800_000_000)
        let bytes = try ClusterJSON.encode(lease)
        XCTAssertEqual(try ClusterJSON.decode(AddressLease.self, bytes), lease)
        XCTAssertEqual(try ClusterJSON.encode(lease), bytes)
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self),
                       #"{"address":"10.213.7.2","host":"a","ifname":"eth0","namespaceCookie":4097,"namespaceInode":4026532000,"namespaceName":"pt-a","network":"ov1","since":1800000000,"state":"reserved"}"#)
        // A reader ignores fields it does not know (a later writer may add some).
        let later = #"{"address":"10.213.7.3","host":"b","network":"ov1","since":1,"state":"bound","newField":[1]}"#
        XCTAssertEqual(try ClusterJSON.decode(AddressLease.self, Array(later.utf8)).state, .bound)
    }
}
