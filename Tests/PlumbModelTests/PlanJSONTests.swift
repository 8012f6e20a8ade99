import Foundation
import XCTest
import PlumbModel

/// Plans carry namespace handles in their documented form; journals written in the synthesized form still decode.
final class PlanJSONTests: XCTestCase {
    func testStepsCarryTheDocumentedHandleForm() throws {
        let plan = Plan(operation: .nsAdd(name: "uxc"), steps: [.createNamespace(name: "uxc"), .setUp(link: "lo", in: .named("uxc"))])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys  // Foundation's encoder keeps no key order otherwise
        let text = String(decoding: try encoder.encode(plan), as: UTF8.self)
        XCTAssertTrue(text.contains(#""in":{"kind":"named","name":"uxc"}"#), text)
        XCTAssertFalse(text.contains("_0"), text)
        XCTAssertEqual(try JSONDecoder().decode(Plan.self, from: Data(text.utf8)), plan)
    }

    func testJournalsInTheSynthesizedFormStillDecode() throws {
        let old = #"{"operation":"ns add uxc","steps":[{"createVeth":{"name":"v0","peer":"eth0","in":{"host":{}},"peerIn":{"named":{"_0":"uxc"}}}},{"setUp":{"link":"eth0","in":{"path":{"_0":"/proc/7/ns/net"}}}}]}"#
        let plan = try JSONDecoder().decode(Plan.self, from: Data(old.utf8))
        XCTAssertEqual(plan.steps, [.createVeth(name: "v0", peer: "eth0", mtu: nil, in: .host, peerIn: .named("uxc")),
                                    .setUp(link: "eth0", in: .path("/proc/7/ns/net"))])
    }

    func testUnknownKindIsAnError() {
        XCTAssertThrowsError(try JSONDecoder().decode(NamespaceHandle.self, from: Data(#"{"kind":"moon"}"#.utf8)))
        XCTAssertThrowsError(try JSONDecoder().decode(NamespaceHandle.self, from: Data(#"{}"#.utf8)))
    }
}
