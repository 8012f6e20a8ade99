import PlumbModel

/// A fix's plan applied to the snapshot's values, in memory: what the namespaces it changes would look like
/// afterwards, as far as the flow comparison needs (firewall rules, forwarding switches, routes, link state).
/// Steps that change nothing the comparison evaluates are listed as not modelled.
struct PlanSimulator {
    /// The namespaces the plan changes, as they would be after it (by id).
    var after: [UInt64: Namespace] = [:]
    /// Steps that do not change what the evaluator looks at (MTU, hairpin, conntrack entries, leftovers), or
    /// whose target namespace is not in view: in words.
    var notModelled: [String] = []

    /// `resolve` maps a plan step's namespace reference to a namespace of the snapshot.
    init(plan: Plan, resolve: (NamespaceRef) -> Namespace?) {
        for step in plan.steps {
            guard let ref = Self.namespace(of: step), let ns = resolve(ref) else {
                notModelled.append(step.description)
                continue
            }
            var n = after[ns.id] ?? ns
            if Self.apply(step, to: &n) { after[ns.id] = n } else { notModelled.append(step.description) }
        }
    }

    /// The namespace a step changes, for the steps the comparison models.
    static func namespace(of step: PlanStep) -> NamespaceRef? {
        switch step {
        case .firewall(_, _, _, let ns), .setSysctl(_, _, _, let ns), .addRoute(_, _, _, let ns), .deleteRoute(_, _, _, let ns),
             .setLinkState(_, _, let ns), .setUp(_, let ns), .setDown(_, let ns):
            return ns
        default:
            return nil
        }
    }

    /// false: the step is not modelled (or could not be applied to the values).
    static func apply(_ step: PlanStep, to ns: inout Namespace) -> Bool {
        switch step {
        case .firewall(let family, let batch, _, _):
            guard let fw = FirewallBatch.apply(batch, family: family, to: ns.firewall) else { return false }
            ns.firewall = fw
            return true
        case .setSysctl(let key, let value, _, _):
            switch key {
            case "net/ipv4/ip_forward", "net/ipv4/conf/all/forwarding": ns.sysctls.ipForward = value == "1"
            case "net/ipv6/conf/all/forwarding": ns.sysctls.ipv6Forwarding = value == "1"
            default: return false
            }
            return true
        case .addRoute(let dst, let gateway, let dev, _):
            let v6 = dst.prefix?.isIPv6 ?? gateway?.isIPv6 ?? false
            ns.routes.append(Route(family: v6 ? .ipv6 : .ipv4, table: 254, tableName: "main", dst: dst.prefix,
                                   gateway: gateway, dev: dev))
            return true
        case .deleteRoute(let dst, let gateway, let dev, _):
            guard let i = ns.routes.firstIndex(where: { r in
                r.table == 254 && r.dst?.canonical == dst.prefix?.canonical && (gateway == nil || r.gateway == gateway) && (dev == nil || r.dev == dev)
            }) else { return false }
            ns.routes.remove(at: i)
            return true
        case .setLinkState(let link, let up, _):
            return setUp(link, up, &ns)
        case .setUp(let link, _):
            return setUp(link, true, &ns)
        case .setDown(let link, _):
            return setUp(link, false, &ns)
        default:
            return false
        }
    }

    static func setUp(_ name: String, _ up: Bool, _ ns: inout Namespace) -> Bool {
        guard let i = ns.links.firstIndex(where: { $0.name == name }) else { return false }
        ns.links[i].flags.removeAll { $0 == "up" }
        if up { ns.links[i].flags.append("up") }
        return true
    }
}
