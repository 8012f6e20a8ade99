import Foundation
import XCTest
@testable import PlumbKernel
import PlumbModel

/// The netlink readers fed with dumps recorded from a real kernel (Fixtures/netlink/<scenario>: the raw answer
/// messages of each dump, and what `ip -j` printed for the same namespace at recording time), without root.
/// NetlinkRecordingTests (integration, root) records them and checks that replay equals the live socket.
final class RecordedNetlinkDumpTests: XCTestCase {
    private func fixture(_ scenario: String, _ name: String) throws -> Data {
        try Data(contentsOf: Bundle.module.resourceURL!.appendingPathComponent("Fixtures/netlink/\(scenario)/\(name)"))
    }

    private func recorded(_ scenario: String) throws -> RecordedNetlinkDump {
        RecordedNetlinkDump(linkMessages: [UInt8](try fixture(scenario, "links.bin")),
                            addressMessages: [UInt8](try fixture(scenario, "addresses.bin")),
                            routeMessages: [UInt8](try fixture(scenario, "routes.bin")),
                            neighbourMessages: [UInt8](try fixture(scenario, "neighbours.bin")))
    }

    private func ipJSON(_ scenario: String, _ name: String) throws -> [[String: Any]] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: try fixture(scenario, "\(name).json")) as? [[String: Any]])
    }

    func testLinksMatchWhatIpPrinted() throws {
        let dump = try NetlinkDumper.dump(try recorded("bridge-veth"))
        let links = dump.links.map(\.link)
        let printed = try ipJSON("bridge-veth", "ip-link")
        XCTAssertEqual(links.map(\.name), printed.map { $0["ifname"] as? String })
        let byIndex = Dictionary(uniqueKeysWithValues: links.map { ($0.index, $0) })
        for p in printed {
            let l = try XCTUnwrap(byIndex[try XCTUnwrap(p["ifindex"] as? Int)])
            XCTAssertEqual(l.mtu, p["mtu"] as? Int, l.name)
            XCTAssertEqual(l.mac, p["address"] as? String, l.name)
            XCTAssertEqual(l.master.flatMap { byIndex[$0.index]?.name }, p["master"] as? String, l.name)
            let kind = (p["linkinfo"] as? [String: Any])?["info_kind"] as? String
            XCTAssertEqual(l.kind, kind.map { LinkKind($0) } ?? .loopback, l.name)
            XCTAssertEqual(l.flags.contains("up"), (p["flags"] as? [String])?.contains("UP"), l.name)
        }
        // The veth pairs know their peers (IFLA_LINK) and the bridge ports their STP state.
        XCTAssertEqual(dump.links.filter { $0.link.kind == .veth }.count, 4)
        XCTAssertTrue(dump.links.filter { $0.link.kind == .veth }.allSatisfy { $0.lowerIndex != nil })
        XCTAssertEqual(links.filter { $0.bridgePort?.state == "forwarding" }.count, 2)
    }

    func testAddressesMatchWhatIpPrinted() throws {
        let links = try NetlinkDumper.dump(try recorded("bridge-veth")).links.map(\.link)
        for p in try ipJSON("bridge-veth", "ip-addr") {
            let name = try XCTUnwrap(p["ifname"] as? String)
            let printed = (p["addr_info"] as? [[String: Any]] ?? []).map { "\($0["local"]!)/\($0["prefixlen"]!)" }
            XCTAssertEqual(links.first { $0.name == name }?.addresses.map(\.description).sorted(), printed.sorted(), name)
        }
        XCTAssertTrue(links.contains { $0.addresses == [IPPrefix("10.213.90.1/24")!] })
    }

    func testRoutesAndNeighboursMatchWhatIpPrinted() throws {
        let dump = try NetlinkDumper.dump(try recorded("bridge-veth"))
        let printed = try ipJSON("bridge-veth", "ip-route")
        // `ip route show table all` lists the same routes (it hides none that the dump carries here).
        XCTAssertEqual(dump.routes.count, printed.count)
        for p in printed {
            // ip leaves out what is usual (a host route's /32, table main, type unicast); the model spells it out.
            var dst = try XCTUnwrap(p["dst"] as? String)
            if dst != "default" && !dst.contains("/") { dst += dst.contains(":") ? "/128" : "/32" }
            let table = p["table"] as? String ?? "main", type = p["type"] as? String ?? "unicast"
            let match = dump.routes.first {
                $0.destinationText == dst && $0.tableName == table && $0.type == type && $0.dev == p["dev"] as? String
            }
            XCTAssertNotNil(match, "route \(p) was not read")
            XCTAssertEqual(match?.gateway, (p["gateway"] as? String).flatMap(IPAddress.init), dst)
            XCTAssertEqual(match?.prefsrc, (p["prefsrc"] as? String).flatMap(IPAddress.init), dst)
        }
        let neigh = try ipJSON("bridge-veth", "ip-neigh")
        // `ip neigh show` hides NOARP entries (the multicast 224.0.0.22 the kernel adds); the model keeps them.
        XCTAssertEqual(dump.neighbors.filter { !$0.state.contains("noarp") }.map(\.ip).sorted(),
                       neigh.compactMap { ($0["dst"] as? String).flatMap(IPAddress.init) }.sorted())
        XCTAssertEqual(dump.neighbors.first { $0.ip == IPAddress("10.213.90.9") }?.mac, "02:00:00:00:00:09")
    }
}
