import PlumbModel

/// Indexes over one snapshot that several checks share (built once per doctor run, linear in its size).
final class DoctorContext {
    let snapshot: Snapshot
    let inputs: DoctorInputs
    /// The namespaces in scope (all, or `inputs.scope`).
    let namespaces: [Namespace]
    private let byId: [UInt64: Int]
    /// The namespace playing the host.
    let hostId: UInt64?

    init(snapshot: Snapshot, inputs: DoctorInputs) {
        self.snapshot = snapshot
        self.inputs = inputs
        var m: [UInt64: Int] = [:]
        for (i, ns) in snapshot.namespaces.enumerated() { m[ns.id] = i }
        byId = m
        namespaces = inputs.scope.map { s in snapshot.namespaces.filter { s.contains($0.id) } } ?? snapshot.namespaces
        hostId = inputs.hostNamespace ?? snapshot.host?.id
    }

    func namespace(_ id: UInt64?) -> Namespace? { id.flatMap { byId[$0] }.map { snapshot.namespaces[$0] } }

    func isHost(_ ns: Namespace) -> Bool { ns.id == hostId }

    /// The other end of a veth (or the parent of a macvlan/vxlan), with its namespace.
    func resolve(_ ref: RemoteLinkRef?) -> (ns: Namespace, link: Link)? {
        guard let ref, let ns = namespace(ref.namespace) else { return nil }
        // Big namespaces (a host with hundreds of veths) get an index map instead of a linear search per lookup.
        if ns.links.count < 16 { return ns.link(index: ref.index).map { (ns, $0) } }
        if linkPositions[ns.id] == nil {
            var m: [Int: Int] = [:]
            for (i, l) in ns.links.enumerated() { m[l.index] = i }
            linkPositions[ns.id] = m
        }
        guard let pos = linkPositions[ns.id]?[ref.index] else { return nil }
        return (ns, ns.links[pos])
    }
    private var linkPositions: [UInt64: [Int: Int]] = [:]
    var judges: [UInt64: FlowJudge] = [:]
    private var internalCache: [String: Bool] = [:]

    /// An internal network (Plumb `--internal`, Docker `--internal`): the firewall drops what leaves it, so no
    /// forwarding, masquerading or default route is expected. Several checks ask, for every bridge: answered
    /// once per run from the namespace's parsed rules.
    func isInternal(_ b: BridgeView, family: String) -> Bool {
        let key = "\(b.ns.id)/\(b.bridge.index)/\(family)"
        if let known = internalCache[key] { return known }
        let name = b.bridge.name
        let answer = rules(b.ns, family, "filter").contains { (_, _, t) in
            guard t.target == "DROP" else { return false }
            let inThis = t.matchesIn(name)
            let notOut = t.outIface.map { $0.negated && $0.value == name } ?? false
            let notDst = t.destination?.negated ?? false
            return inThis && (notOut || notDst)
        }
        internalCache[key] = answer
        return answer
    }
    var portsCache: [PublishedPort]?

    /// How a plan step names this namespace (host, an `ip netns` name, or a file that holds it) and which one
    /// it must still be when the fix runs: its cookie from this snapshot.
    func ref(_ ns: Namespace) -> NamespaceRef {
        if ns.isHost { return .host }
        let location: NamespaceHandle.Location
        if let p = ns.paths.first(where: { $0.hasPrefix("/run/netns/") }) {
            location = .named(String(p.dropFirst("/run/netns/".count)))
        } else if let p = ns.paths.first { location = .path(p) }
        else if let pid = ns.pids.first { location = .path("/proc/\(pid)/ns/net") }
        else { location = .path("net:[\(ns.id)]") }
        return NamespaceHandle(location, cookie: ns.cookie, inode: ns.id)
    }

    private var addressCache: [UInt64: [(link: Link, cidr: IPPrefix)]] = [:]
    private var ruleCache: [String: [(chain: String, rule: FirewallRule, tokens: RuleTokens)]] = [:]

    /// Every parsed address of a namespace's non-loopback links, link-local excluded (parsed once per run).
    func addresses(_ ns: Namespace) -> [(link: Link, cidr: IPPrefix)] {
        if let a = addressCache[ns.id] { return a }
        let a = ns.links.filter { !$0.isLoopback }.flatMap { l in
            l.addresses.filter { !$0.address.isLinkLocal }.map { (l, $0) }
        }
        addressCache[ns.id] = a
        return a
    }

    /// The rules of one iptables table of a namespace with their tokens (parsed once per run).
    func rules(_ ns: Namespace, _ family: String, _ table: String) -> [(chain: String, rule: FirewallRule, tokens: RuleTokens)] {
        let key = "\(ns.id)/\(family)/\(table)"
        if let r = ruleCache[key] { return r }
        let r = ns.firewall.table(family, table)?.chains.flatMap { c in c.rules.map { (c.name, $0, RuleTokens($0.rule)) } } ?? []
        ruleCache[key] = r
        return r
    }

    lazy var bridges: [BridgeView] = namespaces.flatMap { ns in
        ns.links.filter { $0.kind == .bridge }.map { BridgeView(ns: ns, bridge: $0, ctx: self) }
    }

    /// FNV-1a of a text, 8 hex digits: a short stable name for a rule in a finding id.
    static func hash(_ s: String) -> String {
        var h: UInt32 = 2166136261
        for b in s.utf8 { h = (h ^ UInt32(b)) &* 16777619 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    static func id(_ check: String, _ ns: Namespace, _ object: String) -> String {
        object.isEmpty ? "\(check):ns\(ns.id)" : "\(check):ns\(ns.id):\(object)"
    }
}

/// A bridge with its ports, the container ends behind them and the subnets it serves.
struct BridgeView {
    struct Endpoint { var port: Link; var ns: Namespace; var link: Link }
    let ns: Namespace
    let bridge: Link
    let ports: [Link]
    let endpoints: [Endpoint]
    /// The bridge's own addresses (the gateways), link-local excluded.
    let gateways: [IPPrefix]

    init(ns: Namespace, bridge: Link, ctx: DoctorContext) {
        self.ns = ns
        self.bridge = bridge
        ports = ns.links.filter { $0.master?.index == bridge.index }
        endpoints = ports.compactMap { p in
            guard p.kind == .veth, let (pns, l) = ctx.resolve(p.peer), pns.id != ns.id else { return nil }
            return Endpoint(port: p, ns: pns, link: l)
        }
        gateways = bridge.addresses.filter { !$0.address.isLinkLocal }
    }

    /// Endpoints whose namespace routes by default through `gw` (an address of this bridge).
    func gatewayUsers(_ gw: IPPrefix) -> [Endpoint] {
        endpoints.filter { e in
            e.ns.routes.contains { r in
                r.isDefault && r.table == 254 && r.gateway == gw.address
            }
        }
    }

}

extension Namespace {
    /// Default routes of the main table for a family.
    func defaultRoutes(_ family: AddressFamily) -> [Route] {
        routes.filter { $0.family == family && $0.table == 254 && $0.isDefault }
    }
}

extension Link {
    var isLoopback: Bool { kind == .loopback || has(.loopback) || name == "lo" }
    /// "veth12 (veth, mtu 1500, up, master br0, 10.0.0.1/24)": the evidence line of a link.
    func evidence(in ns: Namespace, master: Link? = nil) -> String {
        var parts = [kind.name, "mtu \(mtu)", isUp ? "up" : "DOWN", "state \(operState)"]
        if let m = master ?? self.master.flatMap({ ns.link(index: $0.index) }) { parts.append("master \(m.name)") }
        if !addresses.isEmpty { parts.append(addresses.map(\.description).joined(separator: " ")) }
        return "\(ns.displayName) [\(ns.id)]: link \(name) (\(parts.joined(separator: ", ")))"
    }
}

extension Route {
    var evidence: String {
        var s = "\(family == .ipv6 ? "-6 " : "")route \(destinationText)"
        if let gateway { s += " via \(gateway)" }
        if let dev { s += " dev \(dev)" }
        if table != 254 { s += " table \(tableName.isEmpty ? String(table) : tableName)" }
        return s
    }
}
