import Foundation
import PlumbCluster
import PlumbKernel
import PlumbModel

/// Connecting and disconnecting endpoints, one target or many. Many targets are still one operation: one
/// snapshot, one IPAM transaction, one plan (one firewall batch, netlink changes on one socket per namespace),
/// journaled and applied as a unit — a bad target anywhere in the list is reported before anything changes,
/// and a failure half-way rolls every target back.
extension NetworkService {
    public struct ConnectRequest: Sendable {
        public var network: String
        public var targets: [String]
        /// `--ip`: the address asked for (parsed where it came in).
        public var ip: IPAddress?
        public var ifname: String?
        /// `-p` mappings: HOSTPORT:PORT[/tcp|udp], optionally HOSTIP:HOSTPORT:PORT. With several targets the
        /// host port is a range FIRST-LAST with one port per target, given in target order.
        public var publish: [String] = []
        public init(network: String, target: String) { self.network = network; self.targets = [target] }
        public init(network: String, targets: [String]) { self.network = network; self.targets = targets }
        public var target: String { targets.first ?? "" }
    }

    /// Connects one target (the request's first) and returns its endpoint.
    public func connect(_ req: ConnectRequest, dryRun: Bool) throws -> (Plan, EndpointRecord) {
        var one = req
        one.targets = [req.target]
        let (plan, eps) = try connectMany(one, dryRun: dryRun)
        return (plan, eps[0])
    }

    public func connectMany(_ req: ConnectRequest, dryRun: Bool) throws -> (Plan, [EndpointRecord]) {
        let hold = try holdOperationLock(unless: dryRun)
        defer { hold.end() }
        var timer = PhaseTimer("net connect")
        defer { timer.report() }
        let net = try record(req.network)
        guard !req.targets.isEmpty else { throw ActionError.invalid("no target given") }
        if Set(req.targets).count != req.targets.count {
            throw ActionError.invalid("a target is given twice: \(duplicates(req.targets).joined(separator: ", "))")
        }
        if net.driver == .cni, let ip = req.ip {
            // Passed as the `ips` capability, which only plugins declaring it receive (host-local reads it).
            let declares = (net.cniConfig?.plugins ?? [])
                .contains { ($0["capabilities"] as? [String: Any])?["ips"] as? Bool == true }
            guard declares else {
                throw ActionError.invalid("--ip \(ip) needs a plugin of \(net.name) declaring the \"ips\" capability (e.g. \"capabilities\":{\"ips\":true} on the bridge entry, with host-local IPAM)")
            }
        }
        if req.targets.count > 1, req.ip != nil {
            throw ActionError.invalid("--ip gives one address: connect the targets one by one to choose each address")
        }
        // Namespaces whose ids are known before reading (ip-netns names, pid:N) get full detail in the one
        // snapshot; any other target form (a container name) costs a second, full read.
        let known = Self.knownInodes(req.targets)
        var snap = leanSnapshot(firewall: false, named: req.targets, of: net.hostNamespace)
            ?? snapshot(firewall: false, detailOnly: true, also: known, of: net.hostNamespace)
        timer.mark("snapshot")
        // The quick read has no container attribution: a target it cannot resolve, or one resolved outside the
        // namespaces read in detail, costs a full read. An unknown target is then reported as such (exit code
        // 4) before anything is planned, whatever its place in the list: nothing is connected.
        var quick = try? req.targets.map { try Target.resolve($0, in: snap) }
        if quick == nil || quick!.contains(where: { !known.contains($0.id) }) {
            snap = snapshot(firewall: false, of: net.hostNamespace)
            quick = try req.targets.map { try Target.resolve($0, in: snap) }
        }
        let resolved = quick ?? []
        let ports = try publishedPorts(req.publish, count: req.targets.count, network: net)
        // Already connected: the same namespace by cookie. A newcomer that took the inode of a connected
        // namespace which is gone is another namespace, and may connect.
        let existing = try store.endpoints(network: net.name)
        // The network's own host namespace, by cookie: one deleted and re-created under its name is refused here,
        // before anything is planned (and each step would refuse it again).
        let host = try homeView(of: net, in: snap)
        var seen = Set<UInt64>()
        let sandboxes = resolved
        for (t, sb) in zip(req.targets, sandboxes) {
            if sb.isHost { throw ActionError.invalid("target \(t): cannot connect the host namespace itself to a network") }
            if existing.contains(where: { $0.isIn(sb, host: host) }) { throw ActionError.invalid("\(t) is already connected to \(net.name)") }
            if !seen.insert(sb.id).inserted { throw ActionError.invalid("target \(t) is the same namespace as another target") }
        }
        var ifnames: [String] = []
        for (t, sb) in zip(req.targets, sandboxes) {
            let ifname = try req.ifname ?? NetworkPlanner.freeIfname(in: sb)
            try LinkNames.validate(ifname)
            if sb.link(named: ifname) != nil {
                throw ActionError.invalid("\(t) already has an interface \(ifname): choose --ifname")
            }
            ifnames.append(ifname)
        }
        let cni = net.driver == .cni
        // The port check, IPAM (every address; the CNI driver's come from the plugin's own IPAM instead) and the
        // journal entry are one transaction: a concurrent connect sees this one's ports and addresses as taken,
        // and a kill cannot leave an address allocated without the entry that lets gc free it.
        // A dual-stack bridge network gives each endpoint an address of each family; --ip names the one of its
        // family.
        let subnet6 = NetworkPlanner.spec(net).addressing(.ipv6).map(\.subnet)
        let dual = subnet6 != nil && !net.subnet.isIPv6
        let ip6 = dual && (req.ip?.isIPv6 ?? false)
        let requested = ip6 ? nil : req.ip, requested6 = ip6 ? req.ip : nil
        func planned(_ addresses: [IPAddress?], _ addresses6: [IPAddress]?) throws -> (Plan, [EndpointSpec]) {
            try planner.connect(net, targets: req.targets, sandboxes: sandboxes, ifnames: ifnames,
                                addresses: addresses, addresses6: addresses6, ports: ports)
        }
        // A CNI endpoint's address is the plugin's pick (nil here) unless --ip asked for one.
        let plan: Plan, specs: [EndpointSpec], addresses: [IPAddress?], entry: Int64?
        // A shared network's addresses are leased in the cluster store first (one compare-and-swap each); the
        // local allocation then takes exactly those. Any failure from here on gives them back.
        var shared: [ClusterStore.Taken]?
        if dryRun, !cni, let preview = try previewShared(net, count: sandboxes.count, requested: requested) {
            (plan, specs) = try planned(preview, nil)
            addresses = preview
            entry = nil
        } else if dryRun {
            // The addresses the real run would take now (nothing is allocated): the plan shows real ones.
            addresses = cni ? sandboxes.map { _ in requested }
                : try store.previewAllocations(network: net.name, count: sandboxes.count, requested: requested)
            let addresses6 = dual
                ? try store.previewAllocations(network: net.name, count: sandboxes.count, requested: requested6, family: .ipv6) : nil
            (plan, specs) = try planned(addresses, addresses6)
            entry = nil
        } else {
            if !cni { shared = try reserveShared(net, sandboxes: sandboxes, ifnames: ifnames, requested: requested) }
            do {
            (plan, specs, addresses, entry) = try store.transaction {
                try checkPortsFree(ports.flatMap { $0 })
                func key(_ sb: Namespace) -> String { EndpointRecord.key(sandbox: String(sb.id), cookie: sb.cookie) }
                let addresses: [IPAddress?] = cni ? sandboxes.map { _ in req.ip }
                    : try sandboxes.indices.map { i in
                        // A shared network's address is the one its cluster lease (JSON text) holds.
                        let leased = try shared.map { try IPAddress.parse($0[i].lease.address) }
                        return try store.allocate(network: net.name, requested: leased ?? requested, sandbox: key(sandboxes[i]))
                    }
                let addresses6 = dual
                    ? try sandboxes.map { try store.allocate(network: net.name, requested: requested6, sandbox: key($0), family: .ipv6) } : nil
                let (plan, specs) = try planned(addresses, addresses6)
                let id = try store.journalBegin(operation: plan.label, plan: try StoreJournal.text(plan),
                                                claims: ports.flatMap { $0 })
                return (plan, specs, addresses, id)
            }
            } catch {
                releaseShared(shared)
                throw error
            }
        }
        timer.mark("validate+ipam+plan")
        let now = Date().timeIntervalSince1970
        var records = specs.indices.map { i in
            EndpointRecord(network: net.name, sandbox: String(sandboxes[i].id), ifname: ifnames[i],
                           hostIfname: specs[i].hostIfname, address: specs[i].address, mac: nil, ports: specs[i].ports,
                           createdAt: now, cookie: sandboxes[i].cookie, address6: specs[i].address6)
        }
        if dryRun { return (plan, records) }
        do {
            // The endpoint rows are written with the journal's "applied", so the two never disagree.
            try executor.apply(plan, journaled: entry, record: { [store, executor] in
                if cni {
                    let bridges = Set(net.cniConfig?.bridges ?? [])
                    for i in records.indices {
                        let result = executor.cniResults["\(CNIDriver.containerID(NetworkPlanner.spec(net), specs[i]))/\(ifnames[i])"]
                        let parsed = CNIResult(result ?? "")
                        records[i].driverState = result
                        records[i].address = parsed.addresses.first?.address
                        records[i].hostIfname = parsed.hostInterfaces.last { !bridges.contains($0) }
                    }
                }
                for r in records { try store.addEndpoint(r) }
            })
        } catch {
            if !cni {
                let all = addresses.compactMap { $0 } + specs.compactMap(\.address6)
                try? store.transaction { for a in all { try? store.release(network: net.name, address: a) } }
            }
            releaseShared(shared)
            throw error
        }
        bindShared(shared, on: net)
        timer.mark("apply+store")
        return (plan, records)
    }

    /// `-p` values per target: with one target as given; with N targets each host port must be a range of N.
    func publishedPorts(_ publish: [String], count: Int, network net: NetworkRecord) throws -> [[PortMapping]] {
        var perTarget = Array(repeating: [PortMapping](), count: count)
        for text in publish {
            let (expanded, err) = NetworkPlanner.expandRange(text, count: count)
            if let err { throw ActionError.invalid(err) }
            for (i, t) in expanded.enumerated() {
                do { perTarget[i].append(try PortMapping.parse(t)) } catch { throw ActionError.invalid("\(error)") }
            }
        }
        let all = perTarget.flatMap { $0 }
        if !all.isEmpty && net.driver != .bridge && net.driver != .cni {
            throw ActionError.invalid("-p needs a bridge or cni network; \(net.name) uses the \(net.driver) driver")
        }
        if Set(all.map { "\($0.hostPort)/\($0.proto)" }).count != all.count {
            throw ActionError.invalid("the same host port is given twice in -p")
        }
        try checkPortsFree(all)
        return perTarget
    }

    /// Refuses a host port that an endpoint publishes, or that an operation journaled as running (or
    /// interrupted, until gc) claims. A connect runs it again inside the transaction that journals its claim.
    func checkPortsFree(_ ports: [PortMapping]) throws {
        func clash(_ p: PortMapping, _ q: PortMapping) -> Bool {
            q.hostPort == p.hostPort && q.proto == p.proto && (q.hostIP == nil || p.hostIP == nil || q.hostIP == p.hostIP)
        }
        if ports.isEmpty { return }
        for other in try store.allEndpoints() {
            for p in ports where other.ports.contains(where: { clash(p, $0) }) {
                throw ActionError.invalid("host port \(p.hostPort)/\(p.proto) is already published (network \(other.network), endpoint \(other.sandbox)): choose another host port")
            }
        }
        for claim in try store.claimedPorts() where ports.contains(where: { clash($0, claim.port) }) {
            throw ActionError.invalid("host port \(claim.port.hostPort)/\(claim.port.proto) is being published by another operation (journal entry \(claim.entry), \(claim.operation)): choose another host port, or run `plumb gc` if that operation was interrupted")
        }
    }

    func duplicates(_ list: [String]) -> [String] {
        var seen = Set<String>(), dup: [String] = []
        for t in list where !seen.insert(t).inserted { dup.append(t) }
        return dup
    }

    // MARK: disconnect

    /// Disconnects every target in one plan; a target that is not connected is reported before anything changes.
    /// A target is matched by its namespace's cookie. An endpoint whose namespace is gone is named by the inode
    /// (or key) `net inspect` shows; it leaves without any step inside a namespace.
    public func disconnect(network: String, targets: [String], dryRun: Bool) throws -> Plan {
        let hold = try holdOperationLock(unless: dryRun)
        defer { hold.end() }
        let net = try record(network)
        guard !targets.isEmpty else { throw ActionError.invalid("no target given") }
        let eps = try store.endpoints(network: net.name)
        let home = net.hostNamespace
        let lean = net.driver != .cni && net.driver != .macvlan ? leanSnapshot(firewall: true, named: targets, of: home) : nil
        // The targets' namespaces are read (not only discovered): matching needs their cookies.
        var snap = lean ?? snapshot(detailOnly: true, also: Self.knownInodes(targets).union(Self.sandboxInodes(eps)), of: home)
        // Container names need attribution, which the quick reads skip: read everything when one is given.
        if targets.contains(where: { endpoint(for: $0, in: eps, snapshot: snap, home: home) == nil }) {
            snap = snapshot(of: home)
        }
        var chosen: [EndpointRecord] = []
        for t in targets {
            guard let ep = endpoint(for: t, in: eps, snapshot: snap, home: home) else {
                throw ActionError.notFound("\(t) is not connected to \(network) (see `plumb net inspect \(network)`)"
                                          + (targets.count > 1 ? "; nothing was disconnected" : ""))
            }
            if !chosen.contains(where: { $0.key == ep.key }) { chosen.append(ep) }
        }
        return try disconnect(network: network, endpoints: chosen, dryRun: dryRun, snapshot: snap)
    }

    /// The endpoint a disconnect target names: the one in the target's namespace (by cookie), else one whose
    /// namespace is gone, named by its inode or key.
    func endpoint(for target: String, in eps: [EndpointRecord], snapshot snap: Snapshot, home: NamespaceRef) -> EndpointRecord? {
        let host = try? hostView(snap, of: home)
        if let ns = try? Target.resolve(target, in: snap), let ep = eps.first(where: { $0.isIn(ns, host: host) }) {
            return ep
        }
        return eps.first { ($0.sandbox == target || $0.key == target) && $0.sandboxHandle(in: snap, host: host) == nil }
    }

    /// Namespace inodes that targets name without a full read: ip-netns names, `pid:N`, raw ids.
    static func knownInodes(_ targets: [String]) -> Set<UInt64> {
        Set(targets.compactMap { t -> UInt64? in
            switch Target(parsing: t) {
            case .pid(let pid): return inode("/proc/\(pid)/ns/net")
            case .name(let n): return (try? NamedNamespaces.validate(n)) != nil ? inode("\(NamedNamespaces.directory)/\(n)") : nil
            case .id(let id): return id
            case .host: return nil
            }
        })
    }

    /// The inodes of endpoints whose namespaces a plan may enter (no host end: macvlan; CNI; rows without a
    /// cookie, matched by evidence read inside): read at plan time, so a namespace that is gone is known as gone
    /// and its steps are left out instead of failing the plan.
    static func sandboxInodes(_ eps: [EndpointRecord]) -> Set<UInt64> {
        Set(eps.filter { $0.hostIfname == nil || $0.cookie == nil || $0.driverState != nil }.compactMap { UInt64($0.sandbox) })
    }

    /// `snap` (with the host's firewall) locates macvlan sandboxes and the endpoints' published-port rules.
    func disconnect(network: String, endpoints: [EndpointRecord], dryRun: Bool, snapshot snap: Snapshot) throws -> Plan {
        let hold = try holdOperationLock(unless: dryRun)
        defer { hold.end() }
        var timer = PhaseTimer("net disconnect")
        defer { timer.report() }
        let net = try record(network)
        if !dryRun { try requireStore(for: net) }
        var plan: Plan
        do {
            plan = try planner.leave(net, endpoints: endpoints, snapshot: snap, host: try hostView(snap, of: net.hostNamespace),
                                     firewallTeardown: true)
        } catch ActionError.namespaceMissing {
            // The network's host namespace is gone, and the endpoints' host ends and rules with it: only steps
            // inside the sandboxes (a macvlan child) are left, and nothing is done where its name leads now.
            plan = try planner.leave(net, endpoints: endpoints, snapshot: snap, host: nil, firewallTeardown: false)
            plan.steps = plan.steps.filter { step in
                switch step {
                case .deleteLink(_, let ns), .cni(_, _, _, _, _, _, _, _, _, let ns): return ns.location != net.hostNamespace.location
                default: return true
                }
            }
        }
        timer.mark("plan")
        if dryRun { return plan }
        try executor.apply(plan, record: { [store] in
            for ep in endpoints { try store.removeEndpoint(network: network, key: ep.key) }
        })
        if let note = releaseShared(network: net, endpoints: endpoints) { notes.append(note) }
        timer.mark("apply+store")
        return plan
    }
}

/// `net connect NET --new-ns NAME`: a new named namespace, connected, in one process and under one operation
/// lock — what a runtime does per container, without paying a second plumb start, store open and lock.
extension NetworkService {
    /// Creates `name` (as `ns add` does), then connects it. If the connect fails, the namespace is removed again:
    /// the caller sees one operation that either happened or did not. Dry-run shows both plans without applying
    /// (the connect plan is then only described: the namespace it would plan against does not exist yet).
    public func connectNewNamespace(_ name: String, _ req: ConnectRequest,
                                    dryRun: Bool) throws -> (plans: [Plan], endpoint: EndpointRecord?) {
        let hold = try holdOperationLock(unless: dryRun)
        defer { hold.end() }
        let add = try addNamespace(name, dryRun: dryRun)
        if dryRun { return ([add], nil) }
        var one = req
        one.targets = [name]
        do {
            let (plan, eps) = try connectMany(one, dryRun: false)
            return ([add, plan], eps.first)
        } catch {
            _ = try? removeNamespace(name, force: false, dryRun: false)
            throw error
        }
    }
}
