/// A network namespace, identified by its nsfs inode (and device).
///
/// A value with its fields in one shared, copy-on-write box (`NamespaceFields.swift`): a snapshot holds
/// hundreds of namespaces, and every copy of the array (a live update changing one namespace, the views
/// taking the snapshot) or of one namespace (a row, a lookup) copied ~20 references each. Boxed, a copy is one
/// reference, and two namespaces that share their box compare equal without looking inside. The fields read
/// and write as before (`ns.links[i].flags = ...` changes the box in place when nothing else shares it).
public struct Namespace: Sendable, Identifiable {
    /// nsfs inode number: the identity `lsns` and `/proc/PID/ns/net` show as `net:[ID]`. Kept out of the box:
    /// finding a namespace by id reads only this.
    public var id: UInt64
    var fields: Fields

    public init(id: UInt64, device: UInt64 = 0, isHost: Bool = false, names: [String] = [], paths: [String] = [],
                heldBy: [Holder] = [], pids: [Int32] = [], containers: [Container] = [], links: [Link] = [],
                routes: [Route] = [], neighbors: [Neighbor] = [], sysctls: Sysctls = Sysctls(),
                firewall: Firewall = Firewall(), notes: [String] = [], cookie: UInt64? = nil,
                sockets: [SocketRecord]? = nil, owner: NamespaceOwner? = nil, why: Unattributed? = nil) {
        self.id = id
        fields = Fields(device: device, isHost: isHost, names: names, paths: paths, heldBy: heldBy, pids: pids,
                        containers: containers, links: links, routes: routes, neighbors: neighbors,
                        sysctls: sysctls, firewall: firewall, notes: notes, cookie: cookie, sockets: sockets,
                        owner: owner, why: why, heldSince: nil, helper: nil)
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
