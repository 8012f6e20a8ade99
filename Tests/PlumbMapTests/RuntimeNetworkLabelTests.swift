import XCTest
import PlumbModel
@testable import PlumbMap

/// Buses named after the runtime network they are (`Snapshot.runtimeNetworks`), on a generated host whose
/// bridges br-00…br-02 carry 10.213.0-2.0/24 and are masqueraded by hand (no tool's chains name them).
final class RuntimeNetworkLabelTests: XCTestCase {
    func bus(_ name: String, networks: [RuntimeNetwork]) throws -> MapNode {
        var snap = MapFixtures.generated(containers: 3, bridges: 3)
        snap.runtimeNetworks = networks
        return try XCTUnwrap(HostMapBuilder.build(snap).nodes.first { $0.kind == .bus && $0.name == name })
    }

    func testAConfigNamingTheBridgeNamesTheBusAndGivesItsRuntime() throws {
        let n = RuntimeNetwork(runtime: .podman, name: "front", id: "7c1e", bridge: "br-01", source: "/etc/containers/networks/front.json")
        let b = try bus("br-01", networks: [n])
        XCTAssertEqual(b.owner, BusOwner(kind: .podman, network: "front", networkID: "7c1e",
                                         evidence: "its containers; network named in /etc/containers/networks/front.json"))
        XCTAssertEqual(b.title, "podman: front (br-01)", "the network first, the device still there")
        XCTAssertNil(b.ownerWords, "the title already says who owns it")
    }

    func testADockerNetworkWithItsOwnBridgeNameIsFoundByItsSubnet() throws {
        let n = RuntimeNetwork(runtime: .docker, name: "shop", id: "1a2b3c4d5e6f99", subnets: [IPPrefix("10.213.2.0/24")!],
                               source: "/var/lib/docker/containers/aa11/config.v2.json")
        XCTAssertEqual(try bus("br-02", networks: [n]).title, "docker: shop (br-02)")
        XCTAssertEqual(try bus("br-01", networks: [n]).title, "br-01", "another subnet: not that network")
        let twice = [n, RuntimeNetwork(runtime: .docker, name: "other", subnets: n.subnets, source: "x")]
        XCTAssertEqual(try bus("br-02", networks: twice).title, "br-02", "two networks claim the subnet: neither is proven")
    }

    func testDockersNamingSchemesNameTheBus() throws {
        let user = RuntimeNetwork(runtime: .docker, name: "mynet", id: "1a2b3c4d5e6f00112233", source: "c")
        let bridge = RuntimeNetwork(runtime: .docker, name: "bridge", id: "2abb", source: "c")
        XCTAssertEqual(RuntimeNetworkMatch.network(bridge: "br-1a2b3c4d5e6f", subnet: nil, in: [bridge, user]), user)
        XCTAssertEqual(RuntimeNetworkMatch.network(bridge: "docker0", subnet: nil, in: [user, bridge]), bridge)
        XCTAssertNil(RuntimeNetworkMatch.network(bridge: "br-1a2b", subnet: nil, in: [user]), "not Docker's br-<12 hex>")
    }

    func testWithoutANetworkTheBusKeepsItsDeviceNameAndOwnerWords() throws {
        let b = try bus("br-00", networks: [])
        XCTAssertEqual(b.title, "br-00")
        XCTAssertEqual(b.ownerWords, b.owner?.label)
        XCTAssertNotNil(b.ownerWords)
    }

    func testAPlumbNetworkKeepsItsTag() {
        let tagged = BusOwner(kind: .plumb, network: "web", evidence: "rules tagged plumb:web")
        let n = RuntimeNetwork(runtime: .cni, name: "web-cni", bridge: "ptbr0", source: "/etc/cni/net.d/web.conflist")
        XCTAssertEqual(RuntimeNetworkMatch.refine(tagged, with: n), tagged)
    }
}
