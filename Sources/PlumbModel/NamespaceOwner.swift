/// The user namespace that owns a network namespace, when it is not the host's initial one: a rootless
/// container's namespace is owned by its user's user namespace (Podman's pause process, rootlesskit, an
/// `unshare -U`). Who made it is the creator's uid; the uid map says which host uids its root maps to.
public struct NamespaceOwner: Codable, Sendable, Equatable {
    /// nsfs inode of the owning user namespace (`user:[ID]`).
    public var usernsId: UInt64
    /// The uid that created the user namespace (NS_GET_OWNER_UID), as the host sees it; nil when unknown.
    public var uid: UInt32?
    /// That uid's name from /etc/passwd; nil when it has none.
    public var user: String?
    /// The user namespace's uid map (/proc/PID/uid_map of a process inside it); nil when no process inside
    /// it was found.
    public var uidMap: [IDMapping]?

    public init(usernsId: UInt64, uid: UInt32? = nil, user: String? = nil, uidMap: [IDMapping]? = nil) {
        self.usernsId = usernsId; self.uid = uid; self.user = user; self.uidMap = uidMap
    }

    /// "owned by user alice (uid 1000)", "owned by uid 1000", "owned by user:[4026532281]".
    public var description: String {
        switch (user, uid) {
        case (let user?, let uid?): return "owned by user \(user) (uid \(uid))"
        case (nil, let uid?): return "owned by uid \(uid)"
        default: return "owned by user:[\(usernsId)]"
        }
    }

    /// The short form for narrow cells: "alice", "uid 1000", "user:[ID]".
    public var short: String {
        user ?? uid.map { "uid \($0)" } ?? "user:[\(usernsId)]"
    }
}

/// One line of a uid_map or gid_map: `count` ids from `inside` map to host ids from `outside`.
public struct IDMapping: Codable, Sendable, Equatable {
    public var inside: UInt32
    public var outside: UInt32
    public var count: UInt32

    public init(inside: UInt32, outside: UInt32, count: UInt32) {
        self.inside = inside; self.outside = outside; self.count = count
    }

    /// The lines of /proc/PID/uid_map ("         0       1000          1"); malformed lines are skipped.
    public static func parse(_ text: String) -> [IDMapping] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard f.count == 3, let a = UInt32(f[0]), let b = UInt32(f[1]), let c = UInt32(f[2]) else { return nil }
            return IDMapping(inside: a, outside: b, count: c)
        }
    }
}
