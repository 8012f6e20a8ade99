import Foundation
import PlumbKernel
import PlumbModel

/// `plumb ns rm`: a namespace that network endpoints or processes use is not removed behind their back (that
/// left ghost endpoints with their leases and published-port rules, and networks built inside it that could
/// never be deleted). `--force` disconnects its endpoints in the same plan, then removes it.
extension NetworkService {
    /// Who uses a namespace: what `ns rm` names when it refuses.
    public struct NamespaceUsers: Sendable, Equatable, CustomStringConvertible {
        /// Endpoints of Plumb networks in it (matched by cookie).
        public var endpoints: [EndpointRecord] = []
        /// Networks built inside it (`--host-ns`): their bridges and rules are in it.
        public var networks: [String] = []
        /// Processes in it: pid and command.
        public var processes: [(pid: Int32, command: String)] = []

        public var isEmpty: Bool { endpoints.isEmpty && networks.isEmpty && processes.isEmpty }

        public static func == (a: Self, b: Self) -> Bool {
            a.endpoints == b.endpoints && a.networks == b.networks
                && a.processes.map(\.pid) == b.processes.map(\.pid) && a.processes.map(\.command) == b.processes.map(\.command)
        }

        public var description: String {
            var parts = endpoints.map { "endpoint \($0.ifname)\($0.address.map { " \($0)" } ?? "") of network \($0.network)" }
            parts += networks.map { "network \($0) (built inside it with --host-ns)" }
            parts += processes.map { "process \($0.pid) (\($0.command))" }
            return parts.joined(separator: ", ")
        }
    }

    /// Removes a named namespace; refuses while it is in use (`ActionError.inUse`, naming the users).
    public func removeNamespace(_ name: String, dryRun: Bool) throws -> Plan {
        try removeNamespace(name, force: false, dryRun: dryRun).plan
    }

    /// With `force`, the endpoints in it leave first in the same plan (their veths, published-port rules and
    /// leases go), then it is removed. Networks built inside it and processes in it are not touched; `notes`
    /// says what stays (`plumb net rm` removes such a network once its host namespace is gone).
    public func removeNamespace(_ name: String, force: Bool, dryRun: Bool) throws -> (plan: Plan, notes: [String]) {
        var timer = PhaseTimer("ns rm")
        defer { timer.report() }
        let hold = try holdOperationLock(unless: dryRun)
        defer { hold.end() }
        try NamedNamespaces.validate(name)
        let path = "\(NamedNamespaces.directory)/\(name)"
        guard access(path, F_OK) == 0, let inode = Self.inode(path) else {
            throw ActionError.namespaceMissing("netns \(name)", "no /run/netns/\(name) (see `plumb ns ls`)")
        }
        // The namespace itself is read for its identity only (SnapshotOptions.identityOnly), so that nothing of
        // this process keeps it alive once it is deleted; only a row stored before cookies (matched by inode and
        // the links in it) needs its links.
        let identityOnly = try !store.allEndpoints().contains { $0.cookie == nil && $0.sandbox == String(inode) }
        var snap = removalSnapshot(of: inode, named: name, firewall: false, identityOnly: identityOnly)
        guard var ns = snap.namespace(id: inode) else {
            throw ActionError.namespaceMissing("netns \(name)", "it vanished while it was read")
        }
        var users = try self.users(of: ns, named: name, snapshot: snap)
        if users.endpoints.contains(where: { !$0.ports.isEmpty }) {
            // Published ports: their rules in the host's firewall are torn down, so the firewall is read now.
            snap = removalSnapshot(of: inode, named: name, firewall: true, identityOnly: identityOnly)
            guard let again = snap.namespace(id: inode) else {
                throw ActionError.namespaceMissing("netns \(name)", "it vanished while it was read")
            }
            ns = again
            users = try self.users(of: ns, named: name, snapshot: snap)
        }
        timer.mark("snapshot+users")
        if !users.isEmpty && !force {
            throw ActionError.inUse("namespace \(name) is in use by \(users): disconnect the endpoints, remove the networks "
                                    + "and end the processes first, or `plumb ns rm \(name) --force` to disconnect its endpoints and remove it")
        }
        var plan = Plan(operation: .nsRemove(name: name))
        let host = try? hostView(snap)
        for network in Set(users.endpoints.map(\.network)).sorted() {
            let net = try record(network)
            let eps = users.endpoints.filter { $0.network == network }
            // The host's firewall and links are known only for the namespace this service builds in.
            let netHost = net.hostNamespace.location == hostNamespace.location ? host : nil
            plan.steps += try planner.leave(net, endpoints: eps, snapshot: snap, host: netHost, firewallTeardown: true).steps
        }
        plan.steps.append(.deleteNamespace(name: name))
        var notes: [String] = []
        for n in users.networks {
            notes.append("network \(n) was built inside it: its bridge and rules went with it; `plumb net rm \(n)` removes what is left in the store")
        }
        if !users.processes.isEmpty {
            notes.append("\(users.processes.map { "process \($0.pid) (\($0.command))" }.joined(separator: ", ")) still run in it: it lives on, unnamed, until they end")
        }
        timer.mark("plan")
        if dryRun { return (plan, notes) }
        // With no process in it, the namespace's deletion takes its veths with it (nothing else known holds it).
        try executor.apply(plan, record: { [store] in
            for ep in users.endpoints { try store.removeEndpoint(network: ep.network, key: ep.key) }
        }, namespacesTakeTheirVeths: users.processes.isEmpty)
        timer.mark("apply+store")
        // Shared networks' endpoints give their cluster leases back, as `net disconnect` does.
        for network in Set(users.endpoints.map(\.network)).sorted() {
            if let net = try? record(network), let note = releaseShared(network: net, endpoints: users.endpoints.filter { $0.network == network }) {
                notes.append(note)
            }
        }
        return (plan, notes)
    }

    /// The users of `ns` (an ip-netns namespace called `name`) in the store and in `snap`.
    func users(of ns: Namespace, named name: String, snapshot snap: Snapshot) throws -> NamespaceUsers {
        var users = NamespaceUsers()
        let host = try? hostView(snap)
        users.endpoints = try store.allEndpoints().filter { $0.isIn(ns, host: host) }
        // By identity: a network whose own namespace of this name was deleted before (another cookie) does not
        // use this one.
        users.networks = try store.networks().filter {
            $0.hostNamespace.location == .named(name) && ($0.hostNamespace.cookie == nil || ns.cookie == nil || $0.hostNamespace.cookie == ns.cookie)
        }.map(\.name)
        let commands = Dictionary(snap.processes.map { ($0.pid, $0.comm) }, uniquingKeysWith: { a, _ in a })
        let pids = ns.pids + ns.heldBy.filter { $0.kind == .thread }.compactMap(\.pid)
        users.processes = Array(Set(pids)).sorted().filter { $0 != getpid() }.map { ($0, commands[$0] ?? "?") }
        return users
    }

    /// The host namespace and the namespace to remove, both read (cookies, links; the host's firewall with
    /// `firewall`: the endpoints' published-port rules; with `identityOnly`, the namespace's cookie alone), and
    /// the processes in the namespace with their
    /// commands, to name the users. Nothing else on the machine is read: the other namespaces are not
    /// discovered, and processes are found by their namespace links alone (a light /proc walk), so removing one
    /// namespace costs the same with 500 others on the machine.
    func removalSnapshot(of inode: UInt64, named name: String, firewall: Bool, identityOnly: Bool = false) -> Snapshot {
        guard var snap = leanSnapshot(firewall: firewall, named: [name], identityOnly: identityOnly ? [inode] : []),
              let i = snap.namespaces.firstIndex(where: { $0.id == inode })
        else { return fullRemovalSnapshot(of: inode) }
        var light = NamespaceDiscovery(scanFds: false)
        light.processDetails = false
        light.scanMounts = false
        let found = light.discover()
        guard let seen = found.namespaces.first(where: { $0.id == inode }) else { return snap }
        snap.namespaces[i].pids = seen.pids
        snap.namespaces[i].heldBy += seen.heldBy
        let pids = Set(seen.pids + seen.heldBy.compactMap(\.pid))
        snap.processes = found.processes.filter { pids.contains($0.pid) }.map { p in
            var p = p
            p.comm = ProcessComm.read(p.pid) ?? ""
            return p
        }
        return snap
    }

    /// The same from a discovery of the whole machine: when the lean read cannot be made (the host namespace
    /// is not where the service expects it), the full read finds what there is.
    func fullRemovalSnapshot(of inode: UInt64) -> Snapshot {
        var o = SnapshotOptions()
        o.scanFds = false
        o.containers = false
        let host = Self.inode(hostNamespace == .host ? "/proc/self/ns/net" : hostNamespace.file)
        o.only = Set([inode] + (host.map { [$0] } ?? []))
        o.firewallFor = host.map { [$0] } ?? []
        return SnapshotReader(options: o).read()
    }
}
