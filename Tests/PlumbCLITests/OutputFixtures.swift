import Foundation
@testable import PlumbActions
import PlumbCapture
import PlumbDoctor
import PlumbLab
import PlumbTrace
@testable import PlumbCLI
import PlumbModel

/// Made-up values of every command's result, for the encoder tests and the golden files: no root, no kernel.
/// Strings carry the characters JSON must escape; optionals are both set and unset.
enum OutputFixtures {
    static func snapshot() -> Snapshot {
        var veth = Link(index: 5, name: "veth\"1\\", kind: "veth", mac: "aa:bb:cc:dd:ee:ff", mtu: 1500,
                        flags: ["up", "lower_up"], operState: "up", master: LinkRef(index: 3),
                        peer: RemoteLinkRef(namespace: 200, index: 2), addresses: [IPPrefix("10.213.0.1/24")!, IPPrefix("fd13::1/64")!],
                        bridgePort: BridgePortInfo(state: "forwarding"))
        veth.stats.rxBytes = UInt64.max
        veth.stats.txDropped = 7
        let vx = Link(index: 9, name: "vx0\ttab", kind: "vxlan", parent: RemoteLinkRef(namespace: nil, index: 4),
                      vxlan: VxlanInfo(vni: 42, remote: IPAddress("10.213.2.2"), local: nil, port: 4789))
        let mv = Link(index: 10, name: "mv0", kind: "macvlan", mac: nil, macvlanMode: "bridge")
        let routes = [
            Route(family: .ipv4, table: 254, tableName: "main", dst: nil, gateway: IPAddress("10.213.1.1"), dev: "eth0",
                  ifindex: 2, protocolName: "boot", scope: "global", type: "unicast", metric: 100, prefsrc: IPAddress("10.213.1.2")),
            Route(family: .ipv6, table: 255, tableName: "local", dst: IPPrefix("ff00::/8"), protocolName: "kernel",
                  scope: "global", type: "multicast"),
        ]
        let neighbors = [
            Neighbor(family: .ipv4, ip: IPAddress("10.213.1.1")!, mac: "02:00:00:00:00:01", ifindex: 2, dev: "eth0", state: ["reachable"]),
            Neighbor(family: .ipv6, ip: IPAddress("fd13::9")!, mac: nil, ifindex: 2, dev: nil, state: ["failed"]),
        ]
        let ns = Namespace(id: 100, device: 4, isHost: true, names: ["a\u{1}b"], paths: ["/run/netns/x"],
                           heldBy: [Holder(kind: .process, pid: 1), Holder(kind: .fd, pid: 3, fd: 7),
                                    Holder(kind: .thread, pid: 4, tid: 5), Holder(kind: .bindMount, path: "/run/netns/x")],
                           pids: [1, 2],
                           containers: [Container(runtime: .docker, id: "abc", name: "web", source: "/x")],
                           links: [veth, vx, mv], routes: routes, neighbors: neighbors,
                           sysctls: Sysctls(ipForward: true, rpFilterAll: 2, rpFilter: ["eth0": 1, "a": 0],
                                            forwarding: ["eth0": true], routeLocalnetAll: false),
                           firewall: Firewall(tables: [FirewallTable(family: "ipv4", name: "nat", source: "iptables",
                                                                     chains: [FirewallChain(name: "POSTROUTING", policy: "ACCEPT",
                                                                                            rules: [FirewallRule(rule: "-j MASQUERADE", packets: 1, bytes: 60, target: "MASQUERADE")]),
                                                                              FirewallChain(name: "DOCKER"),
                                                                              FirewallChain(name: "input", policy: "accept", packets: 3, bytes: 9, hook: "input")])],
                                              notes: ["n"]),
                           notes: [], cookie: 4099)
        var stats = DiscoveryStats()
        stats.discoveryMillis = 1.5
        // A likely leak: no name, no process, its holder took it 2h 3m before the snapshot.
        var stray = Namespace(id: 200, notes: ["not read"])
        stray.heldSince = 1795930649.25 - 7380
        return Snapshot(takenAt: 1795930649.25, namespaces: [ns, stray],
                        processes: [ProcessRecord(pid: 1, ppid: 0, comm: "init", cmdline: "/sbin/init splash", uid: 0, namespace: 100),
                                    ProcessRecord(pid: 2, comm: "x", namespace: nil)],
                        discovery: stats, notes: ["note \"quoted\""])
    }


    /// The fixture two seconds later: a link gone, one down, a route gone, a namespace new (for `plumb diff`).
    static func laterSnapshot() -> Snapshot {
        var snap = snapshot()
        snap.takenAt += 2
        snap.namespaces[0].links.removeLast()
        snap.namespaces[0].links[0].operState = "down"
        snap.namespaces[0].routes.removeFirst()
        snap.namespaces.append(Namespace(id: 300, names: ["pt-new"], paths: ["/run/netns/pt-new"],
                                         heldBy: [Holder(kind: .bindMount, path: "/run/netns/pt-new")]))
        return snap
    }

    /// A plan with every kind of namespace reference and a firewall batch.
    static func plans() -> [Plan] {
        [Plan(operation: .nsAdd(name: "uxc"), steps: [.createNamespace(name: "uxc"), .setUp(link: "lo", in: .named("uxc"))]),
         Plan(operation: .netConnect(network: "web", targets: ["pt-a"]), steps: [
            .createVeth(name: "vethpt0", peer: "eth0", mtu: 1400, in: .host, peerIn: .path("/proc/42/ns/net")),
            .addAddress(cidr: IPPrefix("10.213.0.2/24")!, link: "eth0", in: .path("/proc/42/ns/net")),
            .firewall(family: "ipv4", batch: "*filter\n-A PT-X -j ACCEPT\nCOMMIT\n", undo: "", in: .host),
         ])]
    }

    static func network() -> NetworkRecord {
        NetworkRecord(name: "web", config: .bridge(BridgeConfig(bridge: "pl-web")), subnet: IPPrefix("10.213.0.0/24")!,
                      gateway: IPAddress("10.213.0.1")!, ipRange: nil, mtu: 1400, internal: false, createdAt: 1_700_000_000.5)
    }

    static func endpoints() -> [EndpointRecord] {
        [EndpointRecord(network: "web", sandbox: "4026532500", ifname: "eth0", hostIfname: "vethpt0",
                        address: IPAddress("10.213.0.2"), mac: "02:42:0a:d5:00:02",
                        ports: [PortMapping(hostIP: IPAddress("127.0.0.1"), hostPort: 8080, containerPort: 80)],
                        createdAt: 1_700_000_100, driverState: nil),
         EndpointRecord(network: "web", sandbox: "pt-b", ifname: "eth1", createdAt: 1_700_000_200)]
    }

    static func inspection() -> NetworkService.InspectReport {
        NetworkService.InspectReport(network: network(), endpoints: endpoints(), drift: ["bridge pl-web is down"],
                                     sandboxNames: endpoints().map { "pt-\($0.ifname) (net:[\($0.sandbox)])" })
    }

    static func doctorReport() -> Doctor.Report {
        let fix = Plan(operation: .other("fix mtu-mismatch"), steps: [
            .setMTU(link: "eth0", mtu: 1400, previous: 1500, in: .named("pt-a")),
        ])
        return Doctor.Report(findings: [
            Finding(id: "mtu-mismatch:ns100:eth0", check: "mtu-mismatch", checkNumber: 4, severity: .error,
                    title: "MTU 1500 on eth0 is above its bridge's 1400",
                    subjects: [Finding.Subject(namespace: 100, kind: .link, name: "eth0")],
                    evidence: ["eth0 mtu 1500", "pl-web mtu 1400"], explanation: "Large packets are dropped.",
                    fix: fix),
            Finding(id: "leftover:ns200", check: "leftover-namespace", checkNumber: 9, severity: .info,
                    title: "Namespace held by nothing", subjects: [Finding.Subject(namespace: 200, kind: .namespace)],
                    evidence: [], explanation: "Nothing uses it.", confirmEach: true),
        ], notChecked: ["10 dns: resolv.conf not read"])
    }

    /// A finding whose fix the comparison does not offer: it mends its flow and opens another.
    static func findingWithImpact() -> Finding {
        let fix = Plan(operation: .doctorFix(findingID: "forward-drop:ns1:ipv4:pt-br"), steps: [
            .firewall(family: "ipv4", batch: "*filter\n-P FORWARD ACCEPT\nCOMMIT\n", undo: "*filter\n-P FORWARD DROP\nCOMMIT\n", in: .host),
        ])
        var f = Finding(id: "forward-drop:ns1:ipv4:pt-br", check: "forward-drop", checkNumber: 3, severity: .error,
                        title: "FORWARD drops everything from pt-br in host (IPv4)",
                        subjects: [Finding.Subject(namespace: 1, kind: .link, name: "pt-br")],
                        evidence: ["ipv4 filter: :FORWARD DROP [0:0]"], explanation: "Nothing accepts it.", fix: fix)
        f.impact = FixImpact(flowsCompared: 5, flows: [
            FixImpact.Flow(namespace: 1, flow: "tcp 10.213.0.2:40000 → 198.51.100.7:443 (pt-a out of pt-br to the outside)",
                           before: "dropped by policy of filter/FORWARD", after: "forwarded out eth0", concerned: true, healthyAfter: true),
            FixImpact.Flow(namespace: 1, flow: "tcp 198.51.100.7:40000 → 10.213.0.2:80 (new connection from outside on eth0 to pt-a)",
                           before: "dropped by policy of filter/FORWARD", after: "forwarded out pt-br", concerned: false),
        ], mends: true, offered: false,
           reason: "it changes 1 flow the finding is not about, e.g. tcp 198.51.100.7:40000 → 10.213.0.2:80 (new connection from outside on eth0 to pt-a): dropped by policy of filter/FORWARD → forwarded out pt-br")
        return f
    }

    /// A trace that is dropped at its second hop (decoded: the result types have no public initializer).
    static func trace() throws -> TraceResult {
        let packet = #"{"family":"ipv4","source":"10.213.0.2","destination":"10.213.1.2","proto":"tcp","sourcePort":43210,"destinationPort":80,"size":60,"mark":0,"natStates":["SNAT","DNAT"]}"#
        let json = """
            {"request":{"sourceNamespace":100,"destination":"10.213.1.2","destinationNamespace":200,"proto":"tcp",\
            "sourcePort":43210,"destinationPort":80,"size":60},"packet":\(packet),"hops":[\
            {"number":1,"namespace":100,"namespaceName":"pt-a","role":"send","outInterface":"eth0","steps":[\
            {"kind":"route","text":"default via 10.213.0.1 dev eth0","passed":true,\
            "route":{"type":"unicast","table":254,"outputInterface":2,"gateway":"10.213.0.1","matchedPrefix":"default"}}],\
            "packet":\(packet)},\
            {"number":2,"namespace":1,"namespaceName":"host","role":"forward","inInterface":"vethpt0","bridge":"pl-web",\
            "steps":[{"kind":"netfilter","text":"FORWARD policy DROP","passed":false}],"packet":\(packet)}],\
            "verdict":"DROPPED","reason":"the FORWARD chain's policy is DROP","dropHop":2,"uncertainties":[]}
            """
        return try JSONDecoder().decode(TraceResult.self, from: Data(json.utf8))
    }

    /// An ICMP echo request between two lab addresses, as a veth capture sees it.
    static func packetLine() -> PacketLine {
        let ethernet: [UInt8] = [0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]
        var ip: [UInt8] = [0x45, 0, 0, 28, 0x12, 0x34, 0x40, 0, 64, 1, 0, 0, 10, 213, 0, 1, 10, 213, 0, 2]
        var sum: UInt32 = 0
        for i in stride(from: 0, to: ip.count, by: 2) { sum += UInt32(ip[i]) << 8 | UInt32(ip[i + 1]) }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        ip[10] = UInt8((~sum >> 8) & 0xFF); ip[11] = UInt8(~sum & 0xFF)
        let icmp: [UInt8] = [8, 0, 0xF7, 0xFE, 0, 1, 0, 0]
        let bytes = ethernet + ip + icmp
        let info = CaptureSourceInfo(source: CaptureSource(label: "pt-a/eth0", interface: "eth0",
                                                           namespaceDescription: "netns pt-a"),
                                     linkType: .ethernet, snapLength: 262_144)
        let packet = LivePacket(sequence: 7, timestamp: PacketTimestamp(seconds: 1_764_378_123, nanoseconds: 4_005_006),
                                source: 0, originalLength: bytes.count, data: bytes[...])
        let decoded = PacketDecoder.decode(bytes, linkType: .ethernet, wireLength: bytes.count)
        return PacketLine(packet: packet, info: info, decoded: decoded, labelled: false)
    }
}
