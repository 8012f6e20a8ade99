import Foundation
import XCTest
@testable import PlumbModel

final class OverlayForwardingPlanTests: XCTestCase {
    let vx = "vx-ov", ns = NamespaceRef.host
    func ip(_ s: String) -> IPAddress { IPAddress(s)! }
    func mac(_ s: String) -> HardwareAddress { HardwareAddress(s)! }

    func testHardwareAddressParsesPrintsAndDerivesFromIPv4() {
        XCTAssertEqual(HardwareAddress("02:50:0A:D5:01:02")?.description, "02:50:0a:d5:01:02")
        XCTAssertNil(HardwareAddress("02:50:0a:d5:01"))
        XCTAssertNil(HardwareAddress("02:50:0a:d5:01:zz"))
        XCTAssertEqual(HardwareAddress.overlayEndpoint(ip("10.213.1.2"))?.description, "02:50:0a:d5:01:02")
        // An IPv6-only overlay: 02:56 and the last four bytes; a clash needs the same last 32 bits.
        XCTAssertEqual(HardwareAddress.overlayEndpoint(ip("fd13::a:2"))?.description, "02:56:00:0a:00:02")
        XCTAssertEqual(HardwareAddress.overlayMACClash(ip("fd13:1::a:2"), among: [ip("fd13::a:2"), ip("fd13::a:3")]), ip("fd13::a:2"))
        XCTAssertNil(HardwareAddress.overlayMACClash(ip("fd13::a:4"), among: [ip("fd13::a:2"), ip("fd13::a:4")]))
        XCTAssertNil(HardwareAddress.overlayMACClash(ip("10.213.1.2"), among: [ip("10.213.1.3")]))
        XCTAssertTrue(HardwareAddress.zero.isZero)
    }

    func testStepsAddWhatIsMissingAndRemoveWhatIsNotWantedRemovalsFirst() {
        let mac2 = HardwareAddress.overlayEndpoint(ip("10.213.1.2"))!, mac3 = HardwareAddress.overlayEndpoint(ip("10.213.1.3"))!
        let want = OverlayForwarding(vteps: [ip("10.213.250.12")],
                                     endpoints: [.init(ip: ip("10.213.1.2"), mac: mac2, vtep: ip("10.213.250.12"))])
        // The kernel still has a dead host's entries, and the wanted broadcast entry already.
        let current = OverlayDeviceState(
            forwarding: [OverlayFdbEntry(mac: .zero, dst: ip("10.213.250.12")), OverlayFdbEntry(mac: .zero, dst: ip("10.213.250.13")),
                         OverlayFdbEntry(mac: mac3, dst: ip("10.213.250.13"))],
            neighbors: [ip("10.213.1.3"): mac3])
        XCTAssertEqual(want.steps(from: current, link: vx, in: ns).map(\.description), [
            "ip neigh del 10.213.1.3 dev vx-ov",
            "bridge fdb del 00:00:00:00:00:00 dev vx-ov dst 10.213.250.13 self",
            "bridge fdb del 02:50:0a:d5:01:03 dev vx-ov dst 10.213.250.13 self",
            "bridge fdb replace 02:50:0a:d5:01:02 dev vx-ov dst 10.213.250.12 self permanent",
            "ip neigh replace 10.213.1.2 lladdr 02:50:0a:d5:01:02 dev vx-ov nud permanent",
        ])
        // In line: nothing to do.
        let done = OverlayDeviceState(forwarding: want.forwardingEntries, neighbors: [ip("10.213.1.2"): mac2])
        XCTAssertEqual(want.steps(from: done, link: vx, in: ns), [])
    }

    func testAnEndpointThatMovedHostGetsItsEntryReplaced() {
        let mac = HardwareAddress.overlayEndpoint(ip("10.213.1.2"))!
        let want = OverlayForwarding(vteps: [ip("10.213.250.12"), ip("10.213.250.13")],
                                     endpoints: [.init(ip: ip("10.213.1.2"), mac: mac, vtep: ip("10.213.250.13"))])
        let current = OverlayDeviceState(forwarding: [OverlayFdbEntry(mac: .zero, dst: ip("10.213.250.12")),
                                                      OverlayFdbEntry(mac: .zero, dst: ip("10.213.250.13")),
                                                      OverlayFdbEntry(mac: mac, dst: ip("10.213.250.12"))],
                                         neighbors: [ip("10.213.1.2"): mac])
        XCTAssertEqual(want.steps(from: current, link: vx, in: ns).map(\.description), [
            "bridge fdb del 02:50:0a:d5:01:02 dev vx-ov dst 10.213.250.12 self",
            "bridge fdb replace 02:50:0a:d5:01:02 dev vx-ov dst 10.213.250.13 self permanent",
        ])
    }

    func testOverlayStepsInvertAndRoundTripThroughJSON() throws {
        let steps: [PlanStep] = [
            .createOverlayVxlan(name: vx, vni: 42, local: ip("10.213.250.11"), port: 4789, parent: "eth1", mtu: 1450, in: .named("pt-h")),
            .setLinkMAC(link: "eth0", mac: mac("02:50:0a:d5:01:02"), in: .named("pt-c")),
            .addVxlanForwarding(mac: .zero, link: vx, dst: ip("10.213.250.12"), in: .named("pt-h")),
            .addNeighbor(ip: ip("10.213.1.2"), mac: mac("02:50:0a:d5:01:02"), link: vx, in: .named("pt-h")),
        ]
        XCTAssertEqual(steps.map(\.description), [
            "ip -n pt-h link add vx-ov mtu 1450 type vxlan id 42 local 10.213.250.11 dstport 4789 dev eth1 nolearning proxy",
            "ip -n pt-c link set eth0 address 02:50:0a:d5:01:02",
            "bridge -n pt-h fdb append 00:00:00:00:00:00 dev vx-ov dst 10.213.250.12 self permanent",
            "ip -n pt-h neigh replace 10.213.1.2 lladdr 02:50:0a:d5:01:02 dev vx-ov nud permanent",
        ])
        let plan = Plan(operation: .overlaySync(network: "ov"), steps: steps)
        XCTAssertEqual(plan.label, "agent sync ov")
        XCTAssertEqual(plan.inverse.steps.map(\.description), [
            "ip -n pt-h neigh del 10.213.1.2 dev vx-ov",
            "bridge -n pt-h fdb del 00:00:00:00:00:00 dev vx-ov dst 10.213.250.12 self",
            "ip -n pt-h link del vx-ov",
        ])
        let back = try JSONDecoder().decode([PlanStep].self, from: JSONEncoder().encode(steps))
        XCTAssertEqual(back, steps)
        XCTAssertEqual(PlanOperation(legacyLabel: "agent sync ov"), .other("agent sync ov"), "new operations are journaled typed, never by label")
    }

    /// The overlay steps held their addresses and MACs as text before they became values: a plan journaled then
    /// (the exact JSON, an upper-case MAC included) decodes to the same steps and encodes back to the same JSON,
    /// and a journal line whose text is not an address fails to decode instead of reaching the kernel.
    func testOverlayPlansJournaledWithTextStillDecode() throws {
        let h = #"{"kind":"named","name":"pt-h"}"#
        let old = #"{"operation":"agent sync ov","steps":["#
            + #"{"createOverlayVxlan":{"name":"vx-ov","vni":42,"local":"10.213.250.11","port":4789,"parent":"eth1","mtu":1450,"in":\#(h)}},"#
            + #"{"setLinkMAC":{"link":"eth0","mac":"02:50:0A:D5:01:02","in":{"kind":"named","name":"pt-c"}}},"#
            + #"{"addVxlanForwarding":{"mac":"00:00:00:00:00:00","link":"vx-ov","dst":"10.213.250.12","in":\#(h)}},"#
            + #"{"deleteVxlanForwarding":{"mac":"02:50:0a:d5:01:03","link":"vx-ov","dst":"fd13::12","in":\#(h)}},"#
            + #"{"addNeighbor":{"ip":"10.213.1.2","mac":"02:50:0a:d5:01:02","link":"vx-ov","in":\#(h)}},"#
            + #"{"deleteNeighbor":{"ip":"10.213.1.3","mac":"02:50:0a:d5:01:03","link":"vx-ov","in":\#(h)}}]}"#
        let plan = try JSONDecoder().decode(Plan.self, from: Data(old.utf8))
        let home = NamespaceRef.named("pt-h")
        XCTAssertEqual(plan.steps, [
            .createOverlayVxlan(name: vx, vni: 42, local: ip("10.213.250.11"), port: 4789, parent: "eth1", mtu: 1450, in: home),
            .setLinkMAC(link: "eth0", mac: mac("02:50:0a:d5:01:02"), in: .named("pt-c")),
            .addVxlanForwarding(mac: .zero, link: vx, dst: ip("10.213.250.12"), in: home),
            .deleteVxlanForwarding(mac: mac("02:50:0a:d5:01:03"), link: vx, dst: ip("fd13::12"), in: home),
            .addNeighbor(ip: ip("10.213.1.2"), mac: mac("02:50:0a:d5:01:02"), link: vx, in: home),
            .deleteNeighbor(ip: ip("10.213.1.3"), mac: mac("02:50:0a:d5:01:03"), link: vx, in: home),
        ])
        // Re-encoded, each step is the same JSON object (the MAC in the lower case Plumb always wrote).
        let again = try JSONSerialization.jsonObject(with: JSONEncoder().encode(plan)) as? [String: Any]
        let before = try JSONSerialization.jsonObject(with: Data(old.replacingOccurrences(of: "0A:D5", with: "0a:d5").utf8)) as? [String: Any]
        XCTAssertEqual(again?["steps"] as? NSArray, before?["steps"] as? NSArray)

        for bad in [#"{"addNeighbor":{"ip":"10.213.1","mac":"02:50:0a:d5:01:02","link":"vx-ov","in":\#(h)}}"#,
                    #"{"setLinkMAC":{"link":"eth0","mac":"02:50:0a:d5:01","in":\#(h)}}"#,
                    #"{"createOverlayVxlan":{"name":"vx-ov","vni":42,"local":"","port":4789,"in":\#(h)}}"#] {
            XCTAssertThrowsError(try JSONDecoder().decode(PlanStep.self, from: Data(bad.utf8)), bad)
        }
    }
}
