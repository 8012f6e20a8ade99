/// A network namespace, identified by its nsfs inode (and device).
public struct Namespace: Codable, Sendable, Equatable, Identifiable {
    /// nsfs inode number: the identity `lsns` and `/proc/PID/ns/net` show as `net:[ID]`.
    public var id: UInt64
    /// nsfs device number (the identity is the pair; the device is the same for every namespace of one boot).
    public var device: UInt64
    public var isHost: Bool
    /// Human names: `ip netns` names (/run/netns/NAME), Docker sandbox ids, container names.
    public var names: [String]
    /// Bind-mount paths that keep the namespace alive (/run/netns/x, /run/docker/netns/y, ...).
    public var paths: [String]
    /// Everything that holds the namespace alive.
    public var heldBy: [Holder]
    /// Processes whose main thread is in this namespace.
    public var pids: [Int32]
    public var containers: [Container]
    public var links: [Link]
    public var routes: [Route]
    public var neighbors: [Neighbor]
    public var sysctls: Sysctls
    public var firewall: Firewall
    /// Things that could not be read for this namespace.
    public var notes: [String]
    /// SO_NETNS_COOKIE: the identity the kernel never reuses within a boot (the inode `id` is reused once the
    /// namespace is gone). nil when the namespace was not read.
    public var cookie: UInt64?
    /// Its sockets (TCP, UDP, raw, unix) with their owners; nil when they were not read.
    public var sockets: [SocketRecord]?
    /// The user namespace that owns it, when that is not the host's initial one (rootless containers).
    public var owner: NamespaceOwner?
    /// Why no container was named, with the best evidence of its maker; nil for the host and for namespaces
    /// with a container, and when attribution was not run.
    public var why: Unattributed?
    /// For a namespace no process lives in: seconds since the epoch when the reference keeping it alive (its
    /// bind mount or fd) was taken, from the nsfs inode's change time. At least that old, so a leak's age.
    /// nil for namespaces with a process, or when it could not be read.
    public var heldSince: Double?
    /// The user-mode network helper (slirp4netns, pasta) serving a tap device in it, when one does.
    public var helper: NetworkHelper?

    public init(id: UInt64, device: UInt64 = 0, isHost: Bool = false, names: [String] = [], paths: [String] = [],
                heldBy: [Holder] = [], pids: [Int32] = [], containers: [Container] = [], links: [Link] = [],
                routes: [Route] = [], neighbors: [Neighbor] = [], sysctls: Sysctls = Sysctls(),
                firewall: Firewall = Firewall(), notes: [String] = [], cookie: UInt64? = nil,
                sockets: [SocketRecord]? = nil, owner: NamespaceOwner? = nil, why: Unattributed? = nil) {
        self.id = id; self.device = device; self.isHost = isHost; self.names = names; self.paths = paths
        self.heldBy = heldBy; self.pids = pids; self.containers = containers; self.links = links
        self.routes = routes; self.neighbors = neighbors; self.sysctls = sysctls; self.firewall = firewall
        self.notes = notes; self.cookie = cookie; self.sockets = sockets
        self.owner = owner; self.why = why
    }

    /// The best short label: a container name, else an `ip netns` name, else `host`, else `net:[id]`.
    public var displayName: String {
        if isHost { return "host" }
        if let c = containers.first { return c.name.isEmpty ? String(c.id.prefix(12)) : c.name }
        if let n = names.first { return n }
        return "net:[\(id)]"
    }

    public func link(index: Int) -> Link? { links.first(where: { $0.index == index }) }
    public func link(named name: String) -> Link? { links.first(where: { $0.name == name }) }

    /// Held only by a bind mount or an open fd, with no process inside. Normal for a named namespace (`ip netns`
    /// labs, VPNs, CNI before its container starts); see `isLikelyLeak` for the ones that are probably leaked.
    public var isOrphan: Bool {
        !isHost && !heldBy.contains(where: { $0.kind == .process || $0.kind == .thread })
    }

    /// No process and no name: no `ip netns` name, no container, and no bind mount where a runtime keeps its
    /// namespaces; only an fd or a stray bind mount keeps it alive. Nobody can find it by name, so nobody will
    /// remove it: likely a leak. (A named namespace without a process is just that: named, no process.)
    /// A namespace owned by another user namespace is never one: its holder is usually a rootless runtime's
    /// process or mount in a mount namespace the walk cannot see into, so "no holder seen" proves nothing.
    public var isLikelyLeak: Bool {
        isOrphan && names.isEmpty && containers.isEmpty && owner == nil
            && !heldBy.contains(where: { $0.kind == .bindMount && Self.isRuntimeDirectory($0.path) })
    }

    /// Why `isLikelyLeak` holds, for every leak badge: "no name and no process; held only by fd 7 of pid 812;
    /// nothing but loopback". nil when it is not a likely leak.
    public var leakReason: String? {
        guard isLikelyLeak else { return nil }
        var holders: [String] = heldBy.compactMap { h in
            switch h.kind {
            case .bindMount: return "a bind mount at \(h.path ?? "?")"
            case .fd: return "fd \(h.fd.map(String.init) ?? "?") of pid \(h.pid.map(String.init) ?? "?")"
            case .process, .thread: return nil
            }
        }
        if holders.count > 3 { holders = Array(holders.prefix(2)) + ["\(holders.count - 2) more"] }
        var s = "no name and no process; held only by " + (holders.isEmpty ? "a reference" : holders.joined(separator: ", "))
        if !links.isEmpty && links.allSatisfy({ $0.kind == .loopback || $0.name == "lo" }) { s += "; nothing but loopback" }
        return s
    }

    /// How long the reference keeping it alive has existed at `now` (the snapshot's `takenAt`), whole seconds.
    public func heldFor(at now: Double) -> Int? {
        heldSince.map { Int(max(0, now - $0)) }
    }

    /// `leakReason` with how long it has been so: "...; for at least 3h 12m". The same without a known age.
    public func leakReason(at now: Double) -> String? {
        guard let why = leakReason else { return nil }
        return heldFor(at: now).map { why + "; for at least " + Readable.age($0) } ?? why
    }

    /// The short form of `leakReason` for narrow cells: "fd only, no name", "stray mount, no name".
    public var leakBadge: String? {
        guard isLikelyLeak else { return nil }
        return heldBy.contains(where: { $0.kind == .bindMount }) ? "stray mount, no name" : "fd only, no name"
    }

    /// Where `ip netns` and the container runtimes keep their namespaces' bind mounts: a namespace mounted
    /// there was named by whoever made it, even when Plumb cannot attribute it to a container.
    public static func isRuntimeDirectory(_ path: String?) -> Bool {
        guard let path else { return false }
        let dirs = ["/run/netns/", "/var/run/netns/", "/run/docker/netns/", "/var/run/docker/netns/"]
        if dirs.contains(where: { path.hasPrefix($0) }) { return true }
        // Rootless Podman: /run/user/UID/netns/NAME.
        let parts = path.split(separator: "/")
        return parts.count == 5 && parts[0] == "run" && parts[1] == "user" && parts[3] == "netns"
    }
}

/// One thing that keeps a namespace alive.
public struct Holder: Codable, Sendable, Equatable, Hashable {
    public enum Kind: String, Codable, Sendable {
        /// A process's main thread lives in it.
        case process
        /// Only some thread of a process lives in it (the thread called setns).
        case thread
        /// An nsfs bind mount (e.g. /run/netns/NAME).
        case bindMount
        /// An open file descriptor of some process refers to it.
        case fd
    }
    public var kind: Kind
    public var pid: Int32?
    public var tid: Int32?
    public var fd: Int32?
    public var path: String?

    public init(kind: Kind, pid: Int32? = nil, tid: Int32? = nil, fd: Int32? = nil, path: String? = nil) {
        self.kind = kind; self.pid = pid; self.tid = tid; self.fd = fd; self.path = path
    }
}
