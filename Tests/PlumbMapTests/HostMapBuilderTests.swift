import XCTest
import PlumbModel
@testable import PlumbMap

final class HostMapBuilderTests: XCTestCase {
    func testGeneratedHostHasAnUplinkTenBusesAndAPortPerContainer() {
        let map = HostMapBuilder.build(MapFixtures.generated(containers: 100, bridges: 10))
        XCTAssertEqual(map.nodes.filter { $0.kind == .uplink }.map(\.name), ["eth0"])
        let buses = map.nodes.filter { $0.kind == .bus }
        XCTAssertEqual(buses.map(\.name), (0..<10).map { String(format: "br-%02d", $0) })
        XCTAssertEqual(buses.first?.subnet?.description, "10.213.0.0/24")
        XCTAssertEqual(buses.first?.gateway?.description, "10.213.0.1")
        XCTAssertEqual(map.edges.filter { $0.kind == .port }.count, 100)
        XCTAssertEqual(map.edges.filter { $0.kind == .nat }.count, 10, "each subnet is masqueraded out of eth0")
        XCTAssertEqual(buses.first?.owner?.kind, .docker, "no tool's rules: the runtime of its containers")
        XCTAssertTrue(map.aside.isEmpty, "\(map.aside)")
    }

    func testTheSameSnapshotGivesTheSameMapAndANewContainerOnlyAddsItsOwnNodeAndEdge() {
        let full = HostMapBuilder.build(MapFixtures.generated(containers: 40, bridges: 4))
        XCTAssertEqual(full, HostMapBuilder.build(MapFixtures.generated(containers: 40, bridges: 4)))
        let less = HostMapBuilder.build(MapFixtures.generated(containers: 40, bridges: 4, skip: ["c-02-005"]))
        let added = Set(full.nodes.map(\.id)).subtracting(less.nodes.map(\.id))
        XCTAssertEqual(added.count, 1)
        XCTAssertEqual(full.nodes.filter { !added.contains($0.id) }, less.nodes)
        XCTAssertEqual(full.edges.filter { !added.contains($0.from) }, less.edges)
    }

    func testTheLabHostsBusesOwnersNATTunnelsMacvlanAndAside() throws {
        let map = HostMapBuilder.build(try MapFixtures.recorded("lab-host"))
        let bus = { (name: String) in map.nodes.first { $0.kind == .bus && $0.name == name } }
        XCTAssertEqual(bus("docker0")?.owner?.kind, .docker)
        XCTAssertEqual(bus("docker0")?.owner?.network, "bridge")
        XCTAssertEqual(bus("cni-podman0")?.owner?.kind, .podman)
        XCTAssertEqual(bus("eth0")?.busKind, .macvlan, "eth0 is the parent of macvlan children")
        XCTAssertEqual(map.edges(of: bus("docker0")!.id).filter { $0.kind == .port }.count, 4)
        let tunnel = try XCTUnwrap(map.edges.first { $0.kind == .tunnel })
        XCTAssertEqual(tunnel.to, "remote:192.168.1.20")
        XCTAssertTrue(map.aside.contains { $0.name == "pt-leak" && $0.reason.contains("no process") }, "\(map.aside)")
        let down = map.edges.filter { $0.kind == .port && $0.state != .up }
        XCTAssertFalse(down.isEmpty, "the fixture's down veths are coloured")
    }

    func testOwnershipFromFirewallRules() {
        let docker = BusOwnership(firewall: Self.firewall("-o br-5f1c9a7e2b41 -j DOCKER", chain: "DOCKER-BRIDGE"))
        XCTAssertEqual(docker.owner(of: "br-5f1c9a7e2b41", subnet: nil, portRuntimes: []),
                       BusOwner(kind: .docker, network: "5f1c9a7e2b41", evidence: "Docker's chains name it"))
        let plumb = BusOwnership(firewall: Self.firewall("-i ptweb -m comment --comment \"plumb:web\" -j ACCEPT", chain: "PLUMB-FORWARD"))
        XCTAssertEqual(plumb.owner(of: "ptweb", subnet: nil, portRuntimes: []).network, "web")
        let cni = BusOwnership(firewall: Self.firewall(
            "-s 10.22.0.5/32 -m comment --comment \"name: \\\"cbr0\\\" id: \\\"7a4c\\\"\" -j CNI-0d9b8e3ab63f1a7c3e6a5b4f", chain: "POSTROUTING"))
        let o = cni.owner(of: "cni0", subnet: IPPrefix("10.22.0.0/16"), portRuntimes: [])
        XCTAssertEqual(o.kind, .cni)
        XCTAssertEqual(o.network, "cbr0")
        XCTAssertEqual(BusOwnership(firewall: Firewall()).owner(of: "br0", subnet: nil, portRuntimes: []).kind, .manual)
        XCTAssertEqual(BusOwnership(firewall: Firewall()).owner(of: "lxcbr0", subnet: nil, portRuntimes: []).kind, .lxc)
    }

    func testMasqueradeThroughAJumpTakesTheJumpsSource() {
        let fw = Firewall(tables: [FirewallTable(family: "ipv4", name: "nat", source: "iptables", chains: [
            FirewallChain(name: "POSTROUTING", policy: "ACCEPT", rules: [
                FirewallRule(rule: "-s 10.88.0.0/16 -j NETAVARK-1D8721804F16F"),
                FirewallRule(rule: "-s 172.17.0.0/16 ! -o docker0 -j MASQUERADE")]),
            FirewallChain(name: "NETAVARK-1D8721804F16F", rules: [
                FirewallRule(rule: "-d 10.88.0.0/16 -j ACCEPT"), FirewallRule(rule: "! -d 224.0.0.0/4 -j MASQUERADE")]),
        ])])
        let rules = MasqueradeRule.find(in: fw)
        XCTAssertEqual(rules.map(\.source.description), ["10.88.0.0/16", "172.17.0.0/16"])
        XCTAssertTrue(rules[1].applies(to: "eth0"))
        XCTAssertFalse(rules[1].applies(to: "docker0"))
    }

    func testFocusKeepsTheTargetsBusesAndNeighboursOnly() {
        let snap = MapFixtures.generated(containers: 30, bridges: 3)
        let map = HostMapBuilder.build(snap)
        let target = snap.namespaces.first { $0.containers.first?.name == "c-01-002" }!
        let focused = map.focused(on: target.id, isHost: false)
        XCTAssertEqual(focused.nodes.filter { $0.kind == .bus }.map(\.name), ["br-01"])
        XCTAssertEqual(focused.nodes.filter { $0.kind == .namespace }.count, 10)
        XCTAssertEqual(focused.nodes.filter { $0.kind == .uplink }.count, 1, "the uplink its bus is NATed to")
        XCTAssertEqual(map.focused(on: MapFixtures.hostID, isHost: true), map)
    }

    static func firewall(_ rule: String, chain: String) -> Firewall {
        Firewall(tables: [FirewallTable(family: "ipv4", name: "filter", source: "iptables", chains: [
            FirewallChain(name: chain, rules: [FirewallRule(rule: rule)])])])
    }
}
