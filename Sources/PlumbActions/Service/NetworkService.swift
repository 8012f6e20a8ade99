import Foundation
import PlumbKernel
import PlumbModel

/// The operations behind `plumb net` and `plumb ns`: validate input against the store and the kernel, ask the
/// driver for a plan, then (unless dry-run) journal it, apply it as a unit and record the result. Bad input is
/// rejected before anything is planned, so it changes nothing.
public final class NetworkService {
    public let store: StateStore
    /// Where bridges live: the host, or a namespace standing in for it.
    public let hostNamespace: NamespaceRef
    public let executor: PlanExecutor
    let drivers: [NetworkDriver: any DriverPlanner] = [.bridge: BridgeDriver(), .macvlan: MacvlanDriver(), .vxlan: VxlanDriver(),
                                                       .cni: CNIDriver()]

    public init(store: StateStore, hostNamespace: NamespaceRef = .host) {
        self.store = store
        self.hostNamespace = hostNamespace
        executor = PlanExecutor(journal: StoreJournal(store: store))
    }

    // MARK: reading the kernel

    /// A fresh snapshot (firewall included only where asked: it is the slow part). With `detailOnly`, only the
    /// host namespace (and `also`) is read — the others are discovered (names, ids, paths) but not entered —
    /// and processes are not attributed to containers: with hundreds of namespaces on the machine, reading
    /// them all would cost far more than the change itself.
    func snapshot(firewall: Bool = true, detailOnly: Bool = false, also: Set<UInt64> = []) -> Snapshot {
        var o = SnapshotOptions()
        o.firewall = firewall
        o.scanFds = false
        if detailOnly, let host = Self.inode(hostNamespace == .host ? "/proc/self/ns/net" : hostNamespace.file) {
            o.only = also.union([host])
            o.containers = false
            o.processDetails = false
        }
        return SnapshotReader(options: o).read()
    }

    /// The host namespace and these ip-netns namespaces only, without discovering the rest of the machine;
    /// nil when a name is not an existing /run/netns entry (a container name, a typo: the full snapshot
    /// resolves or reports it).
    func leanSnapshot(firewall: Bool, named: [String]) -> Snapshot? {
        var files: [SnapshotReader.NamespaceFile]
        switch hostNamespace.location {
        case .host: files = [.init(path: "/proc/self/ns/net", isHost: true)]
        case .named(let n): files = [.init(path: hostNamespace.file, name: n)]
        case .path, .pid: files = [.init(path: hostNamespace.file)]
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
        return SnapshotReader(options: o).read(files: files)
    }

    static func inode(_ path: String) -> UInt64? {
        var st = stat()
        return stat(path, &st) == 0 ? UInt64(st.st_ino) : nil
    }

    func hostView(_ snap: Snapshot) throws -> Namespace {
        switch hostNamespace.location {
        case .host:
            return try snap.host.orThrow(ActionError.invalid("cannot find the host namespace"))
        case .named(let n):
            return try snap.namespaces.first { $0.names.contains(n) }
                .orThrow(ActionError.namespaceMissing("netns \(n)", "no such namespace: create it with `plumb ns add \(n)`"))
        case .path, .pid:
            let p = hostNamespace.file
            var st = stat()
            guard stat(p, &st) == 0, let ns = snap.namespace(id: UInt64(st.st_ino)) else {
                throw ActionError.namespaceMissing(p, "cannot open it")
            }
            return ns
        }
    }

    // MARK: networks

    public struct CreateRequest: Sendable {
        public var name: String
        public var driver = "bridge"
        public var subnet: String?
        public var gateway: String?
        public var ipRange: String?
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
        public var remote: String?
        public var local: String?
        public var dstport: Int?
        /// The text of the `--cni-config` file (cni).
        public var cniConfig: String?
        public init(name: String) { self.name = name }
    }

    public func create(_ req: CreateRequest, dryRun: Bool) throws -> (Plan, NetworkRecord) {
        try Self.validateName(req.name, what: "network")
        guard let kind = NetworkDriver(rawValue: req.driver), let driver = drivers[kind] else {
            throw ActionError.invalid("unknown driver '\(req.driver)': available: \(drivers.keys.map(\.rawValue).sorted().joined(separator: ", "))")
        }
        if try store.network(named: req.name) != nil {
            throw ActionError.invalid("network '\(req.name)' already exists: pick another name or `plumb net rm \(req.name)`")
        }
        if let mtu = req.mtu, !(68...65535).contains(mtu) {
            throw ActionError.invalid("invalid --mtu \(mtu): use 68..65535")
        }
        var timer = PhaseTimer("net create")
        defer { timer.report() }
        let snap = leanSnapshot(firewall: true, named: []) ?? snapshot(detailOnly: true)
        timer.mark("snapshot")
        let host = try hostView(snap)
        var req = req
        var chain: (config: CNIChainConfig, gateway: String?)?
        if kind == .cni { chain = try prepareCNI(&req) }
        let subnet = try chooseSubnet(req, driver: kind, host: host)
        let gateway = try (req.gateway ?? chain?.gateway).map { try IPAddress.parse($0) } ?? subnet.host(1)
        guard subnet.contains(gateway) else {
            throw ActionError.invalid("gateway \(gateway) is outside subnet \(subnet): pick an address inside it")
        }
        if let r = req.ipRange {
            let range = try IPPrefix.parse(r)
            guard subnet.contains(range.network) && range.length >= subnet.length else {
                throw ActionError.invalid("--ip-range \(r) is not inside subnet \(subnet)")
            }
        }
        var bridge: String?
        if kind == .bridge || kind == .vxlan {
            let br = req.bridge ?? BridgeDriver.defaultBridgeName(network: req.name)
            try LinkNames.validate(br)
            if host.link(named: br) != nil {
                throw ActionError.invalid("interface \(br) already exists in \(hostNamespace): choose --bridge NAME")
            }
            bridge = br
        }
        // A parent/underlay device that does not exist is bad input: say so before planning anything.
        if let dev = req.parent, host.link(named: dev) == nil {
            throw ActionError.invalid("--parent \(dev) does not exist in \(hostNamespace) (see `plumb snapshot host`)")
        }
        let config: DriverConfig
        switch kind {
        case .bridge: config = .bridge(BridgeConfig(bridge: bridge))
        case .macvlan: config = .macvlan(try MacvlanDriver.config(parent: req.parent, mode: req.mode, hostNamespace: hostNamespace))
        case .vxlan:
            config = .vxlan(try VxlanDriver.config(vni: req.vni, remote: req.remote, local: req.local, port: req.dstport,
                                                   parent: req.parent, bridge: bridge))
        case .cni: config = .cni(chain!.config)
        }
        let spec = NetworkSpec(name: req.name, config: config, subnet: subnet.description, gateway: gateway.description,
                               mtu: req.mtu, internal: req.internal, hostNamespace: hostNamespace)
        let plan = try driver.create(spec, firewall: host.firewall)
        let record = NetworkRecord(name: req.name, config: config, subnet: subnet.description,
                                   gateway: gateway.description, ipRange: req.ipRange, mtu: req.mtu,
                                   internal: req.internal, hostNamespace: hostNamespace,
                                   createdAt: Date().timeIntervalSince1970)
        // The store's own checks (gateway not the network/broadcast address, ip-range a network inside the
        // subnet) run before anything is applied: bad input changes nothing.
        do { _ = try StateStore.validate(record) } catch { throw ActionError.invalid("\(error)") }
        timer.mark("plan")
        if dryRun { return (plan, record) }
        try executor.apply(plan)
        timer.mark("apply")
        do {
            try store.createNetwork(record)
        } catch {
            executor.rollback(plan)
            throw error
        }
        return (plan, record)
    }

    /// The subnet: the user's (checked for overlaps), or the first free one of the default pool.
    func chooseSubnet(_ req: CreateRequest, driver: NetworkDriver, host: Namespace) throws -> IPPrefix {
        var inUse: [(prefix: IPPrefix, owner: String)] = []
        // A macvlan network *is* its parent's segment: only other Plumb networks can collide with it.
        let checkHost = driver != .macvlan
        for r in host.routes where checkHost && r.dst != "default" && r.tableName == "main" {
            if let p = try? IPPrefix.parse(r.dst) { inUse.append((p, "route \(r.dst) on \(r.dev ?? "?") in \(hostNamespace)")) }
        }
        for l in host.links where checkHost {
            for a in l.addresses { if let p = try? IPPrefix.parse(a) { inUse.append((p.canonical, "address \(a) on \(l.name)")) } }
        }
        for n in try store.networks() {
            if let p = try? IPPrefix.parse(n.subnet) { inUse.append((p, "plumb network \(n.name)")) }
        }
        if let s = req.subnet {
            let p = try IPPrefix.parse(s, requireNetworkAddress: true)
            if let clash = SubnetPool.collision(p, inUse: inUse) {
                throw ActionError.invalid("subnet \(s) overlaps \(clash): choose another --subnet")
            }
            return p
        }
        return try SubnetPool.default.pick(avoiding: inUse)
    }

    public func remove(_ name: String, force: Bool, dryRun: Bool) throws -> [Plan] {
        try remove([name], force: force, dryRun: dryRun)
    }

    /// Removes one or more networks as one operation: one snapshot, one plan, one journal entry. With
    /// --force their endpoints leave in the same plan; the firewall teardown of every network is one batch
    /// (each network's teardown removes every rule tagged for it, its endpoints' included), and the host veths
    /// and bridges are deleted together as one interface group. A bad name anywhere changes nothing.
    public func remove(_ names: [String], force: Bool, dryRun: Bool) throws -> [Plan] {
        guard !names.isEmpty else { throw ActionError.invalid("no network given") }
        if Set(names).count != names.count {
            throw ActionError.invalid("a network is given twice: \(duplicates(names).joined(separator: ", "))")
        }
        var timer = PhaseTimer("net rm")
        defer { timer.report() }
        var nets: [(record: NetworkRecord, endpoints: [EndpointRecord])] = []
        for name in names {
            let net = try record(name)
            let eps = try store.endpoints(network: name)
            if !eps.isEmpty && !force {
                throw ActionError.invalid("network '\(name)' still has \(eps.count) endpoint(s) (\(eps.map(\.sandbox).joined(separator: ", "))): disconnect them or use --force")
            }
            nets.append((net, eps))
        }
        // Bridge and VXLAN endpoints leave by their host interface: the host namespace alone is enough.
        // Macvlan and CNI endpoints are found again in their sandboxes, which needs discovery.
        let byHostInterface = nets.allSatisfy { n in n.record.driver != .cni && n.endpoints.allSatisfy { $0.hostIfname != nil } }
        let snap = (byHostInterface ? leanSnapshot(firewall: true, named: []) : nil) ?? snapshot(detailOnly: true)
        timer.mark("snapshot")
        let host = try hostView(snap)
        let removing = Set(names)
        let remaining = try store.networks().filter { !removing.contains($0.name) }
        var firewall: [PlanStep] = [], rest: [PlanStep] = [], finally: [PlanStep] = []
        for (i, n) in nets.enumerated() {
            let net = n.record
            // The shared chains go with the last bridge network of its host namespace: the last one in this list
            // when no other stays.
            let laterInList = nets[(i + 1)...].contains { $0.record.driver == .bridge && $0.record.hostNamespace == net.hostNamespace }
            let last = !laterInList && !remaining.contains { $0.driver == .bridge && $0.hostNamespace == net.hostNamespace }
            let removal = try driver(net).remove(spec(net), firewall: host.firewall, lastNetwork: last)
            let leaving = try leavePlan(net, endpoints: n.endpoints, snapshot: snap, firewallTeardown: false)
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
            if net.driver == .cni { rest += cniLeftovers(net, host: host, endpointsLeaving: n.endpoints) }
        }
        let forced = nets.contains { !$0.endpoints.isEmpty }
        var plan = Plan(operation: .netRemove(networks: names, force: forced))
        plan.steps = Self.mergeFirewall(firewall) + Self.withoutVanishedLinks(rest, host: host, hostNamespace: hostNamespace) + finally
        timer.mark("plan")
        if dryRun { return [plan] }
        try executor.apply(plan)
        timer.mark("apply")
        try store.transaction {
            for n in nets {
                for ep in n.endpoints { try store.removeEndpoint(network: n.record.name, sandbox: ep.sandbox) }
                try store.deleteNetwork(named: n.record.name)
            }
        }
        return [plan]
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

    // MARK: helpers

    func record(_ name: String) throws -> NetworkRecord {
        try store.network(named: name).orThrow(ActionError.invalid("no network named '\(name)' (see `plumb net ls`)"))
    }

    func driver(_ n: NetworkRecord) throws -> any DriverPlanner {
        try drivers[n.driver].orThrow(ActionError.invalid("network \(n.name) uses driver \(n.driver), which this plumb does not have"))
    }

    func spec(_ n: NetworkRecord) -> NetworkSpec {
        NetworkSpec(name: n.name, config: n.config, subnet: n.subnet, gateway: n.gateway, mtu: n.mtu,
                    internal: n.internal, hostNamespace: n.hostNamespace)
    }

    /// How to reach a namespace (its ip-netns name, a bind mount, a process), with the identity read in the
    /// snapshot it came from: the plan then runs in that namespace or fails as gone, never in a newcomer.
    static func reference(for ns: Namespace) -> NamespaceRef {
        NamespaceHandle(ns) ?? NamespaceHandle(.path("/proc/self/ns/net"), cookie: ns.cookie, inode: ns.id)
    }

    static func freeIfname(in ns: Namespace) throws -> String {
        for i in 0..<64 where ns.link(named: "eth\(i)") == nil { return "eth\(i)" }
        throw ActionError.invalid("no free ethN name in namespace \(ns.displayName): choose --ifname")
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

    init(encoded s: String) {
        if s.hasPrefix("netns:") { self = .named(String(s.dropFirst(6))) }
        else if s.hasPrefix("path:") { self = .path(String(s.dropFirst(5))) }
        else { self = .host }
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
        let text = String(decoding: try JSONEncoder().encode(JournaledPlan(plan)), as: UTF8.self)
        return try store.journalBegin(operation: plan.label, plan: text)
    }

    func finish(_ id: Int64, applied: Bool) throws {
        try store.journalSet(id, state: applied ? .applied : .rolledBack)
        // Every successful change trims the finished history to its bound (30 days, 1,000 entries): without
        // this the journal grows by one entry per change, forever. A failed prune costs nothing but space.
        if applied { try? store.pruneJournal() }
    }
}
