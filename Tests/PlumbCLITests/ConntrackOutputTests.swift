import Foundation
import XCTest
@testable import PlumbCLI
import PlumbActions
import PlumbModel

/// `plumb conntrack`'s outputs on hand-made entries: the hand-written JSON writer equals the Codable form (key
/// order included), the text has conntrack's shape, and the filter options are checked (exit 64).
final class ConntrackOutputTests: XCTestCase {
    static func entries() -> [ConntrackEntry] {
        let a = IPAddress("10.213.0.2")!, vip = IPAddress("10.213.0.80")!, backend = IPAddress("10.213.1.5")!
        let dnat = ConntrackEntry(
            family: .ipv4, protocolNumber: 6,
            original: ConntrackTuple(src: a, dst: vip, srcPort: 41000, dstPort: 80),
            reply: ConntrackTuple(src: backend, dst: a, srcPort: 8080, dstPort: 41000),
            tcpState: .established, status: [.seenReply, .assured, .confirmed, .dstNAT, .dstNATDone, ConntrackStatus(rawValue: 1 << 20)],
            mark: 7, zone: 2, timeout: 431999,
            counters: ConntrackCounters(originalPackets: 5, originalBytes: 300, replyPackets: 4, replyBytes: 9000), id: 42)
        let v6 = IPAddress("fd13::1")!, v6b = IPAddress("fd13::2")!
        let ping = ConntrackEntry(
            family: .ipv6, protocolNumber: 58,
            original: ConntrackTuple(src: v6, dst: v6b, icmp: .init(type: 128, code: 0, id: 9)),
            reply: ConntrackTuple(src: v6b, dst: v6, icmp: .init(type: 129, code: 0, id: 9)),
            status: [.confirmed], timeout: 29, id: 43)
        return [dnat, ping]
    }

    func testFastWriterEqualsCodableByteForByte() throws {
        for e in Self.entries() {
            let fast = try StreamingJSONEncoder().encode(e)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            // Foundation may order keys differently: compare the parsed documents, then the key order against
            // the Codable declaration order.
            let viaCodable = try encoder.encode(e)
            XCTAssertEqual(try JSONSerialization.jsonObject(with: Data(fast)) as? NSDictionary,
                           try JSONSerialization.jsonObject(with: viaCodable) as? NSDictionary)
            let text = String(decoding: fast, as: UTF8.self)
            let keys = ["\"family\"", "\"protocol\"", "\"protocolNumber\"", "\"original\"", "\"reply\"", "\"nat\"", "\"status\"",
                        "\"mark\"", "\"zone\"", "\"timeout\"", "\"id\""]
            let positions = keys.map { text.range(of: $0)!.lowerBound }
            XCTAssertEqual(positions, positions.sorted(), text)
            XCTAssertEqual(try JSONDecoder().decode(ConntrackEntry.self, from: Data(fast)).id, e.id)
        }
        let text = String(decoding: try StreamingJSONEncoder().encode(Self.entries()[0]), as: UTF8.self)
        XCTAssertTrue(text.contains(#""status":["SEEN_REPLY","ASSURED","CONFIRMED","DST_NAT","DST_NAT_DONE","BIT_20"]"#), text)
        XCTAssertTrue(text.contains(#""nat":"dnat""#), text)
    }

    func testListingJSONHasUsageAndShown() throws {
        let listing = ConntrackListing(namespace: 4026531840, name: "host",
                                       usage: ConntrackUsage(count: 2, max: 262144, accounting: true), entries: Self.entries())
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try StreamingJSONEncoder().encode(listing))) as? [String: Any])
        XCTAssertEqual(doc["shown"] as? Int, 2)
        XCTAssertEqual((doc["usage"] as? [String: Any])?["max"] as? Int, 262144)
        XCTAssertEqual((doc["entries"] as? [Any])?.count, 2)
    }

    func testTextHasConntracksShapeAndASummary() {
        let listing = ConntrackListing(namespace: 1, name: "pt-a",
                                       usage: ConntrackUsage(count: 3, max: 1000, accounting: false), entries: Self.entries())
        let lines = listing.text().split(separator: "\n")
        XCTAssertEqual(lines[0], "tcp 431999 ESTABLISHED src=10.213.0.2 dst=10.213.0.80 sport=41000 dport=80 packets=5 bytes=300 src=10.213.1.5 dst=10.213.0.2 sport=8080 dport=41000 packets=4 bytes=9000 [ASSURED] mark=7 zone=2 nat=dnat")
        XCTAssertEqual(lines[1], "icmpv6 29 src=fd13::1 dst=fd13::2 type=128 code=0 id=9 [UNREPLIED] src=fd13::2 dst=fd13::1 type=129 code=0 id=9 mark=0")
        XCTAssertEqual(lines[2], "2 entries shown in pt-a; 3 in the table of max 1000 (0.3%); accounting off (no counters)")
    }

    func testBadFiltersAreUsageErrors() throws {
        for args in [["--src", "10.0.0.x"], ["--dst", "nope"], ["--port", "70000"], ["--proto", "tcpp"]] {
            let options = try ConntrackFilterOptions.parse(args)
            XCTAssertThrowsError(try options.filter()) { error in
                XCTAssertEqual((error as? CommandFailure)?.code, PlumbExit.usage, "\(args)")
            }
        }
        let ok = try ConntrackFilterOptions.parse(["--src", "10.0.0.0/8", "--port", "53", "--proto", "udp", "--nat"]).filter()
        XCTAssertEqual(ok.description, "--src 10.0.0.0/8 --port 53 --proto udp --nat")
    }

    func testDeletePlanListsEveryEntryAsConntrackD() throws {
        let plan = ConntrackService.plan(deleting: Self.entries(), in: .named("pt-a"), target: "pt-a",
                                         filter: ConntrackFilter(src: IPPrefix("10.213.0.0/16")))
        XCTAssertEqual(plan.label, "conntrack delete pt-a --src 10.213.0.0/16")
        XCTAssertEqual(plan.steps.first?.description.split(separator: "\n"), [
            "(in netns pt-a) conntrack -D -p tcp -s 10.213.0.2 -d 10.213.0.80 --sport 41000 --dport 80 -w 2",
            "(in netns pt-a) conntrack -D -f ipv6 -p icmpv6 -s fd13::1 -d fd13::2 --icmp-type 128 --icmp-code 0 --icmp-id 9",
        ])
        XCTAssertTrue(plan.inverse.steps.isEmpty)
        let decoded = try JSONDecoder().decode(Plan.self, from: Data(try StreamingJSONEncoder().encode(plan)))
        XCTAssertEqual(decoded.steps, plan.steps)
    }
}
