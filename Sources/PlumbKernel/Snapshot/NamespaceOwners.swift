import Glibc
import PlumbModel
import PlumbSystem

/// Reads who owns each network namespace, as lxkns does: NS_GET_USERNS on the namespace's fd gives the owning
/// user namespace, NS_GET_OWNER_UID its creator's uid, and a process inside that user namespace its uid map.
/// Four syscalls per namespace; /etc/passwd and /proc are read only for namespaces owned by a user namespace
/// other than the host's.
struct NamespaceOwnerReader {
    var procRoot = "/proc"
    /// Root for /etc/passwd (tests point it at a fixture tree).
    var root = "/"

    /// One entry per namespace (nil: owned by the initial user namespace, or not readable).
    func owners(files: [SharedFileDescriptor?], namespaces: [DiscoveredNamespace]) -> [NamespaceOwner?] {
        let raw = files.map { f in f.flatMap { try? $0.withDescriptor { fd throws(SystemError) in try fd.owningUserNamespace() } } }
        return owners(raw, namespaces: namespaces)
    }

    /// The pure half, given what the ioctls answered per namespace.
    func owners(_ found: [OwningUserNamespace?], namespaces: [DiscoveredNamespace]) -> [NamespaceOwner?] {
        // The host's user namespace is PID 1's; the host network namespace's owner says the same where /proc/1
        // is unreadable.
        let hostIndex = namespaces.firstIndex(where: \.isHost)
        let initial = userNamespace(of: 1) ?? hostIndex.flatMap { found[$0]?.inode } ?? userNamespace(ofPath: "self")
        guard found.contains(where: { $0 != nil && $0!.inode != initial }) else { return found.map { _ in nil } }
        let passwd = Passwd(fs: RootFS(root))
        var maps = [UInt64: [IDMapping]]()
        return found.indices.map { i in
            guard let u = found[i], u.inode != initial else { return nil }
            if maps[u.inode] == nil, let m = uidMap(of: u.inode, candidates: candidates(namespaces[i])) { maps[u.inode] = m }
            return NamespaceOwner(usernsId: u.inode, uid: u.creatorUID,
                                  user: u.creatorUID.flatMap { passwd.byUID[$0]?.name }, uidMap: maps[u.inode])
        }
    }

    /// Processes likely to be inside the owning user namespace: the namespace's own first processes, then those
    /// whose mount namespace or fds hold it (a rootless Podman's pause process, rootlesskit).
    private func candidates(_ ns: DiscoveredNamespace) -> [Int32] {
        var pids = Array(ns.pids.prefix(3))
        for h in ns.heldBy { if let p = h.pid, !pids.contains(p) { pids.append(p) } }
        return Array(pids.prefix(6))
    }

    private func uidMap(of userns: UInt64, candidates: [Int32]) -> [IDMapping]? {
        for pid in candidates where userNamespace(of: pid) == userns {
            guard let bytes = FileDescriptor.readSmallFile("\(procRoot)/\(pid)/uid_map", limit: 4096) else { continue }
            return IDMapping.parse(String(decoding: bytes, as: UTF8.self))
        }
        return nil
    }

    private func userNamespace(of pid: Int32) -> UInt64? { userNamespace(ofPath: String(pid)) }

    private func userNamespace(ofPath p: String) -> UInt64? {
        var buf = [CChar](repeating: 0, count: 64)
        guard readlink("\(procRoot)/\(p)/ns/user", &buf, 63) > 0 else { return nil }
        return parseNamespaceLink(String(cBuffer: buf))?.inode
    }
}
