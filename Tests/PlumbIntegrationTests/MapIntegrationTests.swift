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
}
