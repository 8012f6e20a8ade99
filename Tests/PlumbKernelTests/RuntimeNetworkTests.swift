import XCTest
@testable import PlumbKernel
import PlumbModel

/// The networks runtimes define, read from their files (Fixtures/containers/networks): Docker's from its
/// containers' configs, CNI's conflists (Podman's among them), netavark's network files.
final class RuntimeNetworkTests: XCTestCase {
    let shopID = "1a2b3c4d5e6f00112233445566778899aabbccddeeff00112233445566778899"

    func root() -> String {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/containers/networks").path
    }

    func networks() -> [RuntimeNetwork] {
        let ns = NamespaceEvidence(id: 1, paths: ["/run/docker/netns/aa11aa11aa11"])
        return ContainerAttributor(root: root()).attribution([ns], explain: false).networks
    }

    func testDockerNetworksComeFromTheContainersConfigsWithTheirEndpointsSubnets() throws {
        let docker = networks().filter { $0.runtime == .docker }
        XCTAssertEqual(docker.map(\.name), ["bridge", "host", "shop"], "sorted by name, each network once")
        let shop = try XCTUnwrap(docker.first { $0.name == "shop" })
        XCTAssertEqual(shop.id, shopID)
        XCTAssertEqual(shop.subnets.map(\.description), ["10.213.50.0/24"], "the running endpoint's subnet; the stopped one has no address")
        XCTAssertNil(shop.bridge, "a container's config does not name the bridge")
        XCTAssertEqual(shop.source, "/var/lib/docker/containers/aa11/config.v2.json")
        XCTAssertEqual(docker.first { $0.name == "bridge" }?.subnets.map(\.description), ["172.17.0.0/16"])
        XCTAssertEqual(docker.first { $0.name == "host" }?.subnets, [])
    }

    func testCNIConfigsNameTheirBridgeAndSubnetsAndPodmansAreTold() {
        let cni = networks().filter { $0.source.hasPrefix("/etc/cni/") }
        XCTAssertEqual(cni.map(\.name), ["k8s-pod-network", "labelled", "front"], "file order; broken, loopback-only and non-config files skipped")
        XCTAssertEqual(cni.map(\.bridge), ["cbr0", "lab0", "cni-podman1"])
        XCTAssertEqual(cni.map(\.runtime), [.cni, .podman, .podman], "cni-podmanN and podman_ args are Podman's")
        XCTAssertEqual(cni.map { $0.subnets.map(\.description) }, [["10.213.52.0/24"], ["10.213.53.0/24", "fd13::/64"], ["10.213.51.0/24"]],
                       "a .conf's ipam.subnet, a conflist's ranges, canonical")
    }

    func testNetavarkNetworkFilesNameTheirInterfaceAndOnlyBridgesCount() {
        let netavark = networks().filter { $0.source.hasPrefix("/etc/containers/") }
        XCTAssertEqual(netavark, [RuntimeNetwork(runtime: .podman, name: "back", id: "7c1e3d5f9a2b4c6d8e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d",
                                                 bridge: "podman2", subnets: [IPPrefix("10.213.54.0/24")!],
                                                 source: "/etc/containers/networks/back.json")],
                       "the macvlan network has no bridge of its own")
    }

    func testConfigsAreReadWithNoNamespaceToAttribute() {
        let found = ContainerAttributor(root: root()).attribution([], explain: false).networks
        XCTAssertEqual(found.map(\.name), ["k8s-pod-network", "labelled", "front", "back"])
    }
}
