import Foundation
import PlumbCluster
import PlumbKernel
import PlumbModel

extension NetworkService {
    public func addNamespace(_ name: String, dryRun: Bool) throws -> Plan {
        let hold = try holdOperationLock(unless: dryRun)
        defer { hold.end() }
        try NamedNamespaces.validate(name)
        if access("\(NamedNamespaces.directory)/\(name)", F_OK) == 0 { throw ActionError.namespaceExists(name) }
        let plan = Plan(operation: .nsAdd(name: name), steps: [.createNamespace(name: name), .setUp(link: "lo", in: .named(name))])
        if !dryRun { try executor.apply(plan) }
        return plan
    }

    public struct InspectReport: Encodable {
        public var network: NetworkRecord
        public var endpoints: [EndpointRecord]
        /// Differences between the store and the kernel, in words.
        public var drift: [String]
        /// Each endpoint's namespace by name, in `endpoints`' order ("web (net:[4026532561])"; `net:[ID]` when
        /// it has no name or is gone).
        public var sandboxNames: [String] = []
        /// With a cluster store: every host's endpoints on the network (its address leases). Nil without a
        /// store, or when the store cannot be read (the CLI then says so in a note).
        public var cluster: ClusterEndpoints?
        /// With `cluster`: true (the network exists on this host). A network only the store knows is reported
        /// by the CLI with `onThisHost` false.
        public var onThisHost: Bool?
    }

    /// A shared network's endpoints on every host, as the cluster store's leases say.
    public struct ClusterEndpoints: Encodable, Sendable {
        public var store: String
        public var endpoints: [AddressLease]
        /// The hosts holding its addresses or a VTEP for it, live or not (nil when the hosts could not be read).
        public var hosts: [ClusterNetworkHost]?
        public init(store: String, endpoints: [AddressLease], hosts: [ClusterNetworkHost]? = nil) {
            self.store = store; self.endpoints = endpoints; self.hosts = hosts
        }
    }

    /// The store is not trusted blindly: every device and rule it records is looked for in a fresh snapshot.
    public func inspect(_ name: String) throws -> InspectReport {
        let net = try record(name)
        let eps = try store.endpoints(network: name)
        let snap = snapshot(of: net.hostNamespace)
        var drift: [String] = []
        let host: Namespace
        do {
            host = try hostView(snap, of: net.hostNamespace)
        } catch ActionError.namespaceMissing(let what, let why) {
            // Drift like any other: the network is in the store, its namespace (and all it held) is not.
            return InspectReport(network: net, endpoints: eps, drift: goneHostDrift(net, what: what, why: why, endpoints: eps, snapshot: snap))
        }
        if let br = net.config.bridge {
            if let l = host.link(named: br) {
                if !l.isUp { drift.append("bridge \(br) is down") }
                if !l.addresses.contains(net.subnet.interfaceAddress(net.gateway)) {
                    drift.append("bridge \(br) lost its gateway address \(net.gateway)")
                }
                // A dual-stack network's IPv6 gateway too.
                if let v6 = NetworkPlanner.spec(net).addressing(.ipv6), v6.subnet != net.subnet,
                   !l.addresses.contains(v6.subnet.interfaceAddress(v6.gateway)) {
                    drift.append("bridge \(br) lost its IPv6 gateway address \(v6.gateway)")
                }
            } else {
                drift.append("bridge \(br) is missing from \(net.hostNamespace)")
            }
        }
        let names = eps.map { $0.sandboxName(in: snap, host: host) }
        for (ep, name) in zip(eps, names) {
            if let h = ep.hostIfname, host.link(named: h) == nil {
                drift.append("endpoint \(name) \(ep.ifname): host interface \(h) was deleted behind Plumb's back")
            }
            // By cookie: a newcomer that took the inode is not this endpoint's namespace.
            if ep.sandboxHandle(in: snap, host: host) == nil {
                drift.append("endpoint \(name) \(ep.ifname): its namespace is gone")
            }
        }
        if net.driver == .bridge && !net.internal {
            let tagged = host.firewall.tables.flatMap { $0.chains.flatMap(\.rules) }.filter { $0.rule.contains("plumb:\(name)\"") }
            if tagged.isEmpty { drift.append("its firewall rules are gone (flushed by another tool?)") }
        }
        if net.driver == .cni { drift += cniCheck(net, endpoints: eps, snapshot: snap) }
        // Both ways: leases no endpoint holds, veths and rules no endpoint owns (`plumb gc` fixes them).
        drift += try self.drift(of: net, host: host, snapshot: snap)
            .filter { $0.kind != .endpointWithoutVeth && $0.kind != .endpointWithoutSandbox }.map(\.description)
        return InspectReport(network: net, endpoints: eps, drift: drift, sandboxNames: names)
    }
}

extension NetworkService {
    /// What `net inspect` reports for a network whose host namespace is gone (deleted, or deleted and its
    /// name given to another namespace): that, and each endpoint's side of it.
    func goneHostDrift(_ net: NetworkRecord, what: String, why: String, endpoints eps: [EndpointRecord], snapshot snap: Snapshot) -> [String] {
        var drift = ["host namespace \(what) is gone (\(why)): the network's bridge, firewall rules and host interfaces went with it; "
                     + "`plumb net rm \(net.name) --force` or `plumb gc` removes what is left in the store"]
        for ep in eps {
            if let h = ep.hostIfname { drift.append("endpoint \(ep.sandbox): host interface \(h) went with the host namespace") }
            if ep.sandboxHandle(in: snap) == nil { drift.append("endpoint \(ep.sandbox): its namespace is gone") }
        }
        return drift
    }
}
