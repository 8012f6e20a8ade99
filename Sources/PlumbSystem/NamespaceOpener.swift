import Glibc
import PlumbModel

/// The one way Plumb opens a namespace it is about to change, capture in or start a shell in: from a
/// `NamespaceHandle`, checking that what its location names now is the namespace the handle was made for.
///
/// A location outlives its namespace: `ip netns del x; ip netns add x` puts a newcomer at /run/netns/x, a pid is
/// reused, and the kernel reuses nsfs inodes, so neither the path nor the inode proves anything. The netns
/// cookie does (never reused within a boot). It can only be read from a socket inside the namespace, so a
/// checked open enters the namespace once on a worker thread (a thread, a socket and one getsockopt). Handles
/// without a cookie (legacy journals, reads that did not open a socket) are checked by inode when they have
/// one, else opened as they are.
public enum NamespaceOpener {
    /// An open nsfs descriptor of the handle's namespace. Throws `.gone` when the location leads nowhere or to
    /// another namespace.
    public static func open(_ handle: NamespaceHandle) throws(NamespaceOpenError) -> FileDescriptor {
        let path = handle.file
        guard let fd = FileDescriptor.openIfPresent(path, O_RDONLY) else {
            let e = errno
            if e == ENOENT || e == ESRCH { throw .gone(handle) }
            throw .failed(handle, SystemError("open", path, errno: e).description)
        }
        try check(fd, against: handle)
        return fd
    }

    /// Whether `fd` (an open nsfs descriptor from the handle's location) is the handle's namespace.
    static func check(_ fd: borrowing FileDescriptor, against handle: NamespaceHandle) throws(NamespaceOpenError) {
        if handle.isHost { return }
        let st: stat
        do { st = try fd.status() } catch { throw .failed(handle, error.description) }
        // A differing inode is proof enough (and costs nothing); an equal one proves nothing: inodes are reused.
        if let inode = handle.inode, inode != UInt64(st.st_ino) { throw .gone(handle) }
        guard let expected = handle.cookie else { return }
        let found: UInt64?
        do {
            found = try NamespaceWorkers.run(inNamespaceFd: fd.rawValue) { NamespaceCookie.current() }
        } catch {
            throw .failed(handle, "\(error)")
        }
        guard let found else { throw .failed(handle, "cannot read its netns cookie (SO_NETNS_COOKIE)") }
        if found != expected { throw .gone(handle) }
    }
}
