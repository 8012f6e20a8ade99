import PlumbModel

extension NetworkPlanner {
    /// One plan removing `nets` (with their endpoints, under --force): every network's firewall teardown in one
    /// batch, host links deleted together, the shared chains and emptied tables when the
    /// kernel shows no other Plumb rule at apply time.
    /// `allNetworks`: every stored network (who else uses the shared chains and CNI bridges); `snap`/`host`: the
    /// kernel as read (sandboxes of macvlan/CNI endpoints, the host's firewall and links).
    public func remove(_ nets: [(record: NetworkRecord, endpoints: [EndpointRecord])], allNetworks: [NetworkRecord],
                       snapshot snap: Snapshot, host: Namespace) throws -> Plan {
        var firewall: [PlanStep] = [], rest: [PlanStep] = [], finally: [PlanStep] = []
        for n in nets {
            let net = n.record
            // The shared chains go when the kernel shows no other Plumb rule in them, decided at apply time (other
            // state stores may have networks in this namespace), and so do the tables they leave empty.
            let removal = try driver(net).remove(Self.spec(net), firewall: host.firewall)
            let leaving = try leave(net, endpoints: n.endpoints, snapshot: snap, host: host, firewallTeardown: false)
            for step in removal.steps {
                switch step {
                case .firewall: firewall.append(step)
                case .dropEmptyFirewallTables: if !finally.contains(step) { finally.append(step) }
                default: break
                }
            }
            rest += leaving.steps
            rest += removal.steps.filter {
                switch $0 { case .firewall, .dropEmptyFirewallTables: return false; default: return true }
            }
            if net.driver == .cni { rest += cniLeftovers(net, host: host, endpointsLeaving: n.endpoints, networks: allNetworks) }
        }
        let forced = nets.contains { !$0.endpoints.isEmpty }
        var plan = Plan(operation: .netRemove(networks: nets.map(\.record.name), force: forced))
        plan.steps = Self.mergeFirewall(firewall) + Self.withoutVanishedLinks(rest, host: host, hostNamespace: hostNamespace) + finally
        return plan
    }

    /// Firewall steps for the same family and namespace become one batch (one iptables-restore), in order.
    static func mergeFirewall(_ steps: [PlanStep]) -> [PlanStep] {
        var order: [String] = [], batches: [String: (family: String, ns: NamespaceRef, batch: String, undo: String)] = [:]
        for case .firewall(let family, let batch, let undo, let ns) in steps {
            let key = "\(family) \(ns.encoded)"
            if batches[key] == nil { order.append(key); batches[key] = (family, ns, "", "") }
            batches[key]!.batch += batch
            batches[key]!.undo = undo + batches[key]!.undo
        }
        return order.map { k in
            let b = batches[k]!
            return .firewall(family: b.family, batch: merge(b.batch), undo: merge(b.undo), in: b.ns)
        }
    }

    /// The CNI bridge plugin leaves its bridge after the last DEL: delete it with the network when no other
    /// port and no other Plumb CNI network uses it.
    func cniLeftovers(_ net: NetworkRecord, host: Namespace, endpointsLeaving: [EndpointRecord],
                      networks: [NetworkRecord]) -> [PlanStep] {
        let bridges = net.cniConfig?.bridges ?? []
        let leaving = Set(endpointsLeaving.compactMap(\.hostIfname))
        let others = networks.filter { $0.name != net.name && $0.driver == .cni && $0.hostNamespace == net.hostNamespace }
        let othersBridges = Set(others.flatMap { $0.cniConfig?.bridges ?? [] })
        var steps: [PlanStep] = []
        for br in Set(bridges) where !othersBridges.contains(br) {
            guard let dev = host.link(named: br), dev.kind == .bridge else { continue }
            let ports = host.links.filter { $0.master?.index == dev.index && !leaving.contains($0.name) }
            if ports.isEmpty { steps.append(.deleteLink(name: br, in: net.hostNamespace)) }
        }
        return steps
    }
}
