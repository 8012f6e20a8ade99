import XCTest
import PlumbModel
@testable import PlumbTUI

/// The Ports tab and the Doctor tab with the findings of checks 14-16 (published ports, route shadows,
/// conntrack), as reviewed text frames at the three sizes (Golden/), and what `P`, the filter and the fix
/// dialog do with them.
final class PortsAndDoctorFramesTests: XCTestCase {
    let ctx = TestEnv.context()
    var host: Namespace { TestEnv.snapshot.host! }

    /// The lab's published ports: one healthy, one with nobody listening, one bound to loopback, one DNAT an
    /// earlier rule hides, one docker-proxy, one whose listeners were not read.
    func ports() -> [PublishedPort] {
        let h = host.id
        func target(_ name: String) -> (UInt64, String) { (TestEnv.namespace(name).id, name) }
        var list: [PublishedPort] = []
        func add(_ port: UInt16, _ to: String, _ addr: String, _ tport: UInt16, owner: String = "docker", chain: String? = "DOCKER",
                 reaches: Bool? = true, listener: PublishedPort.Listener, at: [String], proxies: [String] = []) {
            let (id, name) = target(to)
            list.append(PublishedPort(namespace: h, proto: "tcp", hostPort: port, targetAddress: IPAddress(addr)!, targetPort: tport,
                                      targetNamespace: id, targetName: name, owner: owner, chain: chain,
                                      rule: chain.map { _ in "! -i docker0 -p tcp -m tcp --dport \(port) -j DNAT --to-destination \(addr):\(tport)" },
                                      proxies: proxies, reachesTarget: chain == nil ? nil : reaches, listener: listener, listenerAddresses: at))
        }
        add(8080, "web-frontend", "172.18.0.2", 80, listener: .wildcard, at: ["0.0.0.0:80"])
        add(5432, "postgres", "172.17.0.3", 5432, listener: .none, at: [])
        add(6379, "redis", "172.17.0.2", 6379, listener: .loopback, at: ["127.0.0.1:6379"])
        add(3000, "grafana", "172.17.0.4", 3000, reaches: false, listener: .wildcard, at: ["0.0.0.0:3000"])
        add(9100, "metrics", "10.88.0.4", 9100, owner: "docker-proxy", chain: nil, listener: .wildcard, at: ["[::]:9100"],
            proxies: ["pid 812: 0.0.0.0:9100"])
        add(8443, "pod-nginx", "10.88.0.2", 443, owner: "cni", chain: "CNI-DN-7f3a", reaches: nil, listener: .unknown, at: [])
        return list
    }

    /// The findings the doctor gives for them, and for a shadowing route and a full conntrack table.
    func findings() -> [Finding] {
        let h = host.id
        func port(_ check: String, _ title: String, _ endpoint: String, _ evidence: String) -> Finding {
            Finding(id: "\(check):ns\(h):tcp:*:\(endpoint.split(separator: ":")[1].split(separator: "/")[0])", check: check,
                    checkNumber: 14, severity: .warning, title: title,
                    subjects: [.init(namespace: h, kind: .port, name: endpoint)], evidence: [evidence],
                    explanation: "Connections to \(endpoint) are forwarded, but nothing answers them there.")
        }
        let shadow = Finding(id: "route-shadow:ns\(h):docker0:172.17.0.3/32", check: "route-shadow", checkNumber: 15, severity: .warning,
                             title: "Route 172.17.0.3 via 192.168.1.1 dev eth0 in host shadows part of 172.17.0.0/16 on docker0",
                             subjects: [.init(namespace: h, kind: .route, name: "172.17.0.3"), .init(namespace: h, kind: .link, name: "docker0")],
                             evidence: ["host: route 172.17.0.0/16 dev docker0 (the bridge's connected route)", "host: route 172.17.0.3 via 192.168.1.1 dev eth0"],
                             explanation: "Packets for that container go out of eth0 instead of to the bridge.",
                             fix: Plan(operation: .doctorFix(findingID: "route-shadow"), steps: [.deleteRoute(dst: .prefix(IPPrefix(addressOrPrefix: "172.17.0.3")!), gateway: IPAddress("192.168.1.1"), link: "eth0", in: .host)]))
        let full = Finding(id: "conntrack-full:ns\(h)", check: "conntrack-full", checkNumber: 16, severity: .error,
                           title: "The conntrack table of host is 97% full (253,952 of 262,144 entries)",
                           subjects: [.init(namespace: h, kind: .sysctl, name: "net/netfilter/nf_conntrack_max")],
                           evidence: ["nf_conntrack_count 253952, nf_conntrack_max 262144"],
                           explanation: "When it is full, the first packet of every new connection is dropped.",
                           fix: Plan(operation: .doctorFix(findingID: "conntrack-full"),
                                     steps: [.setSysctl(key: "net/netfilter/nf_conntrack_max", value: "524288", previous: "262144", in: .host)]))
        let stale = Finding(id: "conntrack-stale-nat:ns\(h)", check: "conntrack-stale-nat", checkNumber: 16, severity: .warning,
                            title: "3 conntrack entries in host still DNAT to 172.17.0.9, which no namespace has",
                            subjects: [.init(namespace: h, kind: .namespace)],
                            evidence: ["tcp 198.51.100.7:40000 → 192.168.1.10:8081 ⇒ 172.17.0.9:80 (expires in 431990 s)"],
                            explanation: "A removed container's connections are still translated towards it.")
        return [port("port-no-listener", "Nothing listens behind published port *:5432/tcp: postgres has no tcp listener on 5432", "*:5432/tcp",
                     "listening tcp sockets on port 5432 in postgres: none"),
                port("port-loopback-only", "Published port *:6379/tcp leads to a listener bound to loopback only in redis", "*:6379/tcp",
                     "listening tcp sockets on port 6379 in redis: 127.0.0.1:6379"),
                port("port-unreached", "Published port *:3000/tcp in host does not reach 172.17.0.4:3000", "*:3000/tcp",
                     "evaluated: a new tcp connection from outside to port 3000 is not translated to 172.17.0.4:3000 by nat PREROUTING"),
                shadow, full, stale]
    }

    func loaded(_ size: Size) -> AppState {
        var s = TestEnv.state(size)
        s.findingsUpdated(findings())
        s.portsUpdated(ports())
        return s
    }

    func testPortsTabFrames() {
        for size in TestEnv.sizes {
            var s = loaded(size)
            s.press([.char("P"), .down])  // the second row: nobody listens behind 5432
            Golden.check(AppView.renderPane(.details, s, ctx, size: size), "ports-\(size.width)x\(size.height)")
        }
    }

    func testDoctorTabWithPortRouteAndConntrackFindings() {
        for size in TestEnv.sizes {
            var s = loaded(size)
            s.press([.char("f")])  // opens the Doctor tab on the first (worst) finding
            Golden.check(AppView.renderPane(.details, s, ctx, size: size), "doctor-ports-\(size.width)x\(size.height)")
        }
    }

    func testPortsKeyFilterAndFindingsOfTheSelectedPort() throws {
        var s = loaded(Size(width: 120, height: 40))
        s.press([.char("P")])
        XCTAssertEqual(s.detailTab, .ports)
        XCTAssertEqual(s.focus, .details)
        var frame = AppView.render(s, ctx)
        XCTAssertNotNil(frame.rowContaining("*:8080/tcp"), frame.lines().joined(separator: "\n"))
        XCTAssertEqual(frame.style(of: "NO", inRowWith: "*:3000/tcp"), ctx.theme.error, "an unreached DNAT is shown as an error")
        XCTAssertEqual(frame.style(of: "loopback only", inRowWith: "*:6379/tcp"), ctx.theme.warning)
        s.press([.down])
        frame = AppView.render(s, ctx)
        XCTAssertNotNil(frame.rowContaining("warning: Nothing listens behind published port *:5432/tcp"), "the doctor's finding about it")
        XCTAssertNotNil(frame.rowContaining("listening at 5432: nobody"))
        s.press([.char("/")]); s.type("redis"); s.press([.enter])
        XCTAssertEqual(PortRows.build(s.ports, filter: s.filter).map(\.hostEndpoint), ["*:6379/tcp"])
        XCTAssertNil(AppView.render(s, ctx).rowContaining("*:8080/tcp"))
    }

    /// The fix dialog shows the comparison under the plan; a fix the comparison withholds asks "apply anyway".
    func testFixDialogShowsTheFlowComparison() throws {
        var list = findings()
        list[3].impact = FixImpact(flowsCompared: 14, flows: [
            FixImpact.Flow(namespace: host.id, flow: "tcp 192.168.1.10 → 172.17.0.3:80 (host itself to postgres on docker0)",
                           before: "sent out eth0", after: "sent out docker0", concerned: true, healthyAfter: true),
        ], mends: true, offered: true)
        list[4].impact = FixImpact(flowsCompared: 14, flows: [
            FixImpact.Flow(namespace: host.id, flow: "tcp 198.51.100.7:40000 → 172.17.0.2:80 (new connection from outside on eth0 to redis)",
                           before: "dropped by policy of filter/FORWARD", after: "forwarded out docker0", concerned: false),
        ], mends: nil, offered: false, reason: "it changes 1 flow the finding is not about")
        var s = TestEnv.state()
        s.findingsUpdated(list)
        s.press([.char("f")])
        s.press([.char("f")])  // conntrack-full (the only error) is first
        var c = try XCTUnwrap(s.confirm)
        XCTAssertTrue(c.title.hasPrefix("NOT offered: apply anyway?"), c.title)
        XCTAssertTrue(c.lines.contains("verdict: NOT offered: it changes 1 flow the finding is not about"), "\(c.lines)")
        XCTAssertTrue(c.lines.contains { $0.hasPrefix("[other] tcp 198.51.100.7:40000 → 172.17.0.2:80") }, "\(c.lines)")
        s.press([.char("n")])
        while s.selectedRow(.findings) < FindingRows.build(s.findings, filter: "").firstIndex(where: { $0.check == "route-shadow" })! {
            s.press([.down])
        }
        s.press([.char("f")])
        c = try XCTUnwrap(s.confirm)
        XCTAssertTrue(c.title.hasPrefix("Fix: Route 172.17.0.3"), c.title)
        XCTAssertTrue(c.lines.contains("[mended] tcp 192.168.1.10 → 172.17.0.3:80 (host itself to postgres on docker0): sent out eth0 → sent out docker0"),
                      "\(c.lines)")
        XCTAssertTrue(c.lines.contains("no other flow changes"))
    }
}
