import XCTest
import PlumbModel
@testable import PlumbDoctor

/// Docker 20.10's rule layout (Debian 12's docker.io) on the fixture host: the default bridge `docker0` with a
/// published port gives no finding; flushing FORWARD (a classic `iptables -F`) is reported as exactly the
/// dead Docker chains and the missing accept path.
final class DockerLayoutTests: XCTestCase {
    static func rules(_ lines: [String]) -> [FirewallRule] {
        lines.map { FirewallRule(rule: $0, packets: 1, target: RuleTokens($0).target) }
    }

    static func dockerHost(flushForward: Bool = false) -> DoctorFixture {
        var f = DoctorFixture()
        f.editLink(DoctorFixture.host, "br0") { $0.name = "docker0"; $0.addresses = [IPPrefix("172.17.0.1/16")!] }
        for c in [DoctorFixture.c1, DoctorFixture.c2] {
            let last = c == DoctorFixture.c1 ? 2 : 3
            f.editLink(c, "eth0") { $0.addresses = [IPPrefix("172.17.0.\(last)/16")!] }
            f.edit(c) { $0.routes = [Route(family: .ipv4, table: 254, tableName: "main", dst: nil, gateway: IPAddress("172.17.0.1"), dev: "eth0"),
                                     Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix("172.17.0.0/16"), dev: "eth0")] }
        }
        f.edit(DoctorFixture.host) { h in
            h.routes.removeAll { $0.dev == "br0" }
            h.firewall = Firewall(tables: [
                FirewallTable(family: "ipv4", name: "filter", source: "iptables", chains: [
                    FirewallChain(name: "INPUT", policy: "ACCEPT"),
                    FirewallChain(name: "FORWARD", policy: "DROP", rules: flushForward ? [] : Self.rules([
                        "-j DOCKER-USER", "-j DOCKER-ISOLATION-STAGE-1",
                        "-o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "-o docker0 -j DOCKER",
                        "-i docker0 ! -o docker0 -j ACCEPT", "-i docker0 -o docker0 -j ACCEPT"])),
                    FirewallChain(name: "OUTPUT", policy: "ACCEPT"),
                    FirewallChain(name: "DOCKER", rules: Self.rules([
                        "-d 172.17.0.3/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT"])),
                    FirewallChain(name: "DOCKER-ISOLATION-STAGE-1", rules: Self.rules([
                        "-i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2", "-j RETURN"])),
                    FirewallChain(name: "DOCKER-ISOLATION-STAGE-2", rules: Self.rules(["-o docker0 -j DROP", "-j RETURN"])),
                    FirewallChain(name: "DOCKER-USER", rules: Self.rules(["-j RETURN"])),
                ]),
                FirewallTable(family: "ipv4", name: "nat", source: "iptables", chains: [
                    FirewallChain(name: "PREROUTING", policy: "ACCEPT", rules: Self.rules(["-m addrtype --dst-type LOCAL -j DOCKER"])),
                    FirewallChain(name: "INPUT", policy: "ACCEPT"),
                    FirewallChain(name: "OUTPUT", policy: "ACCEPT", rules: Self.rules(["! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER"])),
                    FirewallChain(name: "POSTROUTING", policy: "ACCEPT", rules: Self.rules([
                        "-s 172.17.0.0/16 ! -o docker0 -j MASQUERADE",
                        "-s 172.17.0.3/32 -d 172.17.0.3/32 -p tcp -m tcp --dport 80 -j MASQUERADE"])),
                    FirewallChain(name: "DOCKER", rules: Self.rules([
                        "-i docker0 -j RETURN", "! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.3:80"])),
                ]),
            ])
        }
        return f
    }

    func testDockerDefaultBridgeWithPublishedPortIsHealthy() {
        let f = Self.dockerHost()
        XCTAssertEqual(Doctor.run(snapshot: f.snap, inputs: DoctorInputs(resolvers: [:], brNetfilterLoaded: true)).map(\.id), [])
    }

    func testFlushedForwardChainIsReportedAsDeadDockerChainsAndNoAcceptPath() {
        let f = Self.dockerHost(flushForward: true)
        let all = Doctor.run(snapshot: f.snap)
        XCTAssertEqual(Set(all.filter { $0.severity != .info }.map(\.id)), ["forward-drop:ns1:ipv4:docker0",
                             "chain-unreached:ns1:ipv4:filter:DOCKER-USER",
                             "chain-unreached:ns1:ipv4:filter:DOCKER-ISOLATION-STAGE-1",
                             "chain-unreached:ns1:ipv4:filter:DOCKER"])
        // STAGE-2 is entered from STAGE-1, never from FORWARD: unreachable too, but no jump from FORWARD is offered.
        let stage2 = all.first { $0.id == "chain-unreached:ns1:ipv4:filter:DOCKER-ISOLATION-STAGE-2" }
        XCTAssertEqual(stage2?.severity, .info)
        XCTAssertNil(stage2?.fix)
    }
}
