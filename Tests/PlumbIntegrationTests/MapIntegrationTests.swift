import Foundation
import XCTest
import PlumbModel

/// `plumb map` on the real kernel: a VXLAN's forwarding-database entries (read from the neighbour dump's
/// AF_BRIDGE entries) become one tunnel per remote VTEP, next to the device's own remote.
final class MapIntegrationTests: RootTestCase {
    func testEachFDBRemoteOfAVXLANIsATunnelOnTheMap() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let ns = try lab.addNamespace("map")
        let vx = lab.linkName("vx")
        try lab.ip(ns, "link", "add", vx, "type", "vxlan", "id", "77", "dstport", "4789", "local", "10.213.230.1",
                   "remote", "10.213.230.9")
        for dst in ["10.213.230.2", "10.213.230.3"] {
            try Shell.run("bridge", "-n", ns, "fdb", "append", "00:00:00:00:00:00", "dev", vx, "dst", dst)
        }
        let snap = try XCTUnwrap(try Shell.json([CLITests.binary, "snapshot", ns, "--json"]) as? [String: Any])
        let links = ((snap["namespaces"] as? [[String: Any]])?.first { ($0["names"] as? [String])?.contains(ns) ?? false }?["links"]
            as? [[String: Any]]) ?? []
        let vxlan = try XCTUnwrap(links.first { $0["name"] as? String == vx }?["vxlan"] as? [String: Any])
        XCTAssertEqual(vxlan["fdbRemotes"] as? [String], ["10.213.230.2", "10.213.230.3", "10.213.230.9"],
                       "the FDB's destinations (the device's remote has an all-zeros entry of its own)")

        let map = try XCTUnwrap(try Shell.json([CLITests.binary, "map", ns, "--format", "json"]) as? [String: Any])
        let tunnels = ((map["edges"] as? [[String: Any]]) ?? []).filter { $0["kind"] as? String == "tunnel" }
        XCTAssertEqual(Set(tunnels.compactMap { $0["to"] as? String }),
                       ["remote:10.213.230.2", "remote:10.213.230.3", "remote:10.213.230.9"])
        let text = try Shell.run(CLITests.binary, "map", ns, "--width", "100")
        XCTAssertTrue(text.contains("vni 77 ≈≈ 10.213.230.2 (remote VTEP)"), text)
    }
}
