import Foundation
@testable import PlumbCluster
import XCTest

/// The JSON gateway's wire shapes, checked against answers recorded from etcd 3.4.
final class GatewayMessageTests: XCTestCase {
    func json<T: Encodable>(_ v: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try e.encode(v), as: UTF8.self)
    }

    func testCreateIfAbsentTransaction() throws {
        let req = TxnRequest(compare: [EtcdClient.gateway(.absent("/k"))],
                             success: [EtcdClient.gateway(.put("/k", value: Array("v".utf8), lease: 7))],
                             failure: [EtcdClient.gateway(.get("/k"))])
        XCTAssertEqual(try json(req),
                       #"{"compare":[{"create_revision":"0","key":"L2s=","target":"CREATE"}],"failure":[{"request_range":{"key":"L2s="}}],"success":[{"request_put":{"key":"L2s=","lease":"7","value":"dg=="}}]}"#)
    }

    func testPrefixOperationsCarryTheirRangeEnd() throws {
        XCTAssertEqual(try json(EtcdClient.gateway(.deletePrefix("/a/"))), #"{"request_delete_range":{"key":"L2Ev","range_end":"L2Ew"}}"#)
        XCTAssertEqual(try json(EtcdClient.gateway(.getPrefix("/a/"))), #"{"request_range":{"key":"L2Ev","range_end":"L2Ew"}}"#)
        XCTAssertEqual(try json(EtcdClient.gateway(.modRevision("/a", equals: 12))), #"{"key":"L2E=","mod_revision":"12","target":"MOD"}"#)
    }

    func testRangeAnswerWithStringIntegers() throws {
        let answer = #"{"header":{"cluster_id":"3249","member_id":"3319","revision":"2","raft_term":"2"},"kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"2","version":"1","value":"YmFy"}],"count":"1"}"#
        let r = try JSONDecoder().decode(RangeResponse.self, from: Data(answer.utf8))
        XCTAssertEqual(r.header?.revision?.value, 2)
        let kv = try EtcdClient.keyValue(try XCTUnwrap(r.kvs?.first))
        XCTAssertEqual(kv, EtcdKeyValue(key: "foo", value: Array("bar".utf8), createRevision: 2, modRevision: 2, version: 1))
        XCTAssertEqual(kv.text, "bar")
    }

    func testFailedTransactionLeavesSucceededOut() throws {
        // etcd omits "succeeded": false, the default; the failure branch's read is the holder.
        let answer = #"{"header":{"revision":"2"},"responses":[{"response_range":{"header":{"revision":"2"},"kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"2","version":"1","value":"YmFy"}],"count":"1"}}]}"#
        let r = try JSONDecoder().decode(TxnResponse.self, from: Data(answer.utf8))
        XCTAssertNil(r.succeeded)
        XCTAssertEqual(r.responses?.first?.response_range?.kvs?.first?.value?.bytes, Array("bar".utf8))
    }

    func testKeepAliveOfAGoneLeaseHasNoTTL() throws {
        let alive = #"{"result":{"header":{"revision":"3"},"ID":"2324035794778259212","TTL":"5"}}"#
        let gone = #"{"result":{"header":{"revision":"3"},"ID":"2324035794778259212"}}"#
        XCTAssertEqual(try JSONDecoder().decode(LeaseKeepAliveResponse.self, from: Data(alive.utf8)).result?.TTL?.value, 5)
        XCTAssertNil(try JSONDecoder().decode(LeaseKeepAliveResponse.self, from: Data(gone.utf8)).result?.TTL)
    }

    func testWatchStreamSplitsAndDecodes() throws {
        let stream = #"{"result":{"header":{"revision":"3"},"created":true}}"# + "\n"
            + #"{"result":{"header":{"revision":"4"},"events":[{"kv":{"key":"Zm9v","create_revision":"4","mod_revision":"4","version":"1","value":"YmFy"}}]}}"# + "\n"
            + #"{"result":{"header":{"revision":"5"},"events":[{"type":"DELETE","kv":{"key":"Zm9v","mod_revision":"5"}}]}}"# + "\n"
        var splitter = WatchLineSplitter()
        var lines: [[UInt8]] = []
        // Chunks that cut lines anywhere.
        let bytes = Array(stream.utf8)
        for start in stride(from: 0, to: bytes.count, by: 37) {
            lines += splitter.append(bytes[start..<min(start + 37, bytes.count)])
        }
        XCTAssertEqual(lines.count, 3)
        let events = try lines.flatMap { try EtcdClient.events($0, endpoint: "e") }
        XCTAssertEqual(events.map(\.kind), [.put, .delete])
        XCTAssertEqual(events.map(\.kv.key), ["foo", "foo"])
        XCTAssertEqual(events.map(\.revision), [4, 5])
        XCTAssertEqual(events[0].kv.text, "bar")
    }

    func testCancelledWatchEndsWithTheReason() {
        let line = Array(#"{"result":{"header":{"revision":"9"},"canceled":true,"compact_revision":"7"}}"#.utf8)
        XCTAssertThrowsError(try EtcdClient.events(line, endpoint: "127.0.0.1:2379")) { e in
            XCTAssertEqual(e as? EtcdError, .watchEnded(endpoint: "127.0.0.1:2379", reason: "revision compacted up to 7"))
        }
    }

    func testErrorsSayWhatToDo() {
        let e = EtcdError.unreachable(store: "etcd://127.0.0.1:1", reason: "connection refused")
        XCTAssertEqual(e.description, "cannot reach the etcd store etcd://127.0.0.1:1 (connection refused): start etcd there, or check --store / PLUMB_STORE")
        XCTAssertTrue(e.isUnreachable)
    }
}
