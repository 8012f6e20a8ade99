import XCTest
@testable import PlumbTrace
import PlumbModel

/// kube-proxy and the kubelet's hostport chains put the host port in the jump rule and DNAT without a port
/// match further down; `plumb ports` must still show the real host port (not `*`), one mapping per way in.
final class KubeProxyPortTests: XCTestCase {
    func node() throws -> Snapshot {
        var host = Namespace(id: 1, isHost: true, heldBy: [Holder(kind: .process, pid: 1)], pids: [1])
        host.links = [Link(index: 1, name: "lo", kind: "loopback", flags: ["up", "loopback"], addresses: [IPPrefix("127.0.0.1/8")!]),
                      Link(index: 2, name: "eth0", kind: "device", flags: ["up"], addresses: [IPPrefix("192.168.50.10/24")!]),
                      Link(index: 3, name: "cni0", kind: "bridge", flags: ["up"], addresses: [IPPrefix("10.244.0.1/24")!])]
        host.routes = [Route(family: .ipv4, table: 254, tableName: "main", dst: nil, gateway: IPAddress("192.168.50.1"), dev: "eth0")]
        host.firewall = try FixtureFirewall.load("kube-proxy-iptables-save.txt")
        var pods: [Namespace] = []
        for (i, last) in [5, 6, 7].enumerated() {
            var pod = Namespace(id: UInt64(10 + i), names: ["pod\(last)"])
            pod.links = [Link(index: 2, name: "eth0", kind: "veth", flags: ["up"], addresses: [IPPrefix("10.244.0.\(last)/24")!])]
            pods.append(pod)
        }
        return Snapshot(takenAt: 0, namespaces: [host] + pods, processes: [], discovery: DiscoveryStats())
    }

    func testNodePortAndHostPortShowTheirRealHostPorts() throws {
        let ports = PublishedPortFinder.find(try node())
        let byEndpoint = Dictionary(grouping: ports) { "\($0.hostEndpoint) → \($0.targetEndpoint)" }
        XCTAssertEqual(Set(byEndpoint.keys), [
            "*:8080/tcp → 10.244.0.7:80",            // hostPort
            "*:30080/tcp → 10.244.0.5:80", "*:30080/tcp → 10.244.0.6:80",   // NodePort, both endpoints
            "10.96.12.34:80/tcp → 10.244.0.5:80", "10.96.12.34:80/tcp → 10.244.0.6:80",   // the service's cluster IP
        ], "\(ports.map { "\($0.hostEndpoint) → \($0.targetEndpoint)" })")
        XCTAssertFalse(ports.contains { $0.hostPort == nil }, "no port shows as *")
        let hostPort = try XCTUnwrap(byEndpoint["*:8080/tcp → 10.244.0.7:80"]?.first)
        XCTAssertEqual(hostPort.owner, "kubernetes")
        XCTAssertEqual(hostPort.chain, "KUBE-HP-4YVONL46AKYWSKS3")
        XCTAssertEqual(hostPort.targetNamespace, 12)
        XCTAssertEqual(hostPort.reachesTarget, true, "the evaluator walks PREROUTING → KUBE-HOSTPORTS → KUBE-HP-… → DNAT")
        // The last endpoint is where a connection goes when no random choice (-m statistic, which the
        // evaluator cannot decide) takes it earlier: reached; the first is undecidable, never "unreached".
        XCTAssertEqual(byEndpoint["*:30080/tcp → 10.244.0.6:80"]?.first?.reachesTarget, true)
        XCTAssertNil(byEndpoint["*:30080/tcp → 10.244.0.5:80"]?.first?.reachesTarget)
    }

    /// A hand-written DNAT with its own port match is unchanged by the path (its own match wins).
    func testOwnMatchesWinOverThePath() {
        let nat = FirewallTable(family: "ipv4", name: "nat", source: "iptables", chains: [
            FirewallChain(name: "PREROUTING", policy: "ACCEPT", rules: [FirewallRule(rule: "-p tcp -m tcp --dport 9000:9100 -j PT-DNAT")]),
            FirewallChain(name: "PT-DNAT", rules: [FirewallRule(rule: "-p tcp -m tcp --dport 9001 -j DNAT --to-destination 10.213.0.2:80"),
                                                   FirewallRule(rule: "-j DNAT --to-destination 10.213.0.3")]),
        ])
        let reached = PublishedPortFinder.dnatRules(reachableFrom: "PREROUTING", in: nat)
        XCTAssertEqual(reached.map { "\($0.path.proto ?? "-") \($0.path.ports.map { "\($0.lowerBound)-\($0.upperBound)" } ?? "*")" },
                       ["tcp 9001-9001", "tcp 9000-9100"])
    }
}
