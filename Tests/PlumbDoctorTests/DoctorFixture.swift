import PlumbModel

/// A healthy little host: uplink eth0 with a default route, bridge br0 (10.213.110.1/24, fd13:110::1/64) with
/// two containers c1 (.2) and c2 (.3) routing via it, forwarding on, the subnet masqueraded. Each test breaks one
/// thing and expects exactly the matching finding.
struct DoctorFixture {
    static let host: UInt64 = 1, c1: UInt64 = 10, c2: UInt64 = 20
    var snap: Snapshot

    static let up = ["up", "broadcast", "running", "lower_up"]

    init() {
        var h = Namespace(id: Self.host, isHost: true, heldBy: [Holder(kind: .process, pid: 1)], pids: [1])
        h.links = [
            Link(index: 1, name: "lo", kind: "loopback", mtu: 65536, flags: ["up", "loopback", "running", "lower_up"],
                 operState: "unknown", addresses: [IPPrefix("127.0.0.1/8")!, IPPrefix("::1/128")!]),
            Link(index: 2, name: "eth0", kind: "device", flags: Self.up, operState: "up", addresses: [IPPrefix("10.213.117.2/24")!]),
            Link(index: 3, name: "br0", kind: "bridge", flags: Self.up, operState: "up",
                 addresses: [IPPrefix("10.213.110.1/24")!, IPPrefix("fd13:110::1/64")!, IPPrefix("fe80::1/64")!]),
            Link(index: 4, name: "vethA", kind: "veth", flags: Self.up, operState: "up", master: LinkRef(index: 3),
                 peer: RemoteLinkRef(namespace: Self.c1, index: 2), bridgePort: BridgePortInfo(state: "forwarding", hairpin: false)),
            Link(index: 5, name: "vethB", kind: "veth", flags: Self.up, operState: "up", master: LinkRef(index: 3),
                 peer: RemoteLinkRef(namespace: Self.c2, index: 2), bridgePort: BridgePortInfo(state: "forwarding", hairpin: false)),
        ]
        h.routes = [
            Route(family: .ipv4, table: 254, tableName: "main", dst: nil, gateway: IPAddress("10.213.117.1"), dev: "eth0"),
            Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix("10.213.117.0/24"), dev: "eth0", scope: "link"),
            Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix("10.213.110.0/24"), dev: "br0", scope: "link"),
        ]
        h.sysctls = Sysctls(ipForward: true, ipv6Forwarding: true, rpFilterAll: 0, rpFilterDefault: 2,
                            rpFilter: ["eth0": 2, "br0": 2], bridgeNfCallIptables: true, bridgeNfCallIp6tables: true)
        h.firewall = Firewall(tables: [
            FirewallTable(family: "ipv4", name: "filter", source: "iptables", chains: [
                FirewallChain(name: "INPUT", policy: "ACCEPT"), FirewallChain(name: "FORWARD", policy: "ACCEPT"),
                FirewallChain(name: "OUTPUT", policy: "ACCEPT")]),
            FirewallTable(family: "ipv4", name: "nat", source: "iptables", chains: [
                FirewallChain(name: "PREROUTING", policy: "ACCEPT"), FirewallChain(name: "OUTPUT", policy: "ACCEPT"),
                FirewallChain(name: "POSTROUTING", policy: "ACCEPT", rules: [
                    FirewallRule(rule: "-s 10.213.110.0/24 ! -o br0 -j MASQUERADE", target: "MASQUERADE")])]),
        ])
        snap = Snapshot(takenAt: 0, namespaces: [h, Self.container(Self.c1, "c1", 2, hostPort: 4),
                                                 Self.container(Self.c2, "c2", 3, hostPort: 5)],
                        processes: [], discovery: DiscoveryStats())
    }

    static func container(_ id: UInt64, _ name: String, _ last: Int, hostPort: Int) -> Namespace {
        var c = Namespace(id: id, names: [name], paths: ["/run/netns/\(name)"], heldBy: [Holder(kind: .process, pid: Int32(id * 10))],
                          pids: [Int32(id * 10)])
        c.links = [
            Link(index: 1, name: "lo", kind: "loopback", mtu: 65536, flags: ["up", "loopback"], operState: "unknown",
                 addresses: [IPPrefix("127.0.0.1/8")!]),
            Link(index: 2, name: "eth0", kind: "veth", flags: up, operState: "up",
                 peer: RemoteLinkRef(namespace: host, index: hostPort),
                 addresses: [IPPrefix("10.213.110.\(last)/24")!, IPPrefix("fd13:110::\(last)/64")!]),
        ]
        c.routes = [
            Route(family: .ipv4, table: 254, tableName: "main", dst: nil, gateway: IPAddress("10.213.110.1"), dev: "eth0"),
            Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix("10.213.110.0/24"), dev: "eth0", scope: "link"),
            Route(family: .ipv6, table: 254, tableName: "main", dst: nil, gateway: IPAddress("fd13:110::1"), dev: "eth0"),
        ]
        c.sysctls = Sysctls(ipForward: false, rpFilterAll: 0)
        return c
    }

    func ns(_ id: UInt64) -> Int { snap.namespaces.firstIndex { $0.id == id }! }

    mutating func edit(_ id: UInt64, _ body: (inout Namespace) -> Void) { body(&snap.namespaces[ns(id)]) }

    mutating func editLink(_ id: UInt64, _ name: String, _ body: (inout Link) -> Void) {
        edit(id) { n in body(&n.links[n.links.firstIndex { $0.name == name }!]) }
    }

    mutating func editChain(_ id: UInt64, family: String = "ipv4", _ table: String, _ chain: String, _ body: (inout FirewallChain) -> Void) {
        edit(id) { n in
            let t = n.firewall.tables.firstIndex { $0.family == family && $0.name == table }!
            if let c = n.firewall.tables[t].chains.firstIndex(where: { $0.name == chain }) {
                body(&n.firewall.tables[t].chains[c])
            } else {
                var c = FirewallChain(name: chain)
                body(&c)
                n.firewall.tables[t].chains.append(c)
            }
        }
    }
}
