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

    public init(id: UInt64, device: UInt64 = 0, isHost: Bool = false, names: [String] = [], paths: [String] = [],
                heldBy: [Holder] = [], pids: [Int32] = [], containers: [Container] = [], links: [Link] = [],
                routes: [Route] = [], neighbors: [Neighbor] = [], sysctls: Sysctls = Sysctls(),
                firewall: Firewall = Firewall(), notes: [String] = [], cookie: UInt64? = nil,
                sockets: [SocketRecord]? = nil) {
        self.id = id; self.device = device; self.isHost = isHost; self.names = names; self.paths = paths
        self.heldBy = heldBy; self.pids = pids; self.containers = containers; self.links = links
        self.routes = routes; self.neighbors = neighbors; self.sysctls = sysctls; self.firewall = firewall
        self.notes = notes; self.cookie = cookie; self.sockets = sockets
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

    /// Held only by a bind mount or an open fd, with no process inside: a leak candidate.
    public var isOrphan: Bool {
        !isHost && !heldBy.contains(where: { $0.kind == .process || $0.kind == .thread })
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
