import PlumbModel

/// Finds every published port of a snapshot: the DNAT rules of chains that nat PREROUTING reaches (whoever
/// wrote them: Docker, CNI portmap, netavark, Plumb, kube-proxy, or a person) and docker-proxy processes.
/// For each, the trace's evaluator answers "does a new connection from outside to this port reach its
/// target?", the target address is resolved to the namespace that holds it, and the listeners read there say
/// what answers. Pure: the listeners come in as values (from sock_diag), by namespace id.
public enum PublishedPortFinder {
    /// A client address outside every private range (TEST-NET-2): the source of the judged connection.
    static let outside = "198.51.100.7"

    /// `scope`: only mappings made in these namespaces (nil: all). `listeners`: listening sockets by namespace
    /// id; a namespace missing there gets `.unknown`.
    public static func find(_ snapshot: Snapshot, scope: Set<UInt64>? = nil,
                            listeners: [UInt64: [SocketRecord]] = [:]) -> [PublishedPort] {
        let owners = AddressOwners(snapshot)
        var out: [PublishedPort] = []
        for ns in snapshot.namespaces where scope?.contains(ns.id) ?? true {
            var mine = dnatMappings(ns, owners: owners)
            attachProxies(&mine, ns: ns, processes: snapshot.processes, owners: owners)
            out += mine
        }
        for i in out.indices { classifyListener(&out[i], listeners) }
        return out
    }

    /// The namespaces some mapping sends traffic to (whose listeners are worth reading).
    public static func targetNamespaces(_ snapshot: Snapshot, scope: Set<UInt64>? = nil) -> Set<UInt64> {
        Set(find(snapshot, scope: scope).compactMap(\.targetNamespace))
    }

    // MARK: - DNAT rules

    static func dnatMappings(_ ns: Namespace, owners: AddressOwners) -> [PublishedPort] {
        guard let nat = ns.firewall.tables.first(where: { $0.source == "iptables" && $0.family == "ipv4" && $0.name == "nat" }),
              nat.chain("PREROUTING") != nil else { return [] }
        let reachable = chains(reachableFrom: "PREROUTING", in: nat)
        let judge = Judge(ns: ns)
        var out: [PublishedPort] = []
        for chain in nat.chains where reachable.contains(chain.name) {
            for r in chain.rules {
                let rule = IptablesRuleParser.parse(r.rule)
                guard case .dnat(let to)? = rule.target else { continue }
                let (addr, port) = NetfilterEvaluator.natEndpoint(to)
                guard let target = addr else { continue }
                var proto = "tcp", hostAddress: String?, ports: ClosedRange<UInt16>?, inInterface: String?
                for m in rule.matches {
                    switch m {
                    case .proto(let p, false): proto = p
                    case .destination(let p, false) where p.length == (p.isIPv4 ? 32 : 128): hostAddress = p.address.description
                    case .destinationPorts(let r, false): ports = r.first
                    case .inInterface(let i, false): inInterface = i
                    default: break
                    }
                }
                var p = PublishedPort(namespace: ns.id, proto: proto, hostAddress: hostAddress, hostPort: ports?.lowerBound,
                                      hostPortEnd: ports.flatMap { $0.upperBound != $0.lowerBound ? $0.upperBound : nil },
                                      targetAddress: target, targetPort: port, owner: owner(of: chain.name),
                                      chain: chain.name, rule: r.rule)
                (p.targetNamespace, p.targetName) = owners.holder(of: target, mappedIn: ns)
                if let hostPort = p.hostPort {
                    p.reachesTarget = judge.reaches(proto: proto, hostAddress: hostAddress, port: hostPort,
                                                    inInterface: inInterface, target: target, targetPort: port)
                }
                out.append(p)
            }
        }
        return out
    }

    static func owner(of chain: String) -> String {
        let o = ChainOwner.of(chain: chain)
        return o == .system ? "manual" : o.rawValue
    }

    static func chains(reachableFrom start: String, in table: FirewallTable) -> Set<String> {
        var seen: Set<String> = [], queue = [start]
        while let name = queue.popLast() {
            guard seen.insert(name).inserted, let c = table.chain(name) else { continue }
            for r in c.rules {
                switch IptablesRuleParser.parse(r.rule).target {
                case .jump(let n)?, .goto(let n)?: queue.append(n)
                default: break
                }
            }
        }
        return seen
    }

    /// nat PREROUTING of one namespace, for a new connection from outside arriving on its uplink.
    struct Judge {
        let evaluator: NetfilterEvaluator
        let types: AddressTypeTable
        let uplink: String?
        let localAddress: String?

        init(ns: Namespace) {
            evaluator = NetfilterEvaluator(firewall: ns.firewall, family: .ipv4)
            types = AddressTypeTable(namespace: ns)
            let route = ns.routes.first { $0.family == .ipv4 && $0.table == 254 && $0.dst == "default" }
            uplink = route?.dev
            let link = route?.dev.flatMap { ns.link(named: $0) }
                ?? ns.links.first { $0.kind != .loopback && $0.name != "lo" && TraceEngine.primaryAddress(of: $0, v6: false) != nil }
            localAddress = link.flatMap { TraceEngine.primaryAddress(of: $0, v6: false) }
        }

        func reaches(proto: String, hostAddress: String?, port: UInt16, inInterface: String?, target: String,
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

    /// docker-proxy's arguments: -proto tcp -host-ip 0.0.0.0 -host-port 8080 -container-ip 10.0.0.2 -container-port 80.
    static func attachProxies(_ mappings: inout [PublishedPort], ns: Namespace, processes: [ProcessRecord], owners: AddressOwners) {
        for p in processes where p.namespace == ns.id && (p.comm == "docker-proxy" || p.cmdline.hasPrefix("/usr/sbin/docker-proxy")
                                                          || p.cmdline.hasPrefix("docker-proxy")) {
            let words = p.cmdline.split(whereSeparator: { $0 == " " || $0 == "\0" }).map(String.init)
            func arg(_ name: String) -> String? { words.firstIndex(of: name).flatMap { $0 + 1 < words.count ? words[$0 + 1] : nil } }
            guard let target = arg("-container-ip"), let hostPort = arg("-host-port").flatMap(UInt16.init) else { continue }
            let proto = arg("-proto") ?? "tcp", hostIP = arg("-host-ip") ?? "0.0.0.0"
            let targetPort = arg("-container-port").flatMap(UInt16.init)
            let label = "pid \(p.pid): \(hostIP.contains(":") ? "[\(hostIP)]" : hostIP):\(hostPort)"
            if let i = mappings.firstIndex(where: { $0.proto == proto && $0.hostPort == hostPort && $0.targetAddress == target }) {
                mappings[i].proxies.append(label)
                continue
            }
            var m = PublishedPort(namespace: ns.id, proto: proto, hostAddress: hostIP == "0.0.0.0" || hostIP == "::" ? nil : hostIP,
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
        let target = IPAddress(p.targetAddress)
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
                for a in l.addresses {
                    if let ip = IPAddress(String(a.prefix { $0 != "/" })) { byAddress[ip, default: []].append(ns) }
                }
            }
        }
    }

    func holder(of address: String, mappedIn ns: Namespace) -> (UInt64?, String?) {
        guard let ip = IPAddress(address) else { return (nil, nil) }
        if ip.isLoopback { return (ns.id, ns.displayName) }
        let all = byAddress[ip] ?? []
        guard let pick = all.first(where: { $0.id != ns.id }) ?? all.first else { return (nil, nil) }
        return (pick.id, pick.displayName)
    }
}
