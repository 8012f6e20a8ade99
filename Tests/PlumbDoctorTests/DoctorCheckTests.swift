import XCTest
import PlumbModel
@testable import PlumbDoctor

/// Every check on fixture snapshots: the healthy fixture gives nothing; each injected fault gives exactly its
/// finding (id, severity, fix), and the nearest healthy variant gives nothing.
final class DoctorCheckTests: XCTestCase {
    let H = DoctorFixture.host, C1 = DoctorFixture.c1, C2 = DoctorFixture.c2

    func run(_ f: DoctorFixture, _ inputs: DoctorInputs = DoctorInputs()) -> [Finding] { Doctor.run(snapshot: f.snap, inputs: inputs) }
    func ids(_ f: DoctorFixture, _ inputs: DoctorInputs = DoctorInputs()) -> [String] { run(f, inputs).map(\.id) }

    func only(_ f: DoctorFixture, _ id: String, _ inputs: DoctorInputs = DoctorInputs(),
              file: StaticString = #filePath, line: UInt = #line) -> Finding? {
        let all = run(f, inputs)
        XCTAssertEqual(all.map(\.id), [id], file: file, line: line)
        return all.first { $0.id == id }
    }

    func testHealthyFixtureHasNoFindings() {
        XCTAssertEqual(ids(DoctorFixture()), [])
        XCTAssertEqual(ids(DoctorFixture(), DoctorInputs(resolvers: [:], brNetfilterLoaded: true)), [])
    }

    func testIdsAreStableAndUndoIsTheInverse() {
        var f = DoctorFixture()
        f.edit(H) { $0.sysctls.ipForward = false }
        let a = run(f), b = run(f)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.first?.undo, a.first?.fix?.inverse)
        XCTAssertEqual(a.first?.undo?.steps, [.setSysctl(key: "net/ipv4/ip_forward", value: "0", previous: "1", in: .host)])
    }

    // 1
    func testForwardingOff() {
        var f = DoctorFixture()
        f.edit(H) { $0.sysctls.ipForward = false }
        let x = only(f, "forwarding-off:ns1:ipv4")
        XCTAssertEqual(x?.severity, .error)
        XCTAssertEqual(x?.fix?.steps, [.setSysctl(key: "net/ipv4/ip_forward", value: "1", previous: "0", in: .host)])
        XCTAssertTrue(x?.subjects.contains(.init(namespace: H, kind: .link, name: "br0")) ?? false)
        f.edit(H) { $0.sysctls.ipForward = true; $0.sysctls.ipv6Forwarding = false }
        XCTAssertEqual(only(f, "forwarding-off:ns1:ipv6")?.fix?.steps.count, 1)
    }

    func testForwardingOffIsFineWithoutGatewayUsers() {
        var f = DoctorFixture()
        f.edit(H) { $0.sysctls.ipForward = false }
        for c in [C1, C2] { f.edit(c) { $0.routes.removeAll { $0.isDefault && $0.family == .ipv4 } } }
        // No default route via br0 any more: nothing is routed, so forwarding does not matter (check 9 speaks).
        XCTAssertFalse(ids(f).contains { $0.hasPrefix("forwarding-off") })
    }

    // 2
    func testNoMasquerade() {
        var f = DoctorFixture()
        f.editChain(H, "nat", "POSTROUTING") { $0.rules = [] }
        let x = only(f, "no-masquerade:ns1:10.213.110.0/24")
        XCTAssertEqual(x?.severity, .warning)
        guard case .firewall(let fam, let batch, let undo, .host)? = x?.fix?.steps.first else { return XCTFail() }
        XCTAssertEqual(fam, "ipv4")
        XCTAssertTrue(batch.contains("-A POSTROUTING -s 10.213.110.0/24 -o eth0"))
        XCTAssertTrue(undo.contains("-D POSTROUTING -s 10.213.110.0/24 -o eth0"))
        // An uplink-wide MASQUERADE covers every source.
        f.editChain(H, "nat", "POSTROUTING") { $0.rules = [FirewallRule(rule: "-o eth0 -j MASQUERADE", target: "MASQUERADE")] }
        XCTAssertEqual(ids(f), [])
        // A rule for another subnet does not.
        f.editChain(H, "nat", "POSTROUTING") { $0.rules = [FirewallRule(rule: "-s 10.213.111.0/24 -j MASQUERADE")] }
        XCTAssertEqual(ids(f), ["no-masquerade:ns1:10.213.110.0/24"])
    }

    func testMasqueradeIsJudgedByWhatTheRulesDoToAConnectionOut() {
        var f = DoctorFixture()
        // Docker's hairpin rule only: it translates container-to-itself traffic, not connections out.
        f.editChain(H, "nat", "POSTROUTING") {
            $0.rules = [FirewallRule(rule: "-s 10.213.110.2/32 -d 10.213.110.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE", target: "MASQUERADE")]
        }
        let x = only(f, "no-masquerade:ns1:10.213.110.0/24")
        XCTAssertTrue(x?.evidence.contains { $0.contains("leaves with source 10.213.110.") } ?? false, "\(x?.evidence ?? [])")
        // An earlier RETURN keeps the right rule from applying.
        f.editChain(H, "nat", "POSTROUTING") {
            $0.rules = [FirewallRule(rule: "-s 10.213.110.0/24 -j RETURN", target: "RETURN"),
                        FirewallRule(rule: "-s 10.213.110.0/24 ! -o br0 -j MASQUERADE", target: "MASQUERADE")]
        }
        XCTAssertEqual(ids(f), ["no-masquerade:ns1:10.213.110.0/24"])
        // A wrong -o: the rule is for another uplink.
        f.editChain(H, "nat", "POSTROUTING") { $0.rules = [FirewallRule(rule: "-s 10.213.110.0/24 -o wlan0 -j MASQUERADE", target: "MASQUERADE")] }
        XCTAssertEqual(ids(f), ["no-masquerade:ns1:10.213.110.0/24"])
        // Through a jumped-to chain, as netavark writes it: masqueraded.
        f.editChain(H, "nat", "POSTROUTING") { $0.rules = [FirewallRule(rule: "-s 10.213.110.0/24 -j NETAVARK-1", target: "NETAVARK-1")] }
        f.editChain(H, "nat", "NETAVARK-1") {
            $0.rules = [FirewallRule(rule: "-d 10.213.110.0/24 -j ACCEPT", target: "ACCEPT"),
                        FirewallRule(rule: "! -d 224.0.0.0/4 -j MASQUERADE", target: "MASQUERADE")]
        }
        XCTAssertEqual(ids(f), [])
        // A match the evaluator cannot read decides nothing: no finding rather than a guess (NETAVARK-1 is
        // now a leftover nothing reaches: info).
        f.editChain(H, "nat", "POSTROUTING") { $0.rules = [FirewallRule(rule: "-m set --match-set egress src -j RETURN", target: "RETURN")] }
        XCTAssertEqual(run(f).filter { $0.severity != .info }.map(\.id), [])
    }

    // 3
    func testForwardDropWithoutAcceptPath() {
        var f = DoctorFixture()
        f.editChain(H, "filter", "FORWARD") { $0.policy = "DROP" }
        let x = only(f, "forward-drop:ns1:ipv4:br0")
        XCTAssertEqual(x?.severity, .error)
        guard case .firewall(_, let batch, _, _)? = x?.fix?.steps.first else { return XCTFail() }
        XCTAssertTrue(batch.contains("-I FORWARD 1 -i br0"))
        // Docker-style accept path through a jumped-to chain.
        f.editChain(H, "filter", "FORWARD") { $0.rules = [FirewallRule(rule: "-j DOCKER-FORWARD", target: "DOCKER-FORWARD")] }
        f.editChain(H, "filter", "DOCKER-FORWARD") { $0.rules = [FirewallRule(rule: "-i br0 ! -o br0 -j ACCEPT", target: "ACCEPT")] }
        XCTAssertEqual(ids(f), [])
        // CNI-style: per-address accepts. With one missing, the evaluator sees exactly that container dropped.
        f.editChain(H, "filter", "DOCKER-FORWARD") {
            $0.rules = [FirewallRule(rule: "-s 10.213.110.2/32 -j ACCEPT", target: "ACCEPT"),
                        FirewallRule(rule: "-s 10.213.110.3/32 -j ACCEPT", target: "ACCEPT")]
        }
        XCTAssertEqual(ids(f), [])
        f.editChain(H, "filter", "DOCKER-FORWARD") { $0.rules.removeLast() }
        XCTAssertEqual(only(f, "forward-drop:ns1:ipv4:br0")?.title, "FORWARD drops what c2 sends from br0 in host (IPv4)")
        // An explicit DROP rule (the policy is ACCEPT) is judged the same way; an internal network's is not.
        var g = DoctorFixture()
        g.editChain(H, "filter", "FORWARD") { $0.rules = [FirewallRule(rule: "-s 10.213.110.0/24 -o eth0 -j DROP", target: "DROP")] }
        XCTAssertTrue(only(g, "forward-drop:ns1:ipv4:br0")?.evidence.contains { $0.contains("rule 1 of filter/FORWARD") } ?? false)
        // Only established traffic accepted: still no way out.
        f.editChain(H, "filter", "DOCKER-FORWARD") {
            $0.rules = [FirewallRule(rule: "-o br0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", target: "ACCEPT")]
        }
        XCTAssertEqual(ids(f), ["forward-drop:ns1:ipv4:br0"])
    }

    func testToolChainNobodyJumpsTo() {
        var f = DoctorFixture()
        f.editChain(H, "filter", "DOCKER-FORWARD") { $0.rules = [FirewallRule(rule: "-i br0 -j ACCEPT", target: "ACCEPT")] }
        let x = only(f, "chain-unreached:ns1:ipv4:filter:DOCKER-FORWARD")
        guard case .firewall(_, let batch, let undo, _)? = x?.fix?.steps.first else { return XCTFail() }
        XCTAssertEqual(batch, "*filter\n-I FORWARD 1 -j DOCKER-FORWARD\nCOMMIT\n")
        XCTAssertEqual(undo, "*filter\n-D FORWARD -j DOCKER-FORWARD\nCOMMIT\n")
        // The evidence counts FORWARD's rules with the noun in the right number.
        var one = f
        one.editChain(H, "filter", "FORWARD") { $0.rules = [FirewallRule(rule: "-i pt0 -o pt0 -j ACCEPT", target: "ACCEPT")] }
        let evidence = run(one).first { $0.id == "chain-unreached:ns1:ipv4:filter:DOCKER-FORWARD" }?.evidence ?? []
        XCTAssertTrue(evidence.contains("no rule in filter jumps to DOCKER-FORWARD (FORWARD has 1 rule)"), "\(evidence)")
        f.editChain(H, "filter", "FORWARD") { $0.rules = [FirewallRule(rule: "-j DOCKER-FORWARD", target: "DOCKER-FORWARD")] }
        XCTAssertEqual(ids(f), [])
        // An admin's own chain is theirs to leave unused.
        var g = DoctorFixture()
        g.editChain(H, "filter", "MY-RULES") { $0.rules = [FirewallRule(rule: "-j ACCEPT", target: "ACCEPT")] }
        XCTAssertEqual(ids(g), [])
    }

    /// The false alarm of issue 14: after the last Podman/CNI container with a published port is removed, the
    /// portmap plugin leaves CNI-HOSTPORT-SETMARK with nothing jumping to it. Not an error, and never a fix
    /// that jumps to it from PREROUTING (that would mark every local packet for masquerading).
    func testPortmapLeftoversAreInfoWithoutAFix() {
        var f = DoctorFixture()
        f.editChain(H, "nat", "PREROUTING") { $0.rules = [FirewallRule(rule: "-m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT", target: "CNI-HOSTPORT-DNAT")] }
        f.editChain(H, "nat", "CNI-HOSTPORT-DNAT") { $0.rules = [] }
        f.editChain(H, "nat", "CNI-HOSTPORT-SETMARK") {
            $0.rules = [FirewallRule(rule: "-m comment --comment \"CNI portfwd masquerade mark\" -j MARK --set-xmark 0x2000/0x2000", target: "MARK")]
        }
        let all = run(f)
        XCTAssertEqual(all.filter { $0.severity != .info }.map(\.id), [])
        let setmark = all.first { $0.id == "chain-unreached:ns1:ipv4:nat:CNI-HOSTPORT-SETMARK" }
        XCTAssertEqual(setmark?.severity, .info)
        XCTAssertNil(setmark?.fix)
        // The entry chain itself losing its jump is still an error, with the jump the plugin writes.
        f.editChain(H, "nat", "PREROUTING") { $0.rules = [] }
        f.editChain(H, "nat", "CNI-HOSTPORT-DNAT") { $0.rules = [FirewallRule(rule: "-p tcp -m tcp --dport 8080 -j CNI-DN-1", target: "CNI-DN-1")] }
        f.editChain(H, "nat", "CNI-DN-1") { $0.rules = [FirewallRule(rule: "-p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.213.110.2:80", target: "DNAT")] }
        let dnat = run(f).first { $0.id == "chain-unreached:ns1:ipv4:nat:CNI-HOSTPORT-DNAT" }
        XCTAssertEqual(dnat?.severity, .error)
        guard case .firewall(_, let batch, _, _)? = dnat?.fix?.steps.first else { return XCTFail() }
        XCTAssertEqual(batch, "*nat\n-I PREROUTING 1 -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT\nCOMMIT\n")
        XCTAssertEqual(run(f).first { $0.id == "chain-unreached:ns1:ipv4:nat:CNI-DN-1" }?.severity, .info)
    }

    // 4
    func testVethEndsWithDifferentMTU() {
        var f = DoctorFixture()
        f.editLink(C1, "eth0") { $0.mtu = 1400 }
        let x = only(f, "mtu-mismatch:ns1:vethA")
        XCTAssertEqual(x?.fix?.steps, [.setMTU(link: "vethA", mtu: 1400, previous: 1500, in: .host)])
        XCTAssertEqual(x?.undo?.steps, [.setMTU(link: "vethA", mtu: 1500, previous: 1400, in: .host)])
    }

    func testEndpointMTUOverVxlanPath() {
        var f = DoctorFixture()
        f.edit(H) { $0.links.append(Link(index: 6, name: "vx42", kind: "vxlan", mtu: 1450, flags: DoctorFixture.up,
                                         operState: "unknown", master: LinkRef(index: 3))) }
        let all = run(f)
        XCTAssertEqual(all.map(\.id), ["mtu-mismatch:ns10:eth0", "mtu-mismatch:ns20:eth0"])
        XCTAssertEqual(all.first?.fix?.steps, [.setMTU(link: "eth0", mtu: 1450, previous: 1500, in: .named("c1")),
                                               .setMTU(link: "vethA", mtu: 1450, previous: 1500, in: .host)])
        f.editLink(C1, "eth0") { $0.mtu = 1450 }; f.editLink(H, "vethA") { $0.mtu = 1450 }
        f.editLink(C2, "eth0") { $0.mtu = 1450 }; f.editLink(H, "vethB") { $0.mtu = 1450 }
        XCTAssertEqual(ids(f), [])
    }

    // 5
    func testBridgeNetfilterOffWithSameBridgePublishedPort() {
        var f = DoctorFixture()
        f.editChain(H, "nat", "PLUMB-DNAT") {
            $0.rules = [FirewallRule(rule: "-p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.213.110.3:80", target: "DNAT")]
        }
        f.editChain(H, "nat", "PREROUTING") { $0.rules = [FirewallRule(rule: "-m addrtype --dst-type LOCAL -j PLUMB-DNAT", target: "PLUMB-DNAT")] }
        // Hairpin only matters for c2 itself; set it so this test sees check 5 alone.
        f.editLink(H, "vethB") { $0.bridgePort?.hairpin = true }
        XCTAssertEqual(ids(f), [])
        f.edit(H) { $0.sysctls.bridgeNfCallIptables = false }
        let x = only(f, "bridge-nf-off:ns1:br0")
        XCTAssertEqual(x?.fix?.steps, [.setSysctl(key: "net/bridge/bridge-nf-call-iptables", value: "1", previous: "0", in: .host)])
        f.edit(H) { $0.sysctls.bridgeNfCallIptables = nil }
        let y = only(f, "bridge-nf-off:ns1:br0", DoctorInputs(brNetfilterLoaded: false))
        XCTAssertNil(y?.fix, "without the module there is no sysctl to set")
        XCTAssertTrue(y?.explanation.contains("modprobe br_netfilter") ?? false)
    }

    // 6
    func testStrictRPFilter() {
        var f = DoctorFixture()
        // Effective value is max(all, link): links at 2 stay loose whatever `all` says.
        f.edit(H) { $0.sysctls.rpFilterAll = 1 }
        XCTAssertEqual(ids(f), [])
        f.edit(H) { $0.sysctls.rpFilter = ["eth0": 0, "br0": 1] }
        let x = only(f, "rp-filter-strict:ns1")
        XCTAssertEqual(x?.severity, .info, "symmetric routes: worth knowing, not an alarm")
        XCTAssertEqual(x?.fix?.steps, [.setSysctl(key: "net/ipv4/conf/all/rp_filter", value: "2", previous: "1", in: .host),
                                       .setSysctl(key: "net/ipv4/conf/br0/rp_filter", value: "2", previous: "1", in: .host)])
        f.edit(H) { $0.routes.append(Route(family: .ipv4, table: 254, tableName: "main", dst: nil, gateway: IPAddress("10.213.110.9"), dev: "br0", metric: 200)) }
        XCTAssertEqual(only(f, "rp-filter-strict:ns1")?.severity, .warning)
        f.edit(H) { $0.sysctls.rpFilterAll = 2; $0.sysctls.rpFilter = [:] }
        XCTAssertEqual(ids(f), [])
    }

    // 7
    func testOverlappingSubnetsAndDuplicateAddresses() {
        var f = DoctorFixture()
        f.edit(H) { $0.links.append(Link(index: 7, name: "br1", kind: "bridge", flags: DoctorFixture.up, operState: "up",
                                         addresses: [IPPrefix("10.213.110.129/25")!])) }
        XCTAssertEqual(only(f, "subnet-overlap:ns1:br0,br1")?.severity, .warning)
        var g = DoctorFixture()
        g.editLink(C2, "eth0") { $0.addresses = [IPPrefix("10.213.110.2/24")!] }
        let x = only(g, "duplicate-address:ns1:br0:10.213.110.2")
        XCTAssertEqual(x?.severity, .error)
        XCTAssertEqual(Set(x?.subjects.map(\.namespace) ?? []), [C1, C2, H])
    }

    // 8
    func testVethEndDown() {
        var f = DoctorFixture()
        f.editLink(C1, "eth0") { $0.flags = []; $0.operState = "down" }
        f.editLink(H, "vethA") { $0.flags = ["up", "broadcast"]; $0.operState = "lowerlayerdown" }
        let x = only(f, "wiring-down:ns10:eth0")
        XCTAssertEqual(x?.fix?.steps, [.setLinkState(link: "eth0", up: true, in: .named("c1"))])
        XCTAssertEqual(x?.undo?.steps, [.setLinkState(link: "eth0", up: false, in: .named("c1"))])
        // Down at both ends: down by design.
        f.editLink(H, "vethA") { $0.flags = [] }
        XCTAssertEqual(ids(f), [])
    }

    func testBridgeDownPortNotEnslavedGatewayMissing() {
        var f = DoctorFixture()
        f.editLink(H, "br0") { $0.flags = [] }
        XCTAssertEqual(only(f, "wiring-bridge-down:ns1:br0")?.fix?.steps, [.setLinkState(link: "br0", up: true, in: .host)])
        var g = DoctorFixture()
        g.editLink(H, "vethA") { $0.master = nil; $0.bridgePort = nil }
        XCTAssertEqual(only(g, "wiring-no-master:ns1:vethA")?.fix?.steps,
                       [.setLinkMaster(link: "vethA", master: "br0", previous: nil, in: .host)])
        var h = DoctorFixture()
        h.editLink(H, "br0") { $0.addresses = [IPPrefix("fe80::1/64")!] }
        // Both families' gateways are gone: one finding each.
        XCTAssertEqual(ids(h), ["wiring-no-gateway:ns1:br0:10.213.110.1", "wiring-no-gateway:ns1:br0:fd13:110::1"])
        let x = run(h).first
        XCTAssertEqual(x?.fix?.steps, [.addAddress(cidr: IPPrefix("10.213.110.1/24")!, link: "br0", in: .host)])
        XCTAssertEqual(x?.undo?.steps, [.deleteAddress(cidr: IPPrefix("10.213.110.1/24")!, link: "br0", in: .host)])
    }

    // 9
    func testNoDefaultRoute() {
        var f = DoctorFixture()
        f.edit(C1) { $0.routes.removeAll { $0.isDefault && $0.family == .ipv4 } }
        let x = only(f, "no-default-route:ns10:ipv4")
        XCTAssertEqual(x?.fix?.steps, [.addRoute(dst: .default, gateway: IPAddress("10.213.110.1"), link: "eth0", in: .named("c1"))])
        // An internal network has no way out by design: info only.
        f.editChain(H, "filter", "FORWARD") { $0.rules = [FirewallRule(rule: "-i br0 ! -o br0 -j DROP", target: "DROP")] }
        XCTAssertEqual(only(f, "no-default-route:ns10:ipv4")?.severity, .info)
    }

    func testGatewayNeighbourFailedForUnbridgedEndpoint() {
        var f = DoctorFixture()
        var n = Namespace(id: 30, names: ["r"], paths: ["/run/netns/r"], heldBy: [Holder(kind: .bindMount, path: "/run/netns/r")])
        n.links = [Link(index: 1, name: "lo", kind: "loopback", flags: ["up", "loopback"]),
                   Link(index: 2, name: "tun0", kind: "tun", flags: DoctorFixture.up, addresses: [IPPrefix("10.213.112.2/24")!])]
        n.routes = [Route(family: .ipv4, table: 254, tableName: "main", dst: nil, gateway: IPAddress("10.213.112.1"), dev: "tun0")]
        n.neighbors = [Neighbor(family: .ipv4, ip: IPAddress("10.213.112.1")!, mac: nil, ifindex: 2, dev: "tun0", state: ["failed"])]
        f.snap.namespaces.append(n)
        XCTAssertEqual(only(f, "gateway-unreachable:ns30:10.213.112.1")?.severity, .error)
    }

    // 10
    func testResolverThatCannotExistInItsNamespace() {
        let f = DoctorFixture()
        let stub = ResolverConfig(source: "/proc/100/root/etc/resolv.conf", nameservers: ["127.0.0.53"], udp53Listeners: [])
        XCTAssertEqual(only(f, "dns-unreachable:ns10:127.0.0.53", DoctorInputs(resolvers: [C1: stub]))?.severity, .error)
        var served = stub; served.udp53Listeners = ["127.0.0.53"]
        XCTAssertEqual(ids(f, DoctorInputs(resolvers: [C1: served])), [])
        // Docker's embedded DNS: 127.0.0.11 answered through DNAT rules in the container's namespace.
        var g = DoctorFixture()
        g.edit(C1) { $0.firewall = Firewall(tables: [FirewallTable(family: "ipv4", name: "nat", source: "iptables", chains: [
            FirewallChain(name: "DOCKER_OUTPUT", rules: [FirewallRule(rule: "-d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination 127.0.0.11:41235", target: "DNAT")])])]) }
        let embedded = ResolverConfig(source: "x", nameservers: ["127.0.0.11"], udp53Listeners: [])
        XCTAssertEqual(ids(g, DoctorInputs(resolvers: [C1: embedded])).filter { $0.hasPrefix("dns") }, [])
        XCTAssertEqual(ids(f, DoctorInputs(resolvers: [C1: embedded])), ["dns-unreachable:ns10:127.0.0.11"])
        // Not read: not checked, and said so.
        XCTAssertEqual(Doctor.report(snapshot: f.snap).notChecked.count, 2)
        XCTAssertEqual(Doctor.report(snapshot: f.snap, inputs: DoctorInputs(resolvers: [:], listeners: [:])).notChecked, [])
    }

    // 11
    func testMacvlanEndpointCannotReachItsHost() {
        var f = DoctorFixture()
        var m = Namespace(id: 40, names: ["m"], paths: ["/run/netns/m"], heldBy: [Holder(kind: .process, pid: 400)], pids: [400])
        m.links = [Link(index: 1, name: "lo", kind: "loopback", flags: ["up", "loopback"]),
                   Link(index: 2, name: "eth0", kind: "macvlan", flags: DoctorFixture.up, parent: RemoteLinkRef(namespace: H, index: 2),
                        addresses: [IPPrefix("10.213.117.50/24")!], macvlanMode: "bridge")]
        m.routes = [Route(family: .ipv4, table: 254, tableName: "main", dst: nil, gateway: IPAddress("10.213.117.1"), dev: "eth0")]
        f.snap.namespaces.append(m)
        let x = only(f, "macvlan-isolation:ns40:eth0")
        XCTAssertEqual(x?.severity, .info)
        XCTAssertEqual(x?.fix?.steps, [
            .createMacvlan(name: "plumbshim2", parent: "eth0", mode: "bridge", mtu: nil, in: .host, moveTo: .host),
            .addAddress(cidr: IPPrefix("10.213.117.254/32")!, link: "plumbshim2", in: .host),
            .setLinkState(link: "plumbshim2", up: true, in: .host),
            .addRoute(dst: .prefix(IPPrefix(addressOrPrefix: "10.213.117.50/32")!), gateway: nil, link: "plumbshim2", in: .host)])
        f.edit(H) { $0.links.append(Link(index: 9, name: "shim", kind: "macvlan", flags: DoctorFixture.up,
                                         parent: RemoteLinkRef(namespace: H, index: 2), addresses: [IPPrefix("10.213.117.254/32")!])) }
        XCTAssertEqual(ids(f), [])
    }

    // 12
    func testHairpinOffForOwnPublishedPort() {
        var f = DoctorFixture()
        f.editChain(H, "nat", "PLUMB-DNAT") {
            $0.rules = [FirewallRule(rule: "-p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.213.110.2:80", target: "DNAT")]
        }
        f.editChain(H, "nat", "PREROUTING") { $0.rules = [FirewallRule(rule: "-m addrtype --dst-type LOCAL -j PLUMB-DNAT", target: "PLUMB-DNAT")] }
        let x = only(f, "hairpin-off:ns1:vethA")
        XCTAssertEqual(x?.fix?.steps, [.setHairpinMode(link: "vethA", on: true, in: .host)])
        XCTAssertEqual(x?.undo?.steps, [.setHairpinMode(link: "vethA", on: false, in: .host)])
        var g = f
        g.editLink(H, "vethA") { $0.bridgePort?.hairpin = true }
        XCTAssertEqual(ids(g), [])
        // Docker with its userland proxy: bridge traffic returns before the DNAT.
        f.editChain(H, "nat", "PLUMB-DNAT") { $0.rules.insert(FirewallRule(rule: "-i br0 -j RETURN", target: "RETURN"), at: 0) }
        XCTAssertEqual(ids(f), [])
    }

    // 13
    func testLeftovers() {
        var f = DoctorFixture()
        f.snap.namespaces.append(Namespace(id: 50, names: ["gone"], paths: ["/run/netns/gone"],
                                           heldBy: [Holder(kind: .bindMount, path: "/run/netns/gone")],
                                           links: [Link(index: 1, name: "lo", kind: "loopback", flags: ["loopback"])]))
        f.edit(H) {
            $0.links.append(Link(index: 10, name: "vx1", kind: "veth", flags: DoctorFixture.up, peer: RemoteLinkRef(namespace: 1, index: 11)))
            $0.links.append(Link(index: 11, name: "vx2", kind: "veth", flags: DoctorFixture.up, peer: RemoteLinkRef(namespace: 1, index: 10)))
        }
        f.editChain(H, "nat", "CNI-DN-0123") { $0.rules = [] }
        f.editChain(H, "nat", "PLUMB-POSTROUTING") {
            $0.rules = [FirewallRule(rule: "-s 10.213.116.0/24 ! -o br9 -m comment --comment \"plumb:old\" -j MASQUERADE", target: "MASQUERADE")]
        }
        f.editChain(H, "nat", "POSTROUTING") { $0.rules.append(FirewallRule(rule: "-j PLUMB-POSTROUTING", target: "PLUMB-POSTROUTING")) }
        let all = run(f)
        let rule = "-s 10.213.116.0/24 ! -o br9 -m comment --comment \"plumb:old\" -j MASQUERADE"
        XCTAssertEqual(Set(all.map(\.id)), ["leftover-netns:ns50", "leftover-veth:ns1:vx1", "leftover-chain:ns1:ipv4:nat:CNI-DN-0123",
                                            "leftover-rule:ns1:ipv4:nat:PLUMB-POSTROUTING:\(DoctorContext.hash(rule))"])
        XCTAssertTrue(all.allSatisfy(\.confirmEach))
        XCTAssertEqual(Set(all.filter { $0.severity == .warning }.map(\.check)), ["leftover-veth"])
        XCTAssertEqual(Set(all.filter { $0.severity == .info }.map(\.check)), ["leftover-netns", "leftover-chain", "leftover-rule"],
                       "chains and rules that apply to nothing are info; so is a named namespace without a process")
        let ns = all.first { $0.id == "leftover-netns:ns50" }
        XCTAssertEqual(ns?.fix?.steps, [.deleteEmptyNamespace(name: "gone")])
        XCTAssertEqual(ns?.undo?.steps, [.createNamespace(name: "gone")])
        let veth = all.first { $0.id == "leftover-veth:ns1:vx1" }
        XCTAssertEqual(veth?.undo?.steps, [.createVeth(name: "vx1", peer: "vx2", mtu: 1500, in: .host, peerIn: .host)])
        let r = all.first { $0.id.hasPrefix("leftover-rule") }
        guard case .firewall(_, let batch, let undo, _)? = r?.fix?.steps.first else { return XCTFail() }
        XCTAssertEqual(batch, "*nat\n-D PLUMB-POSTROUTING \(rule)\nCOMMIT\n")
        XCTAssertEqual(undo, "*nat\n-I PLUMB-POSTROUTING 1 \(rule)\nCOMMIT\n")
    }

    /// `ip netns add x` is named, no process: never a leak. Unnamed and held only by an fd or a stray bind
    /// mount is a likely leak, a warning whose title says why; one in a runtime's directory is named.
    func testOnlyUnnamedNamespacesWithoutAProcessAreLeaks() {
        var f = DoctorFixture()
        let lo = Link(index: 1, name: "lo", kind: "loopback", flags: ["loopback"])
        let eth = Link(index: 2, name: "eth0", kind: "veth", flags: DoctorFixture.up, addresses: [IPPrefix("10.213.5.2/24")!])
        f.snap.namespaces.append(Namespace(id: 60, names: ["vpn"], paths: ["/run/netns/vpn"],
                                           heldBy: [Holder(kind: .bindMount, path: "/run/netns/vpn")], links: [lo, eth]))
        f.snap.namespaces.append(Namespace(id: 61, heldBy: [Holder(kind: .fd, pid: 812, fd: 7)], links: [lo]))
        f.snap.namespaces.append(Namespace(id: 62, paths: ["/tmp/x"], heldBy: [Holder(kind: .bindMount, path: "/tmp/x")], links: [lo, eth]))
        f.snap.namespaces.append(Namespace(id: 63, paths: ["/run/docker/netns/abc"],
                                           heldBy: [Holder(kind: .bindMount, path: "/run/docker/netns/abc")], links: [lo, eth]))
        let found = run(f).filter { $0.check == "leftover-netns" }
        XCTAssertEqual(found.map(\.id), ["leftover-netns:ns61", "leftover-netns:ns62"])
        XCTAssertTrue(found.allSatisfy { $0.severity == .warning && $0.fix == nil })
        XCTAssertEqual(found.first?.title,
                       "likely leaked namespace net:[61]: no name and no process; held only by fd 7 of pid 812; nothing but loopback")
        XCTAssertEqual(found.last?.title, "likely leaked namespace net:[62]: no name and no process; held only by a bind mount at /tmp/x")
        let named = f.snap.namespaces.first { $0.id == 60 }!
        XCTAssertTrue(named.isOrphan)
        XCTAssertFalse(named.isLikelyLeak)
        XCTAssertNil(named.leakReason)
        XCTAssertFalse(f.snap.namespaces.first { $0.id == 63 }!.isLikelyLeak, "Docker's sandbox directory names it")
        XCTAssertEqual(Namespace(id: 64, heldBy: [Holder(kind: .fd, pid: 1, fd: 3)]).leakBadge, "fd only, no name")
    }

    func testScopeFollowsWiringButNotThroughTheRealHost() {
        var f = DoctorFixture()
        f.snap.namespaces[0].isHost = false  // the fixture "host" plays a lab host here
        var real = Namespace(id: 99, isHost: true)
        real.links = [Link(index: 1, name: "v", kind: "veth", peer: RemoteLinkRef(namespace: 77, index: 1))]
        f.snap.namespaces.append(real)
        f.snap.namespaces.append(Namespace(id: 77, links: [Link(index: 1, name: "v", kind: "veth", peer: RemoteLinkRef(namespace: 99, index: 1))]))
        XCTAssertEqual(Doctor.scope(around: H, in: f.snap), [H, C1, C2])
    }

    /// The checks read link addresses, gateways and rule sources as prefixes; a bare address is a host prefix.
    func testAddressesAsPrefixes() {
        func p(_ t: String) -> IPPrefix? { IPPrefix(addressOrPrefix: t) }
        XCTAssertEqual(p("fd13:110::1/64")?.canonical.description, "fd13:110::/64")
        XCTAssertEqual(p("10.213.110.7/24")?.canonical.description, "10.213.110.0/24")
        XCTAssertTrue(p("10.213.0.0/16")!.contains(p("10.213.110.2")!))
        XCTAssertFalse(p("10.213.110.0/25")!.contains(p("10.213.110.200")!))
        XCTAssertTrue(p("::1")!.address.isLoopback)
        XCTAssertNil(p("1::2::3"))
        XCTAssertNil(p(":1::2"))
        XCTAssertNil(p("1:2"))
        XCTAssertNil(p("12345::1"))
        XCTAssertEqual(p("::")?.address.networkBytes, [UInt8](repeating: 0, count: 16))
        XCTAssertNil(p("fe80::1%eth0/64"))                       // zones only where asked for (IPAddress.parseZoned)
        XCTAssertEqual(IPAddress.parseZoned("fe80::1%eth0")?.address.isLinkLocal, true)
        XCTAssertEqual(p("1::")?.address.description, "1::")
        XCTAssertEqual(Array(p("::ffff:1")!.address.networkBytes.suffix(4)), [0xff, 0xff, 0, 1])
        XCTAssertEqual(p("2001:db8:0:0:1:0:0:1")?.address.description, "2001:db8::1:0:0:1")
    }
}
