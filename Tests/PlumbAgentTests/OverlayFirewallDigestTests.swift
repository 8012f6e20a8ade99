import PlumbAgent
import PlumbModel
import XCTest

/// The firewall part of a host summary: filter INPUT and FORWARD and the chains they reach, nothing else, and
/// nothing at all over the limit (a partial chain would give a remote trace a wrong verdict).
final class OverlayFirewallDigestTests: XCTestCase {
    static func firewall(forwardRules: Int = 2) -> Firewall {
        let filter = FirewallTable(family: "ipv4", name: "filter", source: "iptables", chains: [
            FirewallChain(name: "INPUT", policy: "ACCEPT", rules: [FirewallRule(rule: "-p udp --dport 4789 -j PT-VX", target: "PT-VX")]),
            FirewallChain(name: "FORWARD", policy: "DROP",
                          rules: (0..<forwardRules).map { FirewallRule(rule: "-i pl-ov -o pl-ov -s 10.213.9.\($0)/32 -j ACCEPT", target: "ACCEPT") }),
            FirewallChain(name: "OUTPUT", policy: "ACCEPT", rules: [FirewallRule(rule: "-j ACCEPT", target: "ACCEPT")]),
            FirewallChain(name: "PT-VX", policy: nil, rules: [FirewallRule(rule: "-s 10.213.250.0/24 -j ACCEPT", target: "ACCEPT")]),
            FirewallChain(name: "PT-UNUSED", policy: nil, rules: [FirewallRule(rule: "-j DROP", target: "DROP")]),
        ])
        let nat = FirewallTable(family: "ipv4", name: "nat", source: "iptables", chains: [FirewallChain(name: "POSTROUTING", policy: "ACCEPT", rules: [])])
        let native = FirewallTable(family: "inet", name: "pt_fw", source: "nft", chains: [])
        return Firewall(tables: [filter, nat, native])
    }

    func testKeepsTheOverlayPathChainsAndNamesNativeTables() throws {
        let d = OverlayFirewallDigest.of(Self.firewall())
        let fw = try XCTUnwrap(d.firewall)
        XCTAssertEqual(fw.tables.map(\.name), ["filter"])
        XCTAssertEqual(fw.tables[0].chains.map(\.name), ["INPUT", "FORWARD", "PT-VX"])
        XCTAssertNil(d.missing)
        XCTAssertEqual(d.nftTables, ["inet pt_fw"])
    }

    func testOverTheLimitNothingIsPublishedAndTheReasonSaysWhy() {
        let d = OverlayFirewallDigest.of(Self.firewall(forwardRules: 300))
        XCTAssertNil(d.firewall)
        XCTAssertEqual(d.missing, "302 rules on the overlay path, more than the summary keeps (256)")
    }

    func testAFirewallNotFullyReadIsNotPublished() {
        var fw = Self.firewall()
        fw.notes = ["iptables-save not installed"]
        XCTAssertNil(OverlayFirewallDigest.of(fw).firewall)
        XCTAssertTrue(OverlayFirewallDigest.of(fw).missing?.contains("not fully read") == true)
    }
}
