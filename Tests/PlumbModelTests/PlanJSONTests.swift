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

    /// Addresses, destinations and gateways became values; a plan journaled when they were text (the previous
    /// version's exact form, including a host route written without its /32) decodes to the same steps and
    /// encodes back to the same JSON.
    func testPlansJournaledWithAddressTextStillDecode() throws {
        let old = #"{"operation":"net connect web pt-a","steps":["#
            + #"{"createVxlan":{"name":"vx-ov","vni":42,"remote":"10.213.2.2","port":4789,"parent":"eth0","mtu":1450,"in":{"kind":"host"}}},"#
            + #"{"addAddress":{"cidr":"10.213.0.2/24","link":"eth0","in":{"kind":"path","path":"/proc/42/ns/net"}}},"#
            + #"{"addAddress":{"cidr":"fd13::2/64","link":"eth0","in":{"kind":"path","path":"/proc/42/ns/net"}}},"#
            + #"{"addRoute":{"dst":"default","gateway":"10.213.0.1","link":"eth0","in":{"kind":"path","path":"/proc/42/ns/net"}}},"#
            + #"{"addRoute":{"dst":"10.213.117.50/32","link":"plumbshim2","in":{"kind":"host"}}},"#
            + #"{"deleteRoute":{"dst":"10.213.110.3","gateway":"fd13::1","link":"eth0","in":{"kind":"named","name":"pt-a"}}}]}"#
        let plan = try JSONDecoder().decode(Plan.self, from: Data(old.utf8))
        let sandbox = NamespaceRef.path("/proc/42/ns/net")
        XCTAssertEqual(plan.steps, [
            .createVxlan(name: "vx-ov", vni: 42, local: nil, remote: IPAddress("10.213.2.2"), port: 4789, parent: "eth0",
                         mtu: 1450, in: .host),
            .addAddress(cidr: try IPPrefix.parse("10.213.0.2/24"), link: "eth0", in: sandbox),
            .addAddress(cidr: try IPPrefix.parse("fd13::2/64"), link: "eth0", in: sandbox),
            .addRoute(dst: .default, gateway: IPAddress("10.213.0.1"), link: "eth0", in: sandbox),
            .addRoute(dst: .prefix(try IPPrefix.parse("10.213.117.50/32")), gateway: nil, link: "plumbshim2", in: .host),
            .deleteRoute(dst: .prefix(IPPrefix(host: try IPAddress.parse("10.213.110.3"))), gateway: IPAddress("fd13::1"),
                         link: "eth0", in: .named("pt-a")),
        ])
        // Re-encoded, each step is the same JSON object (the bare host route now spelled with its /32).
        let again = try JSONSerialization.jsonObject(with: JSONEncoder().encode(plan)) as? [String: Any]
        let before = try JSONSerialization.jsonObject(with: Data(old.replacingOccurrences(of: #""10.213.110.3""#, with: #""10.213.110.3/32""#).utf8)) as? [String: Any]
        XCTAssertEqual(again?["steps"] as? NSArray, before?["steps"] as? NSArray)
        XCTAssertEqual(plan.steps.map(\.description)[3], "nsenter --net=/proc/42/ns/net ip route add default via 10.213.0.1 dev eth0")
    }

    func testRouteDestinationText() {
        XCTAssertEqual(RouteDestination("default"), .default)
        XCTAssertEqual(RouteDestination("fd13::/64")?.description, "fd13::/64")
        XCTAssertEqual(RouteDestination("10.0.0.1")?.description, "10.0.0.1/32")
        XCTAssertNil(RouteDestination("nowhere"))
        XCTAssertThrowsError(try JSONDecoder().decode(RouteDestination.self, from: Data(#""10.0.0.0/33""#.utf8)))
    }

    func testUnknownKindIsAnError() {
        XCTAssertThrowsError(try JSONDecoder().decode(NamespaceHandle.self, from: Data(#"{"kind":"moon"}"#.utf8)))
        XCTAssertThrowsError(try JSONDecoder().decode(NamespaceHandle.self, from: Data(#"{}"#.utf8)))
    }
}
