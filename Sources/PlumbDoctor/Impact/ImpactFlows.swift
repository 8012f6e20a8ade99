import PlumbModel
import PlumbTrace

/// A flow the fix comparison evaluates: the first packet of a new connection through one namespace (the one a
/// fix changes), entering on a link or sent by the namespace itself.
struct ImpactFlow {
    enum Kind { case outbound, inbound, crossBridge, published, hostToContainer }
    var kind: Kind
    var namespace: UInt64
    var family: AddressFamily
    var source: IPAddress
    var destination: IPAddress
    var port: UInt16
    var proto = "tcp"
    /// nil: sent by the namespace itself.
    var inInterface: String?
    /// The bridge it comes from (outbound, crossBridge) or goes to (inbound, hostToContainer).
    var bridge: String?
    /// Published port: where the DNAT should take it.
    var target: IPAddress?
    /// "c1 out of br0 via eth0".
    var label: String

    var description: String {
        "\(proto) \(NetfilterEvaluator.endpoint(source, inInterface == nil ? nil : 40000)) → "
            + "\(NetfilterEvaluator.endpoint(destination, port)) (\(label))"
    }

    var isForwarded: Bool { inInterface != nil }
}

/// What happened to a flow in one namespace, as far as the evaluator can tell.
struct ImpactOutcome: Equatable {
    enum Stage: Equatable {
        case forwarded, deliveredLocally, sent
        case forwardingOff, noRoute(String), linkDown(String), dropped(String)
    }
    var stage: Stage
    var outInterface: String?
    var source: IPAddress
    var destination: IPAddress
    var port: UInt16?
    var uncertain: Bool
    /// `table/chain` of every chain whose rules the packet met (for "the chain this finding is about").
    var chains: Set<String>

    var passes: Bool {
        switch stage {
        case .forwarded, .deliveredLocally, .sent: return true
        default: return false
        }
    }

    /// The outcome in words; two outcomes are the same when their words are.
    var text = ""

    static func == (a: ImpactOutcome, b: ImpactOutcome) -> Bool { a.text == b.text }

    func describe(_ flow: ImpactFlow) -> String {
        var s: String
        switch stage {
        case .forwarded: s = "forwarded out \(outInterface ?? "?")"
        case .sent: s = "sent out \(outInterface ?? "?")"
        case .deliveredLocally: s = "delivered locally"
        case .forwardingOff: s = "not forwarded: forwarding is off"
        case .noRoute(let why): s = "no route: \(why)"
        case .linkDown(let l): s = "dropped: \(l) is down"
        case .dropped(let by): s = "dropped by \(by)"
        }
        if destination != flow.destination || (port != nil && port != flow.port) {
            s += ", to \(NetfilterEvaluator.endpoint(destination, port))"
        }
        if source != flow.source && passes { s += ", source → \(source)" }
        if uncertain { s += " (unless a rule the evaluator cannot read decides otherwise)" }
        return s
    }
}

extension ImpactFlow {
    /// The flows of one namespace worth comparing: per bridge with container endpoints (at most 8 addresses per
    /// subnet), the way out to the outside, the way in from outside, the namespace's own way to the container,
    /// the way to every other bridge (first address each, at most 16 bridges), and every published port.
    static func catalog(_ ns: Namespace, ctx: DoctorContext) -> [ImpactFlow] {
        let bridges = ctx.bridges.filter { $0.ns.id == ns.id }
        var flows: [ImpactFlow] = []
        var firsts: [(bridge: String, family: AddressFamily, address: IPAddress)] = []
        for b in bridges {
            for gw in b.gateways {
                let family: AddressFamily = gw.isIPv4 ? .ipv4 : .ipv6
                let subnet = gw.canonical
                let members = b.endpoints.flatMap { e in
                    e.link.addresses.filter { subnet.contains($0.address) && $0.address != gw.address }.map { ($0.address, e.ns.displayName) }
                }
                guard !members.isEmpty else { continue }
                firsts.append((b.bridge.name, family, members[0].0))
                let uplink = (ns.defaultRoutes(family) + ns.defaultRoutes(.ipv4)).compactMap(\.dev).first { $0 != b.bridge.name }
                let outside = ForwardPolicyCheck.outside[family == .ipv6 ? "ipv6" : "ipv4"]!
                for (addr, name) in members.prefix(8) {
                    flows.append(ImpactFlow(kind: .outbound, namespace: ns.id, family: family, source: addr, destination: outside,
                                            port: 443, inInterface: b.bridge.name, bridge: b.bridge.name,
                                            label: "\(name) out of \(b.bridge.name) to the outside"))
                    if let uplink {
                        flows.append(ImpactFlow(kind: .inbound, namespace: ns.id, family: family, source: outside, destination: addr,
                                                port: 80, inInterface: uplink, bridge: b.bridge.name,
                                                label: "new connection from outside on \(uplink) to \(name)"))
                    }
                }
                let (addr, name) = members[0]
                flows.append(ImpactFlow(kind: .hostToContainer, namespace: ns.id, family: family,
                                        source: gw.address, destination: addr, port: 80, inInterface: nil,
                                        bridge: b.bridge.name, label: "\(ns.displayName) itself to \(name) on \(b.bridge.name)"))
            }
        }
        let few = Array(firsts.prefix(32))
        for a in few {
            for b in few where a.bridge != b.bridge && a.family == b.family {
                flows.append(ImpactFlow(kind: .crossBridge, namespace: ns.id, family: a.family, source: a.address, destination: b.address,
                                        port: 80, inInterface: a.bridge, bridge: a.bridge,
                                        label: "from \(a.bridge) to \(b.bridge)"))
            }
        }
        let uplink = ns.defaultRoutes(.ipv4).compactMap(\.dev).first
        let local = uplink.flatMap { ns.link(named: $0) }.flatMap { TraceEngine.primaryAddress(of: $0, v6: false) }
        // The mappings check 14 found (computed once per run), those made here.
        for p in ctx.publishedPorts(ctx.inputs.listeners ?? [:]) where p.namespace == ns.id && p.chain != nil {
            guard let port = p.hostPort, let dst = p.hostAddress ?? local, let inside = uplink,
                  ["tcp", "udp"].contains(p.proto), dst.isIPv4 else { continue }
            var f = ImpactFlow(kind: .published, namespace: ns.id, family: .ipv4, source: ForwardPolicyCheck.outside["ipv4"]!,
                               destination: dst, port: port, inInterface: inside, bridge: nil, target: p.targetAddress,
                               label: "published port \(p.hostEndpoint) → \(p.targetEndpoint)")
            f.proto = p.proto
            flows.append(f)
        }
        return flows
    }

    /// The flow walked through `ns` (as it is, or as a fix would leave it).
    func evaluate(in ns: Namespace, evaluator: NetfilterEvaluator, types: AddressTypeTable) -> ImpactOutcome {
        var p = TracePacket(family: family, source: source, destination: destination, proto: proto,
                            sourcePort: 40000, destinationPort: port, size: 60)
        var hooks: [HookResult] = []
        func outcome(_ stage: ImpactOutcome.Stage, out: String? = nil) -> ImpactOutcome {
            var chains: Set<String> = []
            for h in hooks { for hit in h.hits { chains.insert("\(hit.table)/\(hit.chain)") } }
            let uncertain = hooks.contains { !$0.uncertain.isEmpty || !$0.unevaluatedNft.isEmpty }
            var o = ImpactOutcome(stage: stage, outInterface: out, source: p.source, destination: p.destination,
                                  port: p.destinationPort, uncertain: uncertain, chains: chains)
            o.text = o.describe(self)
            return o
        }
        func dropped(_ h: HookResult) -> ImpactOutcome {
            outcome(.dropped(h.decidedBy.map { $0.index == 0 ? $0.location : "\($0.location) (\($0.rule))" } ?? "the \(h.hook.rawValue) hook"))
        }
        if let inInterface {
            let pre = evaluator.run(.prerouting, packet: &p, context: HookContext(inInterface: inInterface, addressTypes: types))
            hooks.append(pre)
            if pre.dropped { return dropped(pre) }
        }
        let dst = p.destination
        if types.type(of: dst) == "LOCAL" {
            let input = evaluator.run(.input, packet: &p, context: HookContext(inInterface: inInterface ?? "lo", addressTypes: types))
            hooks.append(input)
            return input.dropped ? dropped(input) : outcome(.deliveredLocally)
        }
        guard let route = Self.lookup(dst, in: ns) else { return outcome(.noRoute("no route to \(p.destination)")) }
        guard route.type == "unicast" else { return outcome(.noRoute("\(route.type) \(route.destinationText)")) }
        let out = route.dev ?? "?"
        if let inInterface {
            let on = family == .ipv6 ? ns.sysctls.ipv6Forwarding : ns.sysctls.ipForward
            if on == false { return outcome(.forwardingOff) }
            if let l = ns.link(named: out), !l.isUp { return outcome(.linkDown(out)) }
            let fwd = evaluator.run(.forward, packet: &p, context: HookContext(inInterface: inInterface, outInterface: out, addressTypes: types))
            hooks.append(fwd)
            if fwd.dropped { return dropped(fwd) }
        } else {
            if let l = ns.link(named: out), !l.isUp { return outcome(.linkDown(out)) }
            let output = evaluator.run(.output, packet: &p, context: HookContext(outInterface: out, addressTypes: types))
            hooks.append(output)
            if output.dropped { return dropped(output) }
        }
        var post = HookContext(inInterface: inInterface, outInterface: out, addressTypes: types)
        let link = ns.link(named: out)
        let v6 = family == .ipv6
        post.masqueradeSource = { _ in link.flatMap { TraceEngine.primaryAddress(of: $0, v6: v6) } }
        let postrouting = evaluator.run(.postrouting, packet: &p, context: post)
        hooks.append(postrouting)
        if postrouting.dropped { return dropped(postrouting) }
        return outcome(inInterface == nil ? .sent : .forwarded, out: out)
    }

    /// The main table's most specific route for an address (then the lowest metric), as the kernel would pick
    /// it without policy rules. Good enough for the comparison: both sides use the same lookup.
    static func lookup(_ ip: IPAddress, in ns: Namespace) -> Route? {
        var best: (Route, Int, UInt32)?
        for r in ns.routes where r.table == 254 && r.family == (ip.isIPv6 ? .ipv6 : .ipv4) {
            let prefix: IPPrefix?
            prefix = r.dst?.canonical ?? IPPrefix(unchecked: ip.isIPv6 ? .anyIPv6 : .anyIPv4, length: 0)
            guard let prefix, prefix.contains(ip) else { continue }
            let metric = r.metric ?? 0
            if let b = best, (b.1, -Int(b.2)) >= (prefix.length, -Int(metric)) { continue }
            best = (r, prefix.length, metric)
        }
        return best?.0
    }
}
