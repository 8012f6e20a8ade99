import Foundation
import PlumbModel

/// The snapshots the map is tested on: recorded ones (Fixtures/*.json, `plumb snapshot --json` of a real
/// host, or of the TUI's lab fixture) and generated hosts of any size.
enum MapFixtures {
    /// `name`.json from Fixtures.
    static func recorded(_ name: String) throws -> Snapshot {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "json") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Fixtures/\(name).json"])
        }
        return try JSONDecoder().decode(Snapshot.self, from: Data(contentsOf: url))
    }

    static let hostID: UInt64 = 4026531840

    /// A host with `containers` containers spread over `bridges` Docker-style bridges (`br-NN`,
    /// 10.213.NN.0/24, masqueraded out of eth0), each container with one veth: container `c-BB-KKK` is the
    /// K-th on bridge B. `skip` leaves out the containers named, to test what adding one changes.
    static func generated(containers: Int, bridges: Int, skip: Set<String> = []) -> Snapshot {
        let up = ["up", "broadcast", "multicast", "running", "lower_up"]
        var host = Namespace(id: hostID, device: 4, isHost: true, heldBy: [Holder(kind: .process, pid: 1)], pids: [1])
        host.links = [
            Link(index: 1, name: "lo", kind: "loopback", flags: ["up", "loopback", "running", "lower_up"], operState: "unknown",
                 addresses: [IPPrefix("127.0.0.1/8")!]),
            Link(index: 2, name: "eth0", kind: "device", flags: up, operState: "up", addresses: [IPPrefix("192.168.1.10/24")!]),
        ]
        host.routes = [Route(family: .ipv4, table: 254, tableName: "main", dst: nil, gateway: IPAddress("192.168.1.1"), dev: "eth0", ifindex: 2)]
        var nat: [FirewallRule] = []
        for b in 0..<bridges {
            host.links.append(Link(index: 10 + b, name: String(format: "br-%02d", b), kind: "bridge", flags: up, operState: "up",
                                   addresses: [IPPrefix("10.213.\(b).1/24")!]))
            nat.append(FirewallRule(rule: "-s 10.213.\(b).0/24 ! -o \(String(format: "br-%02d", b)) -j MASQUERADE", target: "MASQUERADE"))
        }
        host.firewall = Firewall(tables: [FirewallTable(family: "ipv4", name: "nat", source: "iptables", chains: [
            FirewallChain(name: "POSTROUTING", policy: "ACCEPT", rules: nat)])])
        var namespaces: [Namespace] = []
        for i in 0..<containers {
            let b = i % bridges, k = i / bridges
            let name = String(format: "c-%02d-%03d", b, k)
            if skip.contains(name) { continue }
            let id = 4026532000 + UInt64(i) * 8
            let hostIndex = 100 + i
            host.links.append(Link(index: hostIndex, name: "veth\(i)", kind: "veth", flags: up, operState: "up",
                                   master: LinkRef(index: 10 + b), peer: RemoteLinkRef(namespace: id, index: 2),
                                   bridgePort: BridgePortInfo(state: "forwarding")))
            var ns = Namespace(id: id, device: 4, heldBy: [Holder(kind: .process, pid: Int32(10_000 + i))], pids: [Int32(10_000 + i)],
                               containers: [Container(runtime: .docker, id: String(format: "%064x", i), name: name, source: "generated")])
            ns.links = [
                Link(index: 1, name: "lo", kind: "loopback", flags: ["up", "loopback"], operState: "unknown", addresses: [IPPrefix("127.0.0.1/8")!]),
                Link(index: 2, name: "eth0", kind: "veth", flags: up, operState: "up", peer: RemoteLinkRef(namespace: hostID, index: hostIndex),
                     addresses: [IPPrefix("10.213.\(b).\(k + 2)/24")!]),
            ]
            namespaces.append(ns)
        }
        return Snapshot(takenAt: 1_795_930_000, namespaces: [host] + namespaces, processes: [], discovery: DiscoveryStats())
    }
}
