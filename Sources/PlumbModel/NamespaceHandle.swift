/// How to reach one network namespace, and which namespace it must be once reached.
///
/// Every path that opens a namespace (plan steps, capture, `plumb exec`, the TUI's shell) holds one of these.
/// The `location` says where to open it: the host, an `ip netns` name, a bind-mount or /proc path, or a pid.
/// A location can come to name another namespace (a deleted `ip netns` re-created under the same name, a reused
/// pid), and the kernel reuses nsfs inodes too, so the identity is the netns cookie, a number the kernel never
/// hands out twice within a boot. The opener compares it and reports a mismatch as "its namespace is gone"; it
/// never enters the newcomer. A handle without a cookie (a plan journaled before cookies existed, a namespace
/// whose cookie could not be read) is opened unchecked. The inode is kept for display only.
public struct NamespaceHandle: Sendable, Hashable, CustomStringConvertible {
    public enum Location: Sendable, Hashable {
        /// Plumb's own network namespace.
        case host
        /// An `ip netns` name: /run/netns/NAME.
        case named(String)
        /// Any file that refers to the namespace: a bind mount, /proc/PID/ns/net, /proc/PID/fd/N.
        case path(String)
        /// The namespace of a process's main thread.
        case pid(Int32)
    }

    public var location: Location
    /// SO_NETNS_COOKIE of the namespace; nil: unchecked.
    public var cookie: UInt64?
    /// nsfs inode, for messages (`net:[ID]`); never compared: the kernel reuses it.
    public var inode: UInt64?

    public init(_ location: Location, cookie: UInt64? = nil, inode: UInt64? = nil) {
        self.location = location; self.cookie = cookie; self.inode = inode
    }

    public static let host = NamespaceHandle(.host)
    public static func named(_ name: String) -> NamespaceHandle { NamespaceHandle(.named(name)) }
    public static func path(_ path: String) -> NamespaceHandle { NamespaceHandle(.path(path)) }
    public static func pid(_ pid: Int32) -> NamespaceHandle { NamespaceHandle(.pid(pid)) }

    /// The handle for a namespace of a snapshot, most stable location first (an `ip netns` name, a bind
    /// mount, a member process, a pid's open fd), with the snapshot's cookie and inode. nil when nothing
    /// reachable holds it any more.
    public init?(_ ns: Namespace) {
        let location: Location
        if ns.isHost { location = .host }
        else if let n = ns.names.first { location = .named(n) }
        else if let p = ns.paths.first { location = .path(p) }
        else if let pid = ns.pids.first { location = .pid(pid) }
        else if let h = ns.heldBy.first(where: { $0.kind == .fd }), let pid = h.pid, let fd = h.fd {
            location = .path("/proc/\(pid)/fd/\(fd)")
        } else { return nil }
        // The host is the namespace plumb runs in: nothing to check, and plans compare it with `.host`.
        self.init(location, cookie: ns.isHost ? nil : ns.cookie, inode: ns.isHost ? nil : ns.id)
    }

    /// The file to open to enter it.
    public var file: String {
        switch location {
        case .host: return "/proc/self/ns/net"
        case .named(let n): return "/run/netns/\(n)"
        case .path(let p): return p
        case .pid(let pid): return "/proc/\(pid)/ns/net"
        }
    }

    public var isHost: Bool { location == .host }

    /// Two handles are the same when they lead to the same place and expect the same namespace; the inode is
    /// only for display.
    public static func == (a: NamespaceHandle, b: NamespaceHandle) -> Bool {
        a.location == b.location && a.cookie == b.cookie
    }

    public func hash(into h: inout Hasher) {
        h.combine(location)
        h.combine(cookie)
    }

    /// The same location, whatever namespace it names now (for caches keyed by where, not by which).
    public var unchecked: NamespaceHandle { NamespaceHandle(location) }

    public var description: String {
        switch location {
        case .host: return "host"
        case .named(let n): return "netns \(n)"
        case .path(let p): return p
        case .pid(let pid): return "pid \(pid)"
        }
    }
}

/// The name plan steps were written with; the same type.
public typealias NamespaceRef = NamespaceHandle

/// Opening a handle failed.
public enum NamespaceOpenError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The location no longer leads to the namespace the handle was made for: it was deleted (and maybe its
    /// name, path or pid now belongs to a newcomer, which is never entered in its place).
    case gone(NamespaceHandle)
    /// It could not be opened or entered for another reason (permissions, a failed setns); the text says which.
    case failed(NamespaceHandle, String)

    public var description: String {
        switch self {
        case .gone(let h):
            return "\(h) (\(h.inode.map { "net:[\($0)]" } ?? "its namespace")): its namespace is gone"
        case .failed(let h, let why):
            return "cannot open \(h): \(why)"
        }
    }
}
