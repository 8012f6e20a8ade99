import Foundation
import XCTest
import PlumbModel

/// `plumb map` on the real kernel: a VXLAN in a test namespace becomes a tunnel to its remote VTEP, in the JSON
/// and in the picture, and the namespace's map keeps only what is around it.
final class MapIntegrationTests: RootTestCase {
    func testAVXLANsRemoteIsATunnelOnTheMap() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let ns = try lab.addNamespace("map")
        let vx = lab.linkName("vx")
        try lab.ip(ns, "link", "add", vx, "type", "vxlan", "id", "77", "dstport", "4789", "local", "10.213.230.1",
                   "remote", "10.213.230.9")
        let map = try XCTUnwrap(try Shell.json([CLITests.binary, "map", ns, "--format", "json"]) as? [String: Any])
        let edges = (map["edges"] as? [[String: Any]]) ?? []
        XCTAssertEqual(edges.filter { $0["kind"] as? String == "tunnel" }.compactMap { $0["to"] as? String },
                       ["remote:10.213.230.9"])
        XCTAssertEqual(edges.count, 1, "only what is around the namespace: \(edges)")
        let text = try Shell.run(CLITests.binary, "map", ns, "--width", "100")
        XCTAssertTrue(text.contains("\(ns):\(vx) ≈≈ vni 77 ≈≈ 10.213.230.9 (remote VTEP)"), text)
    }

    /// The remote VTEPs in a VXLAN's FDB (head-end replication entries and a static MAC) are read from the
    /// kernel into `vxlan.fdbRemotes`, the same list `bridge -j fdb show` gives, and each is a tunnel on the map.
    func testVXLANFDBRemotesAreReadAndDrawnAsTunnels() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let ns = try lab.addNamespace("fdb")
        let vx = lab.linkName("vf")
        try lab.ip(ns, "link", "add", vx, "type", "vxlan", "id", "78", "dstport", "4789", "local", "10.213.231.1", "nolearning")
        let bridge = Shell.path("bridge")
        for (mac, dst, verb) in [("00:00:00:00:00:00", "10.213.231.11", "append"), ("00:00:00:00:00:00", "10.213.231.12", "append"),
                                 ("02:11:22:33:44:55", "10.213.231.13", "add")] {
            _ = try Shell.run("ip", "netns", "exec", ns, bridge, "fdb", verb, mac, "dev", vx, "dst", dst)
        }
        let fdb = (try Shell.json(["ip", "netns", "exec", ns, bridge, "-j", "fdb", "show", "dev", vx]) as? [[String: Any]]) ?? []
        let expected = fdb.compactMap { $0["dst"] as? String }
        XCTAssertEqual(Set(expected), ["10.213.231.11", "10.213.231.12", "10.213.231.13"], "bridge fdb show: \(fdb)")

        let snap = try XCTUnwrap(try Shell.json([CLITests.binary, "snapshot", ns, "--json", "--no-firewall"]) as? [String: Any])
        let links = ((snap["namespaces"] as? [[String: Any]]) ?? []).flatMap { ($0["links"] as? [[String: Any]]) ?? [] }
        let link = try XCTUnwrap(links.first { $0["name"] as? String == vx }, "\(vx) in the snapshot")
        let remotes = (link["vxlan"] as? [String: Any])?["fdbRemotes"] as? [String]
        XCTAssertEqual(remotes.map(Set.init), Set(expected), "fdbRemotes as bridge fdb show lists them: \(link)")
        XCTAssertEqual(remotes?.count, expected.count, "each remote once")

        let map = try XCTUnwrap(try Shell.json([CLITests.binary, "map", ns, "--format", "json"]) as? [String: Any])
        let tunnels = ((map["edges"] as? [[String: Any]]) ?? []).filter { $0["kind"] as? String == "tunnel" }
        XCTAssertEqual(Set(tunnels.compactMap { $0["to"] as? String }), Set(expected.map { "remote:\($0)" }))
    }
}
