import PlumbModel
import PlumbTUI

/// A believable container host, built in code so every test (and the demo) sees the same thing:
/// - the host with eth0, three bridges (docker0, a user-defined Docker network, cni-podman0), a macvlan
///   and a VXLAN on eth0, and the host ends of 12 veth pairs;
/// - 12 container namespaces (Docker, Podman, CNI), one with an extra macvlan on the host's eth0;
/// - a veth pair whose container end is down (host end: no carrier) and one whose host end is down;
/// - two leaked namespaces (bind mount only, fd only), one with a veth whose peer is unresolved;
/// - Docker/CNI/Podman/Plumb/Kubernetes firewall chains with counters that move between steps.
///
/// `snapshot(step:)` is the same lab `step` refreshes (2 s apart) later: counters grow at per-link
/// rates that vary with the step, so rates and sparklines have shape.
enum LabFixture {
    static let hostID: UInt64 = 4026531840
    static let t0 = 1_795_930_000.0
    static let interval = 2.0

    struct ContainerSpec {
        var name: String
        var runtime: Container.Runtime
        var bridge: Int          // host ifindex of the bridge
        var address: String
        var gateway: String
        var hostVeth: String
        var containerDown = false
        var hostDown = false
        var netnsName: String? = nil
        var containerName: String? = nil
        var comm: String
    }

    static let containers: [ContainerSpec] = [
        ContainerSpec(name: "redis", runtime: .docker, bridge: 3, address: "172.17.0.2/16", gateway: "172.17.0.1",
                      hostVeth: "veth3c1f2a9", comm: "redis-server"),
        ContainerSpec(name: "postgres", runtime: .docker, bridge: 3, address: "172.17.0.3/16", gateway: "172.17.0.1",
                      hostVeth: "veth8d02b4e", comm: "postgres"),
        ContainerSpec(name: "grafana", runtime: .docker, bridge: 3, address: "172.17.0.4/16", gateway: "172.17.0.1",
                      hostVeth: "veth1b7e0c3", comm: "grafana"),
        ContainerSpec(name: "batch", runtime: .docker, bridge: 3, address: "172.17.0.5/16", gateway: "172.17.0.1",
                      hostVeth: "veth5a9d7f1", containerDown: true, comm: "python3"),
        ContainerSpec(name: "web-frontend", runtime: .docker, bridge: 4, address: "172.18.0.2/16",
                      gateway: "172.18.0.1", hostVeth: "vethe4f6a21", comm: "nginx"),
        ContainerSpec(name: "web-api", runtime: .docker, bridge: 4, address: "172.18.0.3/16", gateway: "172.18.0.1",
                      hostVeth: "veth07c3d58", comm: "node"),
        ContainerSpec(name: "web-worker", runtime: .docker, bridge: 4, address: "172.18.0.4/16",
                      gateway: "172.18.0.1", hostVeth: "veth9f1e6b2", hostDown: true, comm: "celery"),
        ContainerSpec(name: "sensor", runtime: .docker, bridge: 4, address: "172.18.0.5/16", gateway: "172.18.0.1",
                      hostVeth: "veth2e8a4d7", comm: "telegraf"),
        ContainerSpec(name: "pod-nginx", runtime: .podman, bridge: 5, address: "10.88.0.2/16", gateway: "10.88.0.1",
                      hostVeth: "veth6b3c9e0", comm: "nginx"),
        ContainerSpec(name: "pod-cache", runtime: .podman, bridge: 5, address: "10.88.0.3/16", gateway: "10.88.0.1",
                      hostVeth: "vetha1d5f83", comm: "memcached"),
        ContainerSpec(name: "metrics", runtime: .cni, bridge: 5, address: "10.88.0.4/16", gateway: "10.88.0.1",
                      hostVeth: "veth4c7b2e6", netnsName: "cni-5e0b7c1d-2a4f-4b8e-9c3d-6f1a2b3c4d5e",
                      comm: "prometheus"),
        ContainerSpec(name: "", runtime: .cni, bridge: 5, address: "10.88.0.5/16", gateway: "10.88.0.1",
                      hostVeth: "veth0d9a3f5", netnsName: "cni-7c1e2b8a-5d4f-4e3a-9b2c-1f0e9d8c7b6a",
                      comm: "pause"),
    ]

    static func containerID(_ i: Int) -> UInt64 { 4026532200 + UInt64(i) * 8 }
    static let leakID: UInt64 = 4026532900
    static let fdLeakID: UInt64 = 4026532990
    static func hostVethIndex(_ i: Int) -> Int { 8 + i }

    // MARK: counters

    /// Bytes per second of link `key` during interval `s` (before step s): a per-link wave.
    static func rate(_ key: Int, _ s: Int) -> UInt64 {
        let shape: [UInt64] = [1, 2, 3, 5, 8, 6, 4, 3, 2, 1, 0, 1]
        return UInt64(key % 5 + 1) * 1_500 * shape[(s + key) % shape.count]
    }

    static func stats(_ key: Int, step: Int, reverse: Bool = false, down: Bool = false) -> LinkStats {
        var st = LinkStats()
        if down { return st }
        var bytes: UInt64 = UInt64(key) * 12_345
        for s in 0..<(step + 1) { bytes += rate(key, s) * UInt64(interval) }
        let other = bytes / 3 + UInt64(key) * 1000
        st.rxBytes = reverse ? other : bytes
        st.txBytes = reverse ? bytes : other
        st.rxPackets = st.rxBytes / 600
        st.txPackets = st.txBytes / 600
        return st
    }

    // MARK: the snapshot

    static func snapshot(step: Int = 30) -> Snapshot {
        var namespaces = [host(step: step)]
        for i in containers.indices { namespaces.append(container(i, step: step)) }
        namespaces.append(Namespace(
            id: leakID, device: 4, names: ["pt-leak"], paths: ["/run/netns/pt-leak"],
            heldBy: [Holder(kind: .bindMount, path: "/run/netns/pt-leak")],
            links: [Link(index: 1, name: "lo", kind: "loopback", mtu: 65536, flags: ["loopback"], operState: "down"),
                    Link(index: 5, name: "dangling0", kind: "veth", mac: "aa:bb:cc:00:00:05", flags: ["up", "broadcast"],
                         operState: "lowerlayerdown", peer: RemoteLinkRef(namespace: nil, index: 9),
                         addresses: [IPPrefix("10.213.9.2/24")!])],
            firewall: Firewall(notes: ["iptables-save not installed"])))
        var fdLeak = Namespace(
            id: fdLeakID, device: 4, heldBy: [Holder(kind: .fd, pid: 812, fd: 17)],
            links: [Link(index: 1, name: "lo", kind: "loopback", mtu: 65536, flags: ["loopback"], operState: "down")])
        fdLeak.heldSince = t0 - 7320  // held for 2h 3m at step 30 (60 s later)
        namespaces.append(fdLeak)

        var procs = [
            ProcessRecord(pid: 1, comm: "systemd", cmdline: "/sbin/init", namespace: nil),
            ProcessRecord(pid: 412, ppid: 1, comm: "sshd", cmdline: "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups",
                          namespace: hostID),
            ProcessRecord(pid: 812, ppid: 1, comm: "dockerd",
                          cmdline: "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock --storage-driver=vfs",
                          namespace: hostID),
            ProcessRecord(pid: 790, ppid: 1, comm: "containerd", cmdline: "/usr/bin/containerd", namespace: hostID),
            // Kernel threads: the Processes tab hides them unless `a`.
            ProcessRecord(pid: 2, ppid: 0, comm: "kthreadd", namespace: hostID),
            ProcessRecord(pid: 15, ppid: 2, comm: "ksoftirqd/0", namespace: hostID),
        ]
        for (i, c) in containers.enumerated() {
            let pid = Int32(2000 + i * 10)
            procs.append(ProcessRecord(pid: pid, ppid: 1990, comm: c.comm, cmdline: "\(c.comm) --listen 0.0.0.0",
                                       uid: i % 3 == 0 ? 999 : 0, namespace: containerID(i)))
        }
        var d = DiscoveryStats()
        d.processesScanned = 143; d.processesUnreadable = 1; d.discoveryMillis = 9.8; d.netlinkMillis = 41.2
        d.firewallMillis = 22.5; d.wiringMillis = 2.6
        return Snapshot(takenAt: t0 + Double(step) * interval, namespaces: namespaces, processes: procs, discovery: d,
                        notes: [UnreadableProcessesNote.text([procs[0]], count: 1)])
    }

    static func host(step: Int) -> Namespace {
        let upFlags = ["up", "broadcast", "multicast", "running", "lower_up"]
        var links: [Link] = [
            Link(index: 1, name: "lo", kind: "loopback", mtu: 65536, flags: ["up", "loopback", "running", "lower_up"],
                 operState: "unknown", addresses: [IPPrefix("127.0.0.1/8")!, IPPrefix("::1/128")!], stats: stats(1, step: step)),
            Link(index: 2, name: "eth0", kind: "device", mac: "52:54:00:12:34:56", flags: upFlags, operState: "up",
                 addresses: [IPPrefix("192.168.1.10/24")!, IPPrefix("fe80::5054:ff:fe12:3456/64")!], stats: stats(2, step: step)),
            Link(index: 3, name: "docker0", kind: "bridge", mac: "02:42:5f:1a:2b:3c", flags: upFlags, operState: "up",
                 addresses: [IPPrefix("172.17.0.1/16")!], stats: stats(3, step: step)),
            Link(index: 4, name: "br-3f2a1b9c0d11", kind: "bridge", mac: "02:42:8e:4d:5c:6b", flags: upFlags,
                 operState: "up", addresses: [IPPrefix("172.18.0.1/16")!], stats: stats(4, step: step)),
            Link(index: 5, name: "cni-podman0", kind: "bridge", mac: "de:ad:be:ef:00:05", flags: upFlags, operState: "up",
                 addresses: [IPPrefix("10.88.0.1/16")!], stats: stats(5, step: step)),
            Link(index: 6, name: "mvhost", kind: "macvlan", mac: "52:54:00:aa:00:06", flags: upFlags, operState: "up",
                 parent: RemoteLinkRef(namespace: hostID, index: 2), addresses: [IPPrefix("192.168.1.11/24")!],
                 stats: stats(6, step: step), macvlanMode: "bridge"),
            Link(index: 7, name: "vxlan100", kind: "vxlan", mac: "9a:1c:00:00:01:00", mtu: 1450, flags: upFlags,
                 operState: "unknown", parent: RemoteLinkRef(namespace: hostID, index: 2), addresses: [IPPrefix("10.99.0.1/24")!],
                 stats: stats(7, step: step),
                 vxlan: VxlanInfo(vni: 100, remote: IPAddress("192.168.1.20"), local: IPAddress("192.168.1.10"), port: 4789)),
        ]
        for (i, c) in containers.enumerated() {
            var flags = c.hostDown ? ["broadcast", "multicast"] : upFlags
            if c.containerDown { flags.removeAll { $0 == "lower_up" || $0 == "running" } }
            var st = stats(10 + i, step: step, down: c.hostDown || c.containerDown)
            // redis' veth keeps dropping packets; postgres' saw a few errors long ago.
            if i == 0 { st.rxDropped = UInt64(2 + 5 * step) }
            if i == 1 { st.txErrors = 3 }
            links.append(Link(index: hostVethIndex(i), name: c.hostVeth, kind: "veth",
                              mac: "ee:00:00:00:00:\(String(hostVethIndex(i), radix: 16).leftPad(2))",
                              flags: flags, operState: c.hostDown ? "down" : c.containerDown ? "lowerlayerdown" : "up",
                              master: LinkRef(index: c.bridge), peer: RemoteLinkRef(namespace: containerID(i), index: 2),
                              stats: st, bridgePort: BridgePortInfo(state: c.hostDown ? "disabled" : "forwarding")))
        }
        return Namespace(
            id: hostID, device: 4, isHost: true, heldBy: [Holder(kind: .process, pid: 1)], pids: [1, 412, 790, 812],
            links: links, routes: hostRoutes(), neighbors: [
                Neighbor(family: .ipv4, ip: IPAddress("192.168.1.1")!, mac: "52:54:00:00:00:01", ifindex: 2, dev: "eth0",
                         state: ["reachable"]),
                Neighbor(family: .ipv4, ip: IPAddress("192.168.1.20")!, mac: nil, ifindex: 2, dev: "eth0", state: ["failed"]),
                Neighbor(family: .ipv4, ip: IPAddress("172.17.0.2")!, mac: "02:42:ac:11:00:02", ifindex: 3, dev: "docker0",
                         state: ["stale"]),
                Neighbor(family: .ipv6, ip: IPAddress("fe80::1")!, mac: "52:54:00:00:00:01", ifindex: 2, dev: "eth0",
                         state: ["reachable", "router"]),
                // Hidden unless `a`, as `ip neigh` hides it.
                Neighbor(family: .ipv6, ip: IPAddress("ff02::1")!, mac: "33:33:00:00:00:01", ifindex: 2, dev: "eth0",
                         state: ["noarp"]),
            ],
            sysctls: Sysctls(ipForward: true, ipv6Forwarding: false, rpFilterAll: 2, rpFilterDefault: 2,
                             rpFilter: ["eth0": 2, "docker0": 2], forwarding: ["eth0": true, "docker0": true],
                             routeLocalnetAll: false, routeLocalnetDefault: false, bridgeNfCallIptables: true,
                             bridgeNfCallIp6tables: true),
            firewall: hostFirewall(step: step), sockets: hostSockets())
    }

    private static func ep(_ a: String, _ port: UInt16) -> SocketEndpoint {
        SocketEndpoint(address: IPAddress(a)!, port: port)
    }

    /// sshd listening with one session open, dhclient, dockerd's API socket.
    static func hostSockets() -> [SocketRecord] {
        [
            SocketRecord(proto: .tcp, family: .ipv4, state: .listen, local: ep("0.0.0.0", 22), remote: ep("0.0.0.0", 0),
                         sendQueue: 128, inode: 20_101, owners: [SocketOwner(pid: 412, fd: 3, comm: "sshd")]),
            SocketRecord(proto: .tcp, family: .ipv4, state: .established, local: ep("192.168.1.10", 22),
                         remote: ep("192.168.1.5", 53_122), sendQueue: 36, inode: 20_140,
                         tcp: TCPInfo(rttMicros: 1_250, rttVarianceMicros: 400, rtoMicros: 204_000, congestionWindow: 10,
                                      slowStartThreshold: 7, mss: 1448, retransmits: 0, totalRetransmits: 2,
                                      congestionAlgorithm: "cubic"),
                         owners: [SocketOwner(pid: 412, fd: 4, comm: "sshd")]),
            SocketRecord(proto: .udp, family: .ipv4, state: .close, local: ep("0.0.0.0", 68), remote: ep("0.0.0.0", 0),
                         inode: 20_150),
            SocketRecord(proto: .unixStream, family: nil, state: .listen, sendQueue: 4096, inode: 20_160,
                         path: "/run/docker.sock", owners: [SocketOwner(pid: 812, fd: 5, comm: "dockerd")]),
        ]
    }

    /// The port each container's program listens on (nil: a client or a batch job).
    static func listenPort(_ c: ContainerSpec) -> UInt16? {
        ["redis-server": 6379, "postgres": 5432, "grafana": 3000, "nginx": 80, "node": 8080, "memcached": 11211,
         "prometheus": 9090][c.comm]
    }

    static func hostRoutes() -> [Route] {
        [
            Route(family: .ipv4, table: 254, tableName: "main", dst: nil, gateway: IPAddress("192.168.1.1"), dev: "eth0",
                  ifindex: 2, protocolName: "dhcp", scope: "global", metric: 100, prefsrc: IPAddress("192.168.1.10")),
            Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix("10.88.0.0/16"), dev: "cni-podman0", ifindex: 5,
                  protocolName: "kernel", scope: "link", prefsrc: IPAddress("10.88.0.1")),
            Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix("10.99.0.0/24"), dev: "vxlan100", ifindex: 7,
                  protocolName: "kernel", scope: "link", prefsrc: IPAddress("10.99.0.1")),
            Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix("172.17.0.0/16"), dev: "docker0", ifindex: 3,
                  protocolName: "kernel", scope: "link", prefsrc: IPAddress("172.17.0.1")),
            Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix("172.18.0.0/16"), dev: "br-3f2a1b9c0d11",
                  ifindex: 4, protocolName: "kernel", scope: "link", prefsrc: IPAddress("172.18.0.1")),
            Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix("192.168.1.0/24"), dev: "eth0", ifindex: 2,
                  protocolName: "kernel", scope: "link", prefsrc: IPAddress("192.168.1.10")),
            Route(family: .ipv4, table: 255, tableName: "local", dst: IPPrefix("127.0.0.1/32"), dev: "lo", ifindex: 1,
                  protocolName: "kernel", scope: "host", type: "local", prefsrc: IPAddress("127.0.0.1")),
            Route(family: .ipv4, table: 255, tableName: "local", dst: IPPrefix("172.17.0.1/32"), dev: "docker0", ifindex: 3,
                  protocolName: "kernel", scope: "host", type: "local", prefsrc: IPAddress("172.17.0.1")),
            Route(family: .ipv6, table: 254, tableName: "main", dst: IPPrefix("fe80::/64"), dev: "eth0", ifindex: 2,
                  protocolName: "kernel", scope: "global", metric: 256),
        ]
    }

    static func container(_ i: Int, step: Int) -> Namespace {
        let c = containers[i]
        let id = containerID(i)
        let cid = String(repeating: String(format2(i)), count: 16)
        let upFlags = ["up", "broadcast", "multicast", "running", "lower_up"]
        var eth0Flags = c.containerDown ? ["broadcast", "multicast"] : upFlags
        if c.hostDown { eth0Flags.removeAll { $0 == "lower_up" || $0 == "running" } }
        var links = [
            Link(index: 1, name: "lo", kind: "loopback", mtu: 65536, flags: ["up", "loopback", "running", "lower_up"],
                 operState: "unknown", addresses: [IPPrefix("127.0.0.1/8")!]),
            Link(index: 2, name: "eth0", kind: "veth", mac: "02:42:ac:00:00:\(format2(i))", flags: eth0Flags,
                 operState: c.containerDown ? "down" : c.hostDown ? "lowerlayerdown" : "up",
                 peer: RemoteLinkRef(namespace: hostID, index: hostVethIndex(i)), addresses: [IPPrefix(c.address)!],
                 stats: stats(10 + i, step: step, reverse: true, down: c.hostDown || c.containerDown)),
        ]
        var routes = [
            Route(family: .ipv4, table: 254, tableName: "main", dst: nil, gateway: IPAddress(c.gateway), dev: "eth0",
                  ifindex: 2, protocolName: "boot", scope: "global"),
            Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix(network(c.address)), dev: "eth0", ifindex: 2,
                  protocolName: "kernel", scope: "link", prefsrc: IPAddress(String(c.address.split(separator: "/")[0]))),
        ]
        if c.name == "sensor" {
            links.append(Link(index: 3, name: "eth1", kind: "macvlan", mac: "02:42:c0:a8:01:1e", flags: upFlags,
                              operState: "up", parent: RemoteLinkRef(namespace: hostID, index: 2),
                              addresses: [IPPrefix("192.168.1.30/24")!], stats: stats(30, step: step), macvlanMode: "bridge"))
            routes.append(Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix("192.168.1.0/24"), dev: "eth1",
                                ifindex: 3, protocolName: "kernel", scope: "link", prefsrc: IPAddress("192.168.1.30")))
        }
        let source = c.runtime == .docker ? "/var/lib/docker/containers/\(cid)/config.v2.json"
            : c.runtime == .podman ? "/var/lib/containers/storage/overlay-containers/containers.json"
            : "/var/lib/cni/networks/podman/\(c.address.split(separator: "/")[0])"
        var fw = Firewall()
        if c.name == "web-api" {
            fw = Firewall(tables: [FirewallTable(family: "ipv4", name: "filter", source: "iptables", chains: [
                FirewallChain(name: "INPUT", policy: "ACCEPT", packets: 40 + UInt64(step) * 3, bytes: 4_000 + UInt64(step) * 300,
                              rules: [FirewallRule(rule: "-p tcp -m tcp --dport 8080 -j ACCEPT",
                                                   packets: 900 + UInt64(step) * 25, bytes: 90_000 + UInt64(step) * 2_500,
                                                   target: "ACCEPT")]),
            ])])
        }
        if c.name == "metrics" { fw.notes = ["nft not installed: native nftables tables not read"] }
        return Namespace(
            id: id, device: 4, names: c.netnsName.map { [$0] } ?? [],
            paths: c.netnsName.map { ["/run/netns/\($0)"] } ?? ["/run/docker/netns/\(cid.prefix(12))"],
            heldBy: [Holder(kind: .process, pid: Int32(2000 + i * 10)),
                     Holder(kind: .bindMount, path: c.netnsName.map { "/run/netns/\($0)" } ?? "/run/docker/netns/\(cid.prefix(12))")],
            pids: [Int32(2000 + i * 10)],
            containers: [Container(runtime: c.runtime, id: cid, name: c.name, source: source)],
            links: links, routes: routes,
            neighbors: c.containerDown ? [] : [Neighbor(family: .ipv4, ip: IPAddress(c.gateway)!, mac: "02:42:5f:1a:2b:3c", ifindex: 2,
                                                        dev: "eth0", state: ["reachable"])],
            sysctls: Sysctls(ipForward: false, ipv6Forwarding: false, rpFilterAll: 0, rpFilterDefault: 0,
                             rpFilter: ["eth0": 0], forwarding: ["eth0": false], routeLocalnetAll: false,
                             routeLocalnetDefault: false),
            firewall: fw,
            sockets: listenPort(c).map { port in
                // memcached listens on loopback only: the case a published port cannot reach.
                [SocketRecord(proto: .tcp, family: .ipv4, state: .listen,
                              local: ep(c.comm == "memcached" ? "127.0.0.1" : "0.0.0.0", port), remote: ep("0.0.0.0", 0),
                              sendQueue: 511, inode: 30_000 + UInt64(i),
                              owners: [SocketOwner(pid: Int32(2000 + i * 10), fd: 6, comm: c.comm)])]
            } ?? [])
    }

    static func hostFirewall(step s: Int) -> Firewall {
        let k = UInt64(s)
        func r(_ rule: String, _ p: UInt64, _ growth: UInt64 = 0, _ target: String? = nil) -> FirewallRule {
            FirewallRule(rule: rule, packets: p + growth * k, bytes: (p + growth * k) * 84, target: target)
        }
        let filter = FirewallTable(family: "ipv4", name: "filter", source: "iptables", chains: [
            FirewallChain(name: "INPUT", policy: "ACCEPT", packets: 51_200 + 40 * k, bytes: 9_800_000 + 5_000 * k),
            FirewallChain(name: "FORWARD", policy: "DROP", packets: 12 + k, bytes: 1_008 + 84 * k, rules: [
                r("-j DOCKER-USER", 88_000, 120, "DOCKER-USER"),
                r("-j DOCKER-ISOLATION-STAGE-1", 88_000, 120, "DOCKER-ISOLATION-STAGE-1"),
                r("-o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", 41_000, 70, "ACCEPT"),
                r("-o docker0 -j DOCKER", 310, 2, "DOCKER"),
                r("-i docker0 ! -o docker0 -j ACCEPT", 39_500, 45, "ACCEPT"),
                r("-i docker0 -o docker0 -j ACCEPT", 120),
                r("-o br-3f2a1b9c0d11 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", 5_200, 3, "ACCEPT"),
                r("-o br-3f2a1b9c0d11 -j DOCKER", 44, 0, "DOCKER"),
                r("-i br-3f2a1b9c0d11 ! -o br-3f2a1b9c0d11 -j ACCEPT", 1_800),
                r("-j CNI-FORWARD", 900, 1, "CNI-FORWARD"),
                r("-j NETAVARK_FORWARD", 0, 0, "NETAVARK_FORWARD"),
                r("-j KUBE-FORWARD", 0, 0, "KUBE-FORWARD"),
            ]),
            FirewallChain(name: "OUTPUT", policy: "ACCEPT", packets: 60_000 + 50 * k, bytes: 12_000_000 + 6_000 * k),
            FirewallChain(name: "DOCKER", rules: [
                r("-d 172.17.0.3/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 5432 -j ACCEPT", 310, 2, "ACCEPT"),
                r("-d 172.18.0.2/32 ! -i br-3f2a1b9c0d11 -o br-3f2a1b9c0d11 -p tcp -m tcp --dport 80 -j ACCEPT", 44),
            ]),
            FirewallChain(name: "DOCKER-ISOLATION-STAGE-1", rules: [
                r("-i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2", 39_500, 45, "DOCKER-ISOLATION-STAGE-2"),
                r("-i br-3f2a1b9c0d11 ! -o br-3f2a1b9c0d11 -j DOCKER-ISOLATION-STAGE-2", 1_800, 0,
                  "DOCKER-ISOLATION-STAGE-2"),
                r("-j RETURN", 88_000, 120, "RETURN"),
            ]),
            FirewallChain(name: "DOCKER-ISOLATION-STAGE-2", rules: [
                r("-o docker0 -j DROP", 0, 0, "DROP"),
                r("-o br-3f2a1b9c0d11 -j DROP", 3, 0, "DROP"),
                r("-j RETURN", 41_297, 45, "RETURN"),
            ]),
            FirewallChain(name: "DOCKER-USER", rules: [r("-j RETURN", 88_000, 120, "RETURN")]),
            FirewallChain(name: "CNI-FORWARD", rules: [
                r("-m comment --comment \"CNI firewall plugin rules\" -j CNI-ADMIN", 900, 1, "CNI-ADMIN"),
                r("-d 10.88.0.4/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", 600, 1, "ACCEPT"),
            ]),
            FirewallChain(name: "CNI-ADMIN"),
            FirewallChain(name: "NETAVARK_FORWARD", rules: [r("-m conntrack --ctstate INVALID -j DROP", 0, 0, "DROP")]),
            FirewallChain(name: "KUBE-FORWARD", rules: [
                r("-m comment --comment \"kubernetes forwarding rules\" -m mark --mark 0x4000/0x4000 -j ACCEPT", 0),
            ]),
            FirewallChain(name: "PLUMB-COUNT", rules: [
                r("-p icmp -m comment --comment \"plumb test counts\" -j ACCEPT", 6, 2, "ACCEPT"),
            ]),
        ])
        let nat = FirewallTable(family: "ipv4", name: "nat", source: "iptables", chains: [
            FirewallChain(name: "PREROUTING", policy: "ACCEPT", packets: 2_300 + 4 * k, bytes: 180_000 + 300 * k, rules: [
                r("-m addrtype --dst-type LOCAL -j DOCKER", 1_900, 3, "DOCKER"),
                r("-m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT", 1_900, 3, "CNI-HOSTPORT-DNAT"),
            ]),
            FirewallChain(name: "POSTROUTING", policy: "ACCEPT", packets: 7_700 + 9 * k, bytes: 560_000 + 700 * k, rules: [
                r("-s 172.17.0.0/16 ! -o docker0 -j MASQUERADE", 2_100, 5, "MASQUERADE"),
                r("-s 172.18.0.0/16 ! -o br-3f2a1b9c0d11 -j MASQUERADE", 300),
                r("-s 10.88.0.0/16 -j CNI-5e0b7c1d2a4f4b8e9c3d", 90, 1, "CNI-5e0b7c1d2a4f4b8e9c3d"),
            ]),
            FirewallChain(name: "DOCKER", rules: [
                r("-i docker0 -j RETURN", 0, 0, "RETURN"),
                r("! -i docker0 -p tcp -m tcp --dport 5432 -j DNAT --to-destination 172.17.0.3:5432", 12, 1, "DNAT"),
                r("! -i br-3f2a1b9c0d11 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.18.0.2:80", 7),
            ]),
            FirewallChain(name: "CNI-HOSTPORT-DNAT"),
            FirewallChain(name: "CNI-5e0b7c1d2a4f4b8e9c3d", rules: [
                r("-d 10.88.0.0/16 -j ACCEPT", 80, 1, "ACCEPT"),
                r("! -d 224.0.0.0/4 -j MASQUERADE", 10, 0, "MASQUERADE"),
            ]),
        ])
        return Firewall(tables: [filter, nat])
    }

    /// Snapshots of steps 0...step fed into a history, the way the refresh loop would.
    static func history(upTo step: Int = 30, capacity: Int = 60) -> RateHistory {
        var h = RateHistory(capacity: capacity)
        for s in 0...step { h.record(snapshot(step: s)) }
        return h
    }

    private static func network(_ cidr: String) -> String {
        let parts = cidr.split(separator: "/")
        let octets = parts[0].split(separator: ".")
        return parts[1] == "16" ? "\(octets[0]).\(octets[1]).0.0/16" : "\(octets[0]).\(octets[1]).\(octets[2]).0/\(parts[1])"
    }

    private static func format2(_ i: Int) -> String { String(i, radix: 16).leftPad(2) }
}

private extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
