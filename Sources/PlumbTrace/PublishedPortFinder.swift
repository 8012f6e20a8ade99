import PlumbModel

/// Finds every published port of a snapshot: the DNAT rules of chains that nat PREROUTING reaches (whoever
/// wrote them: Docker, CNI portmap, netavark, Plumb, kube-proxy, or a person) and docker-proxy processes.
/// For each, the trace's evaluator answers "does a new connection from outside to this port reach its
/// target?", the target address is resolved to the namespace that holds it, and the listeners read there say
/// what answers. Pure: the listeners come in as values (from sock_diag), by namespace id.
public enum PublishedPortFinder {
    /// A client address outside every private range (TEST-NET-2): the source of the judged connection.
    static let outside = IPAddress(ipv4: 0xC633_6407)  // 198.51.100.7

    /// `scope`: only mappings made in these namespaces (nil: all). `listeners`: listening sockets by namespace
    /// id; a namespace missing there gets `.unknown`.
    public static func find(_ snapshot: Snapshot, scope: Set<UInt64>? = nil,
                            listeners: [UInt64: [SocketRecord]] = [:]) -> [PublishedPort] {
        let owners = AddressOwners(snapshot)
        // docker-proxy processes by namespace, picked out of the process list once (not once per namespace).
        let proxies = Dictionary(grouping: snapshot.processes.filter(isDockerProxy), by: \.namespace)
        var out: [PublishedPort] = []
        for ns in snapshot.namespaces where scope?.contains(ns.id) ?? true {
            var mine = dnatMappings(ns, owners: owners)
            if let here = proxies[ns.id] { attachProxies(&mine, ns: ns, processes: here, owners: owners) }
            out += mine
        }
        return classified(out, listeners: listeners)
    }

    /// The same mappings with what listens behind them (from `find` without listeners, once they are read).
    public static func classified(_ ports: [PublishedPort], listeners: [UInt64: [SocketRecord]]) -> [PublishedPort] {
        var out = ports
        for i in out.indices { classifyListener(&out[i], listeners) }
        return out
    }

    // MARK: - DNAT rules

    static func dnatMappings(_ ns: Namespace, owners: AddressOwners) -> [PublishedPort] {
        guard let nat = ns.firewall.tables.first(where: { $0.source == "iptables" && $0.family == "ipv4" && $0.name == "nat" }),
              nat.chain("PREROUTING") != nil else { return [] }
        // Built at the first DNAT rule: most namespaces have none, and the evaluator parses every rule.
        var judge: Judge?
        var out: [PublishedPort] = []
        for reached in dnatRules(reachableFrom: "PREROUTING", in: nat) {
            let (chain, r, rule, path) = (reached.chain, reached.rule, reached.parsed, reached.path)
            guard case .dnat(let to)? = rule.target else { continue }
            let (addr, port) = NetfilterEvaluator.natEndpoint(to)
            guard let target = addr else { continue }
            let proto = path.proto ?? "tcp", hostAddress = path.address, ports = path.ports, inInterface = path.inInterface
            var p = PublishedPort(namespace: ns.id, proto: proto, hostAddress: hostAddress, hostPort: ports?.lowerBound,
                                  hostPortEnd: ports.flatMap { $0.upperBound != $0.lowerBound ? $0.upperBound : nil },
                                  targetAddress: target, targetPort: port, owner: owner(of: chain),
                                  chain: chain, rule: r.rule)
            (p.targetNamespace, p.targetName) = owners.holder(of: target, mappedIn: ns)
            if let hostPort = p.hostPort {
                if judge == nil { judge = Judge(ns: ns) }
                p.reachesTarget = judge?.reaches(proto: proto, hostAddress: hostAddress, port: hostPort,
                                                inInterface: inInterface, target: target, targetPort: port)
            }
            out.append(p)
        }
        return out
    }

    /// What the rules on the way to a DNAT rule (its own included, the nearest winning) say about the packets
    /// it translates: kube-proxy and the kubelet's hostport chains put the host port in the jump
    /// (`-A KUBE-NODEPORTS -p tcp --dport 30080 -j KUBE-EXT-…`, `-A KUBE-HOSTPORTS … --dport 8080 -j KUBE-HP-…`)
    /// and DNAT without a port match further down.
    struct PathMatch: Hashable {
        var proto: String?
        var ports: ClosedRange<UInt16>?
        /// `-d ADDR/32`.
        var address: IPAddress?
        var inInterface: String?

        /// This rule's own matches over what the path brought.
        func narrowed(by rule: IptablesRule) -> PathMatch {
            var m = self
            for match in rule.matches {
                switch match {
                case .proto(let p, false) where p != "all": m.proto = p
                case .destination(let p, false) where p.length == (p.isIPv4 ? 32 : 128): m.address = p.address
                case .destinationPorts(let r, false): m.ports = r.first
                case .inInterface(let i, false): m.inInterface = i
                default: break
                }
            }
            return m
        }
    }

    struct ReachedRule {
        var chain: String
        var rule: FirewallRule
        var parsed: IptablesRule
        var path: PathMatch
    }

    /// Every DNAT rule reachable from `start` through jumps, once per distinct path match, in table order
    /// (chains as the table lists them, rules in chain order).
    static func dnatRules(reachableFrom start: String, in table: FirewallTable) -> [ReachedRule] {
        var order: [String: Int] = [:]
        for (i, c) in table.chains.enumerated() { order[c.name] = i }
        var parsed: [String: IptablesRule] = [:]
        func parse(_ r: FirewallRule) -> IptablesRule {
            if let p = parsed[r.rule] { return p }
            let p = IptablesRuleParser.parse(r.rule)
            parsed[r.rule] = p
            return p
        }
        var found: [(key: (Int, Int, Int, String), reached: ReachedRule)] = []
        var seen: Set<FoundKey> = [], visited: Set<PathVisit> = []
        var stack: [(chain: String, path: PathMatch, depth: Int)] = [(start, PathMatch(), 0)]
        while let (name, path, depth) = stack.popLast() {
            guard depth < 32, visited.insert(PathVisit(chain: name, path: path)).inserted, let c = table.chain(name) else { continue }
            for (i, r) in c.rules.enumerated() {
                let rule = parse(r)
                switch rule.target {
                case .dnat?:
                    let here = path.narrowed(by: rule)
                    if seen.insert(FoundKey(chain: name, index: i, path: here)).inserted {
                        let key = (order[name] ?? 0, i, Int(here.ports?.lowerBound ?? 0), here.address?.description ?? "")
                        found.append((key, ReachedRule(chain: name, rule: r, parsed: rule, path: here)))
                    }
                case .jump(let n)?, .goto(let n)?:
                    if table.chain(n) != nil { stack.append((n, path.narrowed(by: rule), depth + 1)) }
                default:
                    break
                }
            }
        }
        return found.sorted { $0.key < $1.key }.map(\.reached)
    }

    struct PathVisit: Hashable { var chain: String; var path: PathMatch }
    struct FoundKey: Hashable { var chain: String; var index: Int; var path: PathMatch }

    static func owner(of chain: String) -> String {
        let o = ChainOwner.of(chain: chain)
        return o == .system ? "manual" : o.rawValue
    }

    /// nat PREROUTING of one namespace, for a new connection from outside arriving on its uplink.
    struct Judge {
        let evaluator: NetfilterEvaluator
        let types: AddressTypeTable
        let uplink: String?
        let localAddress: IPAddress?

        init(ns: Namespace) {
            evaluator = NetfilterEvaluator(firewall: ns.firewall, family: .ipv4)
            types = AddressTypeTable(namespace: ns)
            let route = ns.routes.first { $0.family == .ipv4 && $0.table == 254 && $0.isDefault }
            uplink = route?.dev
            let link = route?.dev.flatMap { ns.link(named: $0) }
                ?? ns.links.first { $0.kind != .loopback && $0.name != "lo" && TraceEngine.primaryAddress(of: $0, v6: false) != nil }
            localAddress = link.flatMap { TraceEngine.primaryAddress(of: $0, v6: false) }
        }

        func reaches(proto: String, hostAddress: IPAddress?, port: UInt16, inInterface: String?, target: IPAddress,
                     targetPort: UInt16?) -> Bool? {
            guard let dst = hostAddress ?? localAddress else { return nil }
            var packet = TracePacket(family: .ipv4, source: PublishedPortFinder.outside, destination: dst, proto: proto,
                                     sourcePort: 40000, destinationPort: port, size: 60)
            let result = evaluator.run(.prerouting, packet: &packet,
                                       context: HookContext(inInterface: inInterface ?? uplink ?? "ptoutside0", addressTypes: types))
            if packet.destination == target && (targetPort == nil || packet.destinationPort == targetPort) { return true }
            return result.uncertain.isEmpty && result.unevaluatedNft.isEmpty ? false : nil
        }
    }

    // MARK: - docker-proxy

    public static func isDockerProxy(_ p: ProcessRecord) -> Bool {
        p.comm == "docker-proxy" || p.cmdline.hasPrefix("/usr/sbin/docker-proxy") || p.cmdline.hasPrefix("docker-proxy")
    }

    /// docker-proxy's arguments: -proto tcp -host-ip 0.0.0.0 -host-port 8080 -container-ip 10.0.0.2 -container-port 80.
    static func attachProxies(_ mappings: inout [PublishedPort], ns: Namespace, processes: [ProcessRecord], owners: AddressOwners) {
        for p in processes where p.namespace == ns.id && isDockerProxy(p) {
            let words = p.cmdline.split(whereSeparator: { $0 == " " || $0 == "\0" }).map(String.init)
            func arg(_ name: String) -> String? { words.firstIndex(of: name).flatMap { $0 + 1 < words.count ? words[$0 + 1] : nil } }
            guard let target = arg("-container-ip").flatMap(IPAddress.init), let hostPort = arg("-host-port").flatMap(UInt16.init)
            else { continue }
            let proto = arg("-proto") ?? "tcp", hostIP = arg("-host-ip") ?? "0.0.0.0"
            let targetPort = arg("-container-port").flatMap(UInt16.init)
            let label = "pid \(p.pid): \(hostIP.contains(":") ? "[\(hostIP)]" : hostIP):\(hostPort)"
            if let i = mappings.firstIndex(where: { $0.proto == proto && $0.hostPort == hostPort && $0.targetAddress == target }) {
                mappings[i].proxies.append(label)
                continue
            }
            var m = PublishedPort(namespace: ns.id, proto: proto, hostAddress: IPAddress(hostIP).flatMap { $0.isUnspecified ? nil : $0 },
                                  hostPort: hostPort, targetAddress: target, targetPort: targetPort, owner: "docker-proxy",
                                  proxies: [label])
            (m.targetNamespace, m.targetName) = owners.holder(of: target, mappedIn: ns)
            mappings.append(m)
        }
    }

    // MARK: - Listeners

    static func classifyListener(_ p: inout PublishedPort, _ listeners: [UInt64: [SocketRecord]]) {
        guard let ns = p.targetNamespace, let socks = listeners[ns], let port = p.effectiveTargetPort else {
            p.listener = .unknown
            return
        }
        let proto: SocketProtocol? = p.proto == "tcp" ? .tcp : p.proto == "udp" ? .udp : nil
        let here = socks.filter { s in s.isListening && s.proto == proto && s.local?.port == port }
        p.listenerAddresses = here.compactMap { $0.local?.description }
        let target = p.targetAddress
        if here.contains(where: \.isWildcard) { p.listener = .wildcard }
        else if here.contains(where: { $0.local?.address == target }) { p.listener = .address }
        else if !here.isEmpty && here.allSatisfy(\.isLoopbackOnly) { p.listener = .loopback }
        else if !here.isEmpty { p.listener = .other }
        else { p.listener = .none }
    }
}

/// Which namespace holds an address (link addresses, link-local excluded), preferring a namespace other than
/// the one the mapping is made in: a DNAT to a container's address names that container.
struct AddressOwners {
    private var byAddress: [IPAddress: [Namespace]] = [:]

    init(_ snapshot: Snapshot) {
        for ns in snapshot.namespaces {
            for l in ns.links where !(l.kind == .loopback || l.name == "lo") {
                for a in l.addresses { byAddress[a.address, default: []].append(ns) }
            }
        }
    }

    func holder(of ip: IPAddress, mappedIn ns: Namespace) -> (UInt64?, String?) {
        if ip.isLoopback { return (ns.id, ns.displayName) }
        let all = byAddress[ip] ?? []
        guard let pick = all.first(where: { $0.id != ns.id }) ?? all.first else { return (nil, nil) }
        return (pick.id, pick.displayName)
    }
}
