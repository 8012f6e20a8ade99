import Foundation
import PlumbCluster
import PlumbKernel
import PlumbModel
import PlumbSystem

/// The orchestrator behind `plumb net` and `plumb ns`: reads the store and the kernel (a snapshot), asks the
/// pure `NetworkPlanner` for the plan, then (unless dry-run) journals it and applies it as a unit through
/// `PlanExecutor`, and records the result. Bad input is rejected before anything is applied, so it changes
/// nothing. The I/O stays here; what to do is decided there.
public final class NetworkService {
    public let store: StateStore
    /// Where bridges live: the host, or a namespace standing in for it.
    public let hostNamespace: NamespaceRef
    public let executor: PlanExecutor
    /// Values in, plan out: everything `plumb net` decides without touching the kernel or the store.
    public let planner: NetworkPlanner
    /// The operation lock while this service holds it (shared for changes, exclusive for gc), and how many
    /// nested operations hold it (the lab runs several inside one).
    var operationLock: AdvisoryLock?
    var operationDepth = 0
    /// The cluster store (etcd), when one is configured: VXLAN networks are then shared and take their
    /// addresses from it (`NetworkService+Cluster.swift`). Nil: everything is local, as always.
    public var cluster: ClusterStore?
    /// What the last change left for the user to know that is not a failure (a cluster lease that `plumb gc`
    /// must release later); the CLI prints each as a note.
    public internal(set) var notes: [String] = []

    public init(store: StateStore, hostNamespace: NamespaceRef = .host) {
        self.store = store
        self.hostNamespace = hostNamespace
        planner = NetworkPlanner(hostNamespace: hostNamespace)
        executor = PlanExecutor(journal: StoreJournal(store: store))
    }

    // MARK: reading the kernel

    /// A fresh snapshot (firewall included only where asked: it is the slow part). With `detailOnly`, only the
    /// host namespace `of` (this service's by default; and `also`) is read — the others are discovered (names,
    /// ids, paths) but not entered — and processes are not attributed to containers: with hundreds of
    /// namespaces on the machine, reading them all would cost far more than the change itself.
    func snapshot(firewall: Bool = true, detailOnly: Bool = false, also: Set<UInt64> = [], of hostRef: NamespaceRef? = nil) -> Snapshot {
        let hostRef = hostRef ?? hostNamespace
        var o = SnapshotOptions()
        o.firewall = firewall
        o.scanFds = false
        if detailOnly {
            o.only = also.union(Self.inode(hostRef.file).map { [$0] } ?? [])
            o.containers = false
            o.processDetails = false
        }
        return SnapshotReader(options: o).read()
    }

    /// The host namespace (`of`: a network's; this service's by default) and these ip-netns namespaces only,
    /// without discovering the rest of the machine; nil when a name is not an existing /run/netns entry (a
    /// container name, a typo: the full snapshot resolves or reports it) or the host namespace is not there.
    func leanSnapshot(firewall: Bool, named: [String], of hostRef: NamespaceRef? = nil, identityOnly: Set<UInt64> = []) -> Snapshot? {
        let hostRef = hostRef ?? hostNamespace
        var files: [SnapshotReader.NamespaceFile]
        switch hostRef.location {
        case .host: files = [.init(path: "/proc/self/ns/net", isHost: true)]
        case .named(let n):
            guard access(hostRef.file, F_OK) == 0 else { return nil }
            files = [.init(path: hostRef.file, name: n)]
        case .path, .pid:
            guard access(hostRef.file, F_OK) == 0 else { return nil }
            files = [.init(path: hostRef.file)]
        }
        for n in named {
            guard (try? NamedNamespaces.validate(n)) != nil, access("\(NamedNamespaces.directory)/\(n)", F_OK) == 0 else { return nil }
            files.append(.init(path: "\(NamedNamespaces.directory)/\(n)", name: n))
        }
        var o = SnapshotOptions()
        o.firewall = firewall
        o.scanFds = false
        o.containers = false
        o.processDetails = false
        o.identityOnly = identityOnly
        return SnapshotReader(options: o).read(files: files)
    }

    static func inode(_ path: String) -> UInt64? {
        var st = stat()
        return stat(path, &st) == 0 ? UInt64(st.st_ino) : nil
    }

    /// The host namespace `of` (a network's stored one; this service's by default) as `snap` read it. A
    /// network's handle carries the cookie read when it was created: a namespace found at its name with
    /// another cookie is a newcomer that took the name (the network's own namespace was deleted), and is
    /// reported as gone (`namespaceMissing`), never returned, so no plan of the network is made for it.
    func hostView(_ snap: Snapshot, of hostRef: NamespaceRef? = nil) throws -> Namespace {
        let hostRef = hostRef ?? hostNamespace
        let found: Namespace
        switch hostRef.location {
        case .host:
            return try snap.host.orThrow(ActionError.unavailable("cannot find the host namespace"))
        case .named(let n):
            found = try snap.namespaces.first { $0.names.contains(n) }
                .orThrow(ActionError.namespaceMissing("netns \(n)", "no such namespace: create it with `plumb ns add \(n)`"))
        case .path, .pid:
            let p = hostRef.file
            guard let inode = Self.inode(p), let ns = snap.namespace(id: inode) else {
                throw ActionError.namespaceMissing(p, "cannot open it")
            }
            found = ns
        }
        if let want = hostRef.cookie, let cookie = found.cookie, cookie != want {
            throw ActionError.namespaceMissing(
                "\(hostRef) (net:[\(hostRef.inode.map(String.init) ?? "?")])",
                "it was deleted; \(hostRef) is now another namespace, net:[\(found.id)], which is left alone")
        }
        return found
    }

    // MARK: networks

    /// What `net create` was asked for. The addresses are values, parsed once where they come in
    /// (`parseAddresses`): nothing after that goes back to the text.
    public struct CreateRequest: Sendable {
        public var name: String
        public var driver = "bridge"
        public var subnet: IPPrefix?
        public var gateway: IPAddress?
        /// A dual-stack bridge network's IPv6 subnet and gateway (the second `--subnet` / `--gateway`).
        public var subnet6: IPPrefix?
        public var gateway6: IPAddress?
        /// `--nat66`: masquerade the network's IPv6 traffic leaving it.
        public var nat66 = false
        public var ipRange: IPPrefix?
        public var mtu: Int?
        public var `internal` = false
        /// `--bridge` (bridge and vxlan).
        public var bridge: String?
        /// `--parent`: macvlan's parent interface, vxlan's underlay device.
        public var parent: String?
        /// `--mode` (macvlan).
        public var mode: String?
        /// `--vni`, `--remote`, `--local`, `--dstport` (vxlan).
        public var vni: UInt32?
        public var remote: IPAddress?
        public var local: IPAddress?
        public var dstport: Int?
        /// vxlan without `--remote` under a cluster store: the VTEPs find each other through `plumb agent`.
        public var clusterOverlay = false
        /// The text of the `--cni-config` file (cni).
        public var cniConfig: String?
        public init(name: String) { self.name = name }
    }

    public func create(_ req: CreateRequest, dryRun: Bool) throws -> (Plan, NetworkRecord) {
        try Self.validateName(req.name, what: "network")
        guard let kind = NetworkDriver(rawValue: req.driver), planner.drivers[kind] != nil else {
            throw ActionError.invalid("unknown driver '\(req.driver)': available: \(planner.drivers.keys.map(\.rawValue).sorted().joined(separator: ", "))")
        }
        if try store.network(named: req.name) != nil {
            throw ActionError.invalid("network '\(req.name)' already exists: pick another name or `plumb net rm \(req.name)`")
        }
        if let mtu = req.mtu, !(68...65535).contains(mtu) {
            throw ActionError.invalid("invalid --mtu \(mtu): use 68..65535")
        }
        let hold = try holdOperationLock(unless: dryRun)
        defer { hold.end() }
        var timer = PhaseTimer("net create")
        defer { timer.report() }
        var req = req
        // A shared network another host created is built here with the cluster's settings; without --remote,
        // a VXLAN network under a store is a cluster overlay (`plumb agent` programs its forwarding).
        let adopted = try adoptShared(&req, driver: kind)
        req.clusterOverlay = sharesThroughCluster(kind)
        let snap = leanSnapshot(firewall: true, named: []) ?? snapshot(detailOnly: true)
        timer.mark("snapshot")
        let host = try hostView(snap)
        var chain: (config: CNIChainConfig, gateway: IPAddress?)?
        if kind == .cni { chain = try prepareCNI(&req) }
        let (plan, record) = try planner.create(req, driver: kind, host: host, networks: try store.networks(), cni: chain,
                                                createdAt: Date().timeIntervalSince1970)
        timer.mark("plan")
        if dryRun { return (plan, record) }
        var registered = false
        if adopted == nil { registered = try registerShared(record) }
        // The network row is written with the journal's "applied": a kill cannot leave one without the other.
        do {
            try executor.apply(plan, record: { [store] in try store.createNetwork(record) })
        } catch {
            if registered { _ = try? cluster?.unregister(network: record.name) }
            throw error
        }
        timer.mark("apply")
        return (plan, record)
    }

    public func remove(_ name: String, force: Bool, dryRun: Bool) throws -> [Plan] {
        try remove([name], force: force, dryRun: dryRun)
    }

    /// Removes one or more networks as one operation: one snapshot, one plan, one journal entry. With
    /// --force their endpoints leave in the same plan; the firewall teardown of every network is one batch
    /// (each network's teardown removes every rule tagged for it, its endpoints' included), and the host veths
    /// and bridges are deleted together as one interface group. A bad name anywhere changes nothing.
    public func remove(_ names: [String], force: Bool, dryRun: Bool) throws -> [Plan] {
        try removeNetworks(names, force: force, dryRun: dryRun).plans
    }

    /// `remove`, and what it could not find: endpoints whose namespace is gone (their steps inside it are left
    /// out), a host namespace that is gone (nothing is left to delete in the kernel; the store rows go).
    public func removeNetworks(_ names: [String], force: Bool, dryRun: Bool) throws -> (plans: [Plan], notFound: [String]) {
        guard !names.isEmpty else { throw ActionError.invalid("no network given") }
        if Set(names).count != names.count {
            throw ActionError.invalid("a network is given twice: \(duplicates(names).joined(separator: ", "))")
        }
        let hold = try holdOperationLock(unless: dryRun)
        defer { hold.end() }
        if !dryRun { for name in names { if let n = try store.network(named: name) { try requireStore(for: n) } } }
        var timer = PhaseTimer("net rm")
        defer { timer.report() }
        var nets: [(record: NetworkRecord, endpoints: [EndpointRecord])] = []
        for name in names {
            let net = try record(name)
            if let first = nets.first, first.record.hostNamespace != net.hostNamespace {
                throw ActionError.invalid("networks \(first.record.name) and \(name) live in different host namespaces (\(first.record.hostNamespace), \(net.hostNamespace)): remove them one at a time")
            }
            let eps = try store.endpoints(network: name)
            if !eps.isEmpty && !force {
                // Named as the user knows them (container or ip-netns name), not by inode: one read for the message.
                let snap = snapshot(firewall: false)
                let host = try? hostView(snap)
                let who = eps.map { "\($0.sandboxName(in: snap, host: host)) \($0.ifname)" }
                throw ActionError.invalid("network '\(name)' still has \(counted(eps.count, "endpoint")) (\(who.joined(separator: ", "))): disconnect them or use --force")
            }
            nets.append((net, eps))
        }
        // Bridge and VXLAN endpoints leave by their host interface: the host namespace alone is enough.
        // Macvlan and CNI endpoints are found again in their sandboxes, which are read (their cookies say
        // whether each is still there).
        let byHostInterface = nets.allSatisfy { n in n.record.driver != .cni && n.endpoints.allSatisfy { $0.hostIfname != nil } }
        let sandboxes = Self.sandboxInodes(nets.flatMap(\.endpoints))
        // Each network is looked for where it was built (its stored host namespace and cookie), whatever
        // --host-ns says now.
        let home = nets[0].record.hostNamespace
        let snap = (byHostInterface ? leanSnapshot(firewall: true, named: [], of: home) : nil)
            ?? snapshot(detailOnly: true, also: sandboxes, of: home)
        timer.mark("snapshot")
        var notFound: [String] = []
        let plan: Plan
        do {
            let host = try hostView(snap, of: home)
            plan = try planner.remove(nets, allNetworks: try store.networks(), snapshot: snap, host: host)
            for ep in nets.flatMap(\.endpoints) {
                if let h = ep.hostIfname, ep.driverState == nil {
                    if host.link(named: h) == nil { notFound.append("endpoint \(ep.sandboxName(in: snap, host: host)) \(ep.ifname): host interface \(h) was already gone") }
                } else if ep.sandboxHandle(in: snap, host: host) == nil {
                    notFound.append(ep.goneNote)
                }
            }
        } catch ActionError.namespaceMissing(let where_, _) {
            // The host namespace is gone, and its bridge, rules and veth ends with it: only the store is left.
            plan = Plan(operation: .netRemove(networks: names, force: nets.contains { !$0.endpoints.isEmpty }))
            notFound.append("host namespace \(where_) is gone: its bridge, firewall rules and interfaces went with it (nothing of the namespace now at its name is touched)")
        }
        timer.mark("plan")
        if dryRun { return ([plan], notFound) }
        try executor.apply(plan, record: { [store] in
            for n in nets {
                for ep in n.endpoints { try store.removeEndpoint(network: n.record.name, key: ep.key) }
                try store.deleteNetwork(named: n.record.name)
            }
        })
        unregisterShared(nets.map(\.record.name), drivers: nets.map(\.record.driver))
        timer.mark("apply")
        return ([plan], notFound)
    }

    // MARK: helpers

    func record(_ name: String) throws -> NetworkRecord {
        try store.network(named: name).orThrow(ActionError.notFound("no network named '\(name)' (see `plumb net ls`)"))
    }

    public static func validateName(_ name: String, what: String) throws {
        guard !name.isEmpty, name.count <= 64, name.first!.isLetter || name.first!.isNumber,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw ActionError.invalid("invalid \(what) name '\(name)': use up to 64 letters, digits, '-', '_', '.'")
        }
    }
}

extension NamespaceRef {
    var encoded: String {
        switch location {
        case .host: return "host"
        case .named(let n): return "netns:\(n)"
        case .path(let p): return "path:\(p)"
        case .pid(let pid): return "path:/proc/\(pid)/ns/net"
        }
    }

    /// The stored location, with the identity stored beside it (the host itself has none).
    init(encoded s: String, cookie: UInt64? = nil, inode: UInt64? = nil) {
        if s.hasPrefix("netns:") { self = .named(String(s.dropFirst(6))) }
        else if s.hasPrefix("path:") { self = .path(String(s.dropFirst(5))) }
        else { self = .host }
        if !isHost { self.cookie = cookie; self.inode = inode }
    }
}

extension Optional {
    func orThrow(_ e: @autoclosure () -> any Error) throws -> Wrapped {
        guard let v = self else { throw e() }
        return v
    }
}

/// Adapts the store's journal table to the executor.
final class StoreJournal: PlanJournal {
    let store: StateStore
    init(store: StateStore) { self.store = store }

    func begin(_ plan: Plan) throws -> Int64 {
        try store.journalBegin(operation: plan.label, plan: try Self.text(plan))
    }

    func fail(_ id: Int64) throws { try store.journalSet(id, state: .failed) }

    /// The plan as the journal stores it.
    static func text(_ plan: Plan) throws -> String {
        String(decoding: try JSONEncoder().encode(JournaledPlan(plan)), as: UTF8.self)
    }

    func finish(_ id: Int64, applied: Bool, record: (() throws -> Void)?) throws {
        try store.journalFinish(id, state: applied ? .applied : .rolledBack) { try record?() }
        // Every successful change trims the finished history to its bound (30 days, 1,000 entries): without
        // this the journal grows by one entry per change, forever. A failed prune costs nothing but space.
        if applied { try? store.pruneJournal() }
    }
}

extension NetworkService {
    /// `net`'s host namespace as `snap` read it, checked by cookie; when it is gone (deleted, or its name taken
    /// by a newcomer) the error names the network and what to do.
    func homeView(of net: NetworkRecord, in snap: Snapshot) throws -> Namespace {
        do {
            return try hostView(snap, of: net.hostNamespace)
        } catch ActionError.namespaceMissing(let what, let why) {
            throw ActionError.namespaceMissing("\(what), network \(net.name)'s host namespace",
                                               "\(why); its bridge, rules and interfaces went with it: `plumb net rm \(net.name) --force` removes what is left in the store")
        }
    }
}
