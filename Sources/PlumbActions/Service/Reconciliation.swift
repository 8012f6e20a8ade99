import Foundation
import PlumbModel

/// Where the store and the kernel disagree about a network, both ways, and what fixes it. Store-only: a lease
/// that no endpoint holds, an endpoint whose host veth is gone. Kernel-only: a `plv` veth on the network's bridge
/// that no endpoint owns, rules tagged `plumb:NET:KEY` for an endpoint the store does not have. `net inspect`
/// reports them; `plumb gc` fixes them. Only what this store's records prove to be Plumb's is touched: another
/// state directory's networks in the same namespace carry other names.
public struct Drift: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case leaseWithoutEndpoint, endpointWithoutVeth, vethWithoutEndpoint, rulesWithoutEndpoint, networkWithoutRecord
        /// The network's host namespace is gone (deleted, or its name now another namespace's).
        case hostNamespaceGone
        /// A macvlan or CNI endpoint whose namespace is gone (`SandboxDrift`).
        case endpointWithoutSandbox
        /// A macvlan or CNI interface the journal shows Plumb made, that no endpoint row has (`SandboxDrift`).
        case interfaceWithoutEndpoint
    }
    public var kind: Kind
    public var network: String
    /// What is wrong, in words ("lease 10.0.0.7 of network web is held by no endpoint").
    public var description: String
    /// The kernel changes that fix it (run ignoring what is already gone).
    public var steps: [PlanStep] = []
    /// The store change that fixes it.
    public var storeFix: StoreFix?

    public enum StoreFix: Sendable, Equatable {
        case releaseLease(address: IPAddress)
        case removeEndpoint(key: String)
        /// The network's rows (endpoints, leases, the network).
        case removeNetwork
    }
}

extension NetworkService {
    /// The drift of `net` against `host`, its host namespace as just read with its firewall. Macvlan and CNI
    /// endpoints are checked in their sandboxes (`sandboxDrift`), which `snap` must hold read.
    func drift(of net: NetworkRecord, host: Namespace, snapshot snap: Snapshot) throws -> [Drift] {
        let eps = try store.endpoints(network: net.name)
        var found: [Drift] = []
        guard net.driver == .bridge || net.driver == .vxlan else {
            return try leaseDrift(of: net, endpoints: eps) + sandboxDrift(of: net, endpoints: eps, host: host, snapshot: snap)
        }
        found = try leaseDrift(of: net, endpoints: eps)
        for ep in eps {
            guard let h = ep.hostIfname, host.link(named: h) == nil else { continue }
            found.append(Drift(kind: .endpointWithoutVeth, network: net.name,
                               description: "endpoint \(ep.sandbox) of network \(net.name): its host interface \(h) is gone",
                               steps: BridgeFirewall.endpointTeardownSteps(net.name, key: ep.key, current: host.firewall, in: net.hostNamespace),
                               storeFix: .removeEndpoint(key: ep.key)))
        }
        let owned = Set(eps.compactMap(\.hostIfname))
        if let br = net.config.bridge.flatMap({ host.link(named: $0) }) {
            for l in host.links where l.master?.index == br.index && l.kind == .veth && l.name.hasPrefix("plv") && !owned.contains(l.name) {
                found.append(Drift(kind: .vethWithoutEndpoint, network: net.name,
                                   description: "veth \(l.name) on bridge \(br.name) of network \(net.name) belongs to no endpoint",
                                   steps: [.deleteLink(name: l.name, in: net.hostNamespace)]))
            }
        }
        let keys = Set(eps.map(\.key))
        for key in Self.endpointTags(of: net.name, in: host.firewall) where !keys.contains(key) {
            let steps = BridgeFirewall.endpointTeardownSteps(net.name, key: key, current: host.firewall, in: net.hostNamespace)
            let count = steps.reduce(0) { n, step in
                guard case .firewall(_, let batch, _, _) = step else { return n }
                return n + batch.split(separator: "\n").filter { $0.hasPrefix("-D ") }.count
            }
            found.append(Drift(kind: .rulesWithoutEndpoint, network: net.name,
                               description: "\(counted(count, "firewall rule")) tagged plumb:\(net.name):\(key) \(count == 1 ? "belongs" : "belong") to no endpoint of network \(net.name)",
                               steps: steps))
        }
        return found
    }

    /// Leases of `net` that no endpoint holds (every driver that takes its addresses from the store).
    func leaseDrift(of net: NetworkRecord, endpoints eps: [EndpointRecord]) throws -> [Drift] {
        let held = Set(eps.compactMap(\.address))
        return try store.allocations(network: net.name).filter { !held.contains($0.address) }.map { lease in
            Drift(kind: .leaseWithoutEndpoint, network: net.name,
                  description: "lease \(lease.address) of network \(net.name) is held by no endpoint",
                  storeFix: .releaseLease(address: lease.address))
        }
    }

    /// A network this store's journal shows it created (an applied `net create`) that the store no longer has:
    /// its name, the namespace it was built in (the bridge step's handle, with its cookie) and its bridges.
    struct UnrecordedNetwork {
        var name: String
        var entry: Int64
        var home: NamespaceRef
        var bridges: [String]
    }

    /// The candidates for `unrecordedNetworks`, newest entry first, one per name.
    func unrecordedCandidates(known: Set<String>) throws -> [UnrecordedNetwork] {
        var found: [UnrecordedNetwork] = [], seen = Set<String>()
        for entry in try store.journal(states: [.applied]).reversed() {
            guard entry.operation.hasPrefix("net create "),
                  let plan = try? JSONDecoder().decode(Plan.self, from: Data(entry.plan.utf8)),
                  case .netCreate(let name) = plan.operation, !known.contains(name), seen.insert(name).inserted else { continue }
            var home: NamespaceRef?, bridges: [String] = []
            for step in plan.steps {
                switch step {
                case .createBridge(let br, _, let ns): home = home ?? ns; bridges.append(br)
                case .firewall(_, _, _, let ns): home = home ?? ns
                default: break
                }
            }
            guard let home else { continue }
            found.append(UnrecordedNetwork(name: name, entry: entry.id, home: home, bridges: bridges))
        }
        return found
    }

    /// Kernel-only networks: candidates (see `unrecordedCandidates`) built in `host` whose bridge or `plumb:NET`
    /// rules are still in the kernel (an older Plumb killed between the change and its row). The bridge goes
    /// only with nothing but Plumb's `plv` veths on it.
    func unrecordedNetworks(_ candidates: [UnrecordedNetwork], host: Namespace) -> [Drift] {
        var found: [Drift] = []
        for c in candidates {
            var steps: [PlanStep] = []
            // Only when rules tagged for it are there: the teardown batch may also tidy the shared chains.
            let tagged = host.firewall.tables.contains { t in
                t.chains.contains { ch in ch.rules.contains { $0.rule.contains("plumb:\(c.name)\"") || $0.rule.contains("plumb:\(c.name):") } }
            }
            if tagged { steps += BridgeFirewall.teardownSteps(c.name, current: host.firewall, in: c.home) }
            for br in c.bridges {
                guard let dev = host.link(named: br), dev.kind == .bridge else { continue }
                let ports = host.links.filter { $0.master?.index == dev.index }
                guard ports.allSatisfy({ $0.kind == .veth && $0.name.hasPrefix("plv") }) else { continue }
                steps += ports.map { .deleteLink(name: $0.name, in: c.home) } + [.deleteLink(name: br, in: c.home)]
            }
            if steps.isEmpty { continue }
            found.append(Drift(kind: .networkWithoutRecord, network: c.name,
                               description: "network \(c.name) is not in the store, but its bridge or rules are in the kernel (journal entry \(c.entry) created them)",
                               steps: steps))
        }
        return found
    }

    /// The endpoint keys of the rules tagged `plumb:NET:KEY` in `fw`, sorted.
    static func endpointTags(of network: String, in fw: Firewall) -> [String] {
        let marker = "plumb:\(network):"
        var keys = Set<String>()
        for t in fw.tables where t.source == "iptables" {
            for c in t.chains {
                for r in c.rules {
                    guard let start = r.rule.range(of: marker)?.upperBound else { continue }
                    let key = r.rule[start...].prefix { $0 != "\"" && $0 != " " }
                    if !key.isEmpty { keys.insert(String(key)) }
                }
            }
        }
        return keys.sorted()
    }

    /// Fixes `d`: its kernel changes (ignoring what is gone), then its store change. Returns how many things
    /// it changed.
    func fix(_ d: Drift) throws -> Int {
        var changed = executor.replay(Plan(operation: .other("gc"), steps: d.steps))
        switch d.storeFix {
        case .releaseLease(let address)?:
            if try store.release(network: d.network, address: address) { changed += 1 }
        case .removeEndpoint(let key)?:
            try store.removeEndpoint(network: d.network, key: key)
            changed += 1
        case .removeNetwork?:
            for ep in try store.endpoints(network: d.network) { try store.removeEndpoint(network: d.network, key: ep.key) }
            try store.deleteNetwork(named: d.network)
            changed += 1
        case nil:
            break
        }
        return changed
    }
}
