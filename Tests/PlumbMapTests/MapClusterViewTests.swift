import PlumbMap
import PlumbModel
import XCTest

/// The cluster store's view added to a host's map: remote VTEPs named by host, remote endpoints as their own
/// node kind hosted on their host's VTEP, a tunnel the FDB lacks added as unknown, and nothing added without it.
final class MapClusterViewTests: XCTestCase {
    /// The generated host with a cluster overlay's VXLAN device on br-00 whose FDB reaches node-b only.
    static func overlayHost() -> Snapshot {
        var snap = MapFixtures.generated(containers: 2, bridges: 1)
        var vx = Link(index: 50, name: "vx-ov", kind: "vxlan", flags: ["up", "running", "lower_up"], operState: "unknown",
                      master: LinkRef(index: 10), vxlan: VxlanInfo(vni: 4343, local: IPAddress("10.213.250.11"), port: 4789))
        vx.vxlan?.fdbRemotes = [IPAddress("10.213.250.12")!]
        snap.namespaces[0].links.append(vx)
        return snap
    }

    static let cluster = MapClusterView(me: "node-a", overlays: [.init(
        network: "ov", vni: 4343,
        vteps: [.init(host: "node-a", underlay: "10.213.250.11"), .init(host: "node-b", underlay: "10.213.250.12"),
                .init(host: "node-c", underlay: "10.213.250.13")],
        endpoints: [.init(host: "node-a", address: "10.213.0.2", name: "c-00-000"),
                    .init(host: "node-b", address: "10.213.0.9", name: "web", ifname: "eth0"),
                    .init(host: "node-d", address: "10.213.0.7")])])

    func testRemoteVTEPsAndEndpointsAreAddedWithTheirHosts() throws {
        let local = HostMapBuilder.build(Self.overlayHost())
        let map = local.adding(Self.cluster)
        // What was there stays, in its order.
        XCTAssertEqual(Array(map.nodes.prefix(local.nodes.count)).map(\.id), local.nodes.map(\.id))
        let b = try XCTUnwrap(map.node("remote:10.213.250.12"))
        XCTAssertEqual(b.name, "node-b")
        XCTAssertEqual(b.host, "node-b")
        let web = try XCTUnwrap(map.node("remote-endpoint:ov:10.213.0.9"))
        XCTAssertEqual(web.kind, .remoteEndpoint)
        XCTAssertEqual(web.name, "web")
        XCTAssertEqual(web.host, "node-b")
        XCTAssertEqual(map.edges(of: web.id).map(\.to), ["remote:10.213.250.12"])
        // node-c is in the store but not in the FDB: its tunnel is added, state unknown, saying so.
        let c = try XCTUnwrap(map.edges.first { $0.kind == .tunnel && $0.to == "remote:10.213.250.13" })
        XCTAssertEqual(c.state, .unknown)
        XCTAssertTrue(c.label?.contains("not in the FDB") == true)
        XCTAssertEqual(map.edges.filter { $0.kind == .tunnel && $0.to == "remote:10.213.250.12" }.count, 1, "the FDB's tunnel is not doubled")
        // node-d has no live VTEP: its endpoint hangs from a host node that says so; this host's own endpoint is not remote.
        XCTAssertEqual(map.edges(of: "remote-endpoint:ov:10.213.0.7").map(\.to), ["remote-host:node-d"])
        XCTAssertNil(map.node("remote-endpoint:ov:10.213.0.2"))
        // The picture lists them.
        let text = MapLayout.layout(map, options: MapLayoutOptions(width: 120)).text()
        XCTAssertTrue(text.contains("remote endpoints (cluster store)"), text)
        XCTAssertTrue(text.contains("web 10.213.0.9 eth0 on node-b · ov · remote VTEP 10.213.250.12"), text)
    }

    func testAnOverlayOfAnotherVNIOrNoStoreChangesNothing() {
        let local = HostMapBuilder.build(Self.overlayHost())
        var other = Self.cluster
        other.overlays[0].vni = 9
        XCTAssertEqual(local.adding(other), local)
        XCTAssertFalse(MapLayout.layout(local, options: MapLayoutOptions(width: 120)).text().contains("remote endpoints"))
    }
}
