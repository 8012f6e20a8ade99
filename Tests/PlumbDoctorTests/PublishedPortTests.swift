import XCTest
import PlumbModel
import PlumbTrace
@testable import PlumbDoctor

/// Published ports on the Docker layout fixture: the DNAT rule is found through nat PREROUTING, judged by the
/// evaluator, resolved to the container that holds the target address, and the listeners there decide the
/// doctor's findings (none, loopback only, unknown).
final class PublishedPortTests: XCTestCase {
    let c2 = DoctorFixture.c2

    func listener(_ address: String, _ port: UInt16, _ proto: SocketProtocol = .tcp) -> SocketRecord {
        SocketRecord(proto: proto, family: .ipv4, state: proto == .tcp ? .listen : .close,
                     local: SocketEndpoint(address: IPAddress(address)!, port: port))
    }

    func testDockerMappingIsFoundJudgedAndResolved() throws {
        let f = DockerLayoutTests.dockerHost()
        let ports = PublishedPortFinder.find(f.snap, listeners: [c2: [listener("0.0.0.0", 80)]])
        XCTAssertEqual(ports.count, 1)
        let p = try XCTUnwrap(ports.first)
        XCTAssertEqual(p.hostEndpoint, "*:8080/tcp")
        XCTAssertEqual(p.targetEndpoint, "172.17.0.3:80")
        XCTAssertEqual(p.targetNamespace, c2)
        XCTAssertEqual(p.owner, "docker")
        XCTAssertEqual(p.chain, "DOCKER")
        XCTAssertEqual(p.reachesTarget, true)
        XCTAssertEqual(p.listener, .wildcard)
        XCTAssertEqual(p.listenerAddresses, ["0.0.0.0:80"])
    }

    func testAnEarlierReturnKeepsTheDNATFromApplying() {
        var f = DockerLayoutTests.dockerHost()
        f.editChain(DoctorFixture.host, "nat", "PREROUTING") {
            $0.rules.insert(FirewallRule(rule: "-p tcp -m tcp --dport 8080 -j RETURN", target: "RETURN"), at: 0)
        }
        XCTAssertEqual(PublishedPortFinder.find(f.snap).first?.reachesTarget, false)
        let ids = Doctor.run(snapshot: f.snap, inputs: DoctorInputs(listeners: [c2: [listener("0.0.0.0", 80)]])).map(\.id)
        XCTAssertEqual(ids, ["port-unreached:ns1:tcp:*:8080"])
    }

    func testListenerChecks() {
        let f = DockerLayoutTests.dockerHost()
        func run(_ socks: [SocketRecord]?) -> [Finding] {
            Doctor.run(snapshot: f.snap, inputs: DoctorInputs(resolvers: [:], brNetfilterLoaded: true,
                                                              listeners: socks.map { [c2: $0] } ?? [:]))
        }
        XCTAssertEqual(run([listener("0.0.0.0", 80)]).map(\.id), [])
        XCTAssertEqual(run([listener("172.17.0.3", 80)]).map(\.id), [], "bound to the target address itself")
        let none = run([listener("0.0.0.0", 81), listener("0.0.0.0", 80, .udp)])
        XCTAssertEqual(none.map(\.id), ["port-no-listener:ns1:tcp:*:8080"])
        XCTAssertEqual(none.first?.severity, .warning)
        XCTAssertTrue(none.first?.evidence.contains { $0.contains("on port 80 in") && $0.hasSuffix("none") } ?? false, "\(none.first?.evidence ?? [])")
        let loop = run([listener("127.0.0.1", 80)])
        XCTAssertEqual(loop.map(\.id), ["port-loopback-only:ns1:tcp:*:8080"])
        XCTAssertTrue(loop.first?.evidence.contains { $0.contains("127.0.0.1:80") } ?? false)
        // Listeners of the target not read: unknown, so no finding.
        XCTAssertEqual(run(nil).map(\.id), [])
    }

    func testDockerProxyJoinsItsMappingOrStandsAlone() {
        var f = DockerLayoutTests.dockerHost()
        f.snap.processes.append(ProcessRecord(pid: 812, ppid: 1, comm: "docker-proxy",
            cmdline: "/usr/sbin/docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8080 -container-ip 172.17.0.3 -container-port 80",
            uid: 0, namespace: DoctorFixture.host))
        f.snap.processes.append(ProcessRecord(pid: 813, ppid: 1, comm: "docker-proxy",
            cmdline: "/usr/sbin/docker-proxy -proto udp -host-ip 10.0.0.1 -host-port 5353 -container-ip 172.17.0.2 -container-port 53",
            uid: 0, namespace: DoctorFixture.host))
        let ports = PublishedPortFinder.find(f.snap)
        XCTAssertEqual(ports.map(\.hostEndpoint), ["*:8080/tcp", "10.0.0.1:5353/udp"])
        XCTAssertEqual(ports[0].proxies, ["pid 812: 0.0.0.0:8080"])
        XCTAssertEqual(ports[1].owner, "docker-proxy")
        XCTAssertEqual(ports[1].targetNamespace, DoctorFixture.c1)
    }
}

/// 15: a route that takes part of a container subnet away from its bridge.
final class RouteShadowTests: XCTestCase {
    let H = DoctorFixture.host

    func testMoreSpecificOrBlackholeRoutesShadowTheBridge() {
        var f = DoctorFixture()
        f.edit(H) { $0.routes.append(Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix("10.213.110.0/28"), type: "blackhole")) }
        let x = Doctor.run(snapshot: f.snap).filter { $0.check == "route-shadow" }
        XCTAssertEqual(x.map(\.id), ["route-shadow:ns1:br0:10.213.110.0/28"])
        XCTAssertNil(x.first?.fix, "a blackhole cannot be put back by the undo: no fix")
        XCTAssertTrue(x.first?.evidence.contains { $0.contains("10.213.110.2 (") } ?? false, "\(x.first?.evidence ?? [])")
        var g = DoctorFixture()
        g.edit(H) { $0.routes.append(Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix("10.213.110.3/32"), gateway: IPAddress("10.213.117.9"), dev: "eth0")) }
        let y = Doctor.run(snapshot: g.snap).filter { $0.check == "route-shadow" }
        XCTAssertEqual(y.map(\.id), ["route-shadow:ns1:br0:10.213.110.3/32"])
        XCTAssertEqual(y.first?.fix?.steps, [.deleteRoute(dst: .prefix(IPPrefix(addressOrPrefix: "10.213.110.3/32")!), gateway: IPAddress("10.213.117.9"), link: "eth0", in: .host)])
        XCTAssertEqual(y.first?.undo?.steps, [.addRoute(dst: .prefix(IPPrefix(addressOrPrefix: "10.213.110.3/32")!), gateway: IPAddress("10.213.117.9"), link: "eth0", in: .host)])
        // Routes through the bridge itself, and wider routes, shadow nothing.
        var h = DoctorFixture()
        h.edit(H) {
            $0.routes.append(Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix("10.213.110.128/25"), dev: "br0"))
            $0.routes.append(Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix("10.213.0.0/16"), gateway: IPAddress("10.213.117.9"), dev: "eth0"))
        }
        XCTAssertEqual(Doctor.run(snapshot: h.snap).map(\.id), [])
    }
}

/// 16: conntrack fill and stale NAT entries, from the evidence the reader hands in.
final class ConntrackCheckTests: XCTestCase {
    func testFillThresholdsAndStaleEntries() {
        let f = DoctorFixture()
        func run(_ ct: ConntrackEvidence?) -> [Finding] {
            Doctor.run(snapshot: f.snap, inputs: DoctorInputs(conntrack: ct)).filter { $0.checkNumber == 16 }
        }
        XCTAssertEqual(run(ConntrackEvidence(namespace: 1, usage: ConntrackUsage(count: 790, max: 1000, accounting: nil))).map(\.id), [])
        let warn = run(ConntrackEvidence(namespace: 1, usage: ConntrackUsage(count: 800, max: 1000, accounting: nil)))
        XCTAssertEqual(warn.map(\.id), ["conntrack-full:ns1"])
        XCTAssertEqual(warn.first?.severity, .warning)
        XCTAssertEqual(warn.first?.fix?.steps, [.setSysctl(key: "net/netfilter/nf_conntrack_max", value: "2000", previous: "1000", in: .host)])
        XCTAssertEqual(run(ConntrackEvidence(namespace: 1, usage: ConntrackUsage(count: 960, max: 1000, accounting: nil))).first?.severity, .error)
        let stale = run(ConntrackEvidence(namespace: 1, usage: ConntrackUsage(count: 3, max: 1000, accounting: nil),
                                          staleNAT: ["tcp 198.51.100.7:40000 → 10.213.117.2:8080 ⇒ 10.213.110.9:80"], staleTotal: 1,
                                          staleTargets: ["10.213.110.9"]))
        XCTAssertEqual(stale.map(\.id), ["conntrack-stale-nat:ns1"])
        XCTAssertNil(stale.first?.fix, "without the entries themselves there is nothing exact to delete")
        XCTAssertTrue(stale.first?.explanation.contains("conntrack -D --reply-src 10.213.110.9") ?? false)
        // With the entries read, the fix deletes exactly them (by tuple, zone and id), and its undo changes nothing.
        let entry = ConntrackEntry(family: .ipv4, protocolNumber: 6,
                                   original: ConntrackTuple(src: IPAddress("198.51.100.7")!, dst: IPAddress("10.213.117.2")!, srcPort: 40000, dstPort: 8080),
                                   reply: ConntrackTuple(src: IPAddress("10.213.110.9")!, dst: IPAddress("198.51.100.7")!, srcPort: 80, dstPort: 40000),
                                   tcpState: .established, status: [.seenReply, .dstNAT], id: 77)
        let fixable = run(ConntrackEvidence(namespace: 1, usage: ConntrackUsage(count: 3, max: 1000, accounting: nil),
                                            staleNAT: ["tcp 198.51.100.7:40000 → 10.213.117.2:8080 ⇒ 10.213.110.9:80"], staleTotal: 1,
                                            staleTargets: ["10.213.110.9"], staleEntries: [entry]))
        XCTAssertEqual(fixable.first?.fix?.steps, [.deleteConntrack(entries: [entry], in: .host)])
        XCTAssertEqual(fixable.first?.undo?.steps, [])
        XCTAssertTrue(fixable.first?.explanation.contains("deletes exactly this entry") ?? false, fixable.first?.explanation ?? "")
        XCTAssertEqual(run(nil), [], "not read: no finding")
    }
}
