import Glibc
import PlumbKernel
import PlumbModel

/// Netlink sockets (and namespace fds) for every namespace a plan touches, opened once per plan. A socket opened
/// on a thread inside a namespace stays bound to it, so the executor can then run every step from one thread.
final class NamespaceSockets {
    private var sockets: [NamespaceRef: NetlinkSocket] = [:]
    private var fds: [NamespaceRef: Int32] = [:]

    deinit { fds.values.forEach { close($0) } }

    /// An fd for the namespace (to enter it, or to move a link into it).
    func fd(_ ns: NamespaceRef) throws -> Int32 {
        if let fd = fds[ns] { return fd }
        let path = ns == .host ? "/proc/self/ns/net" : ns.file
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ActionError.namespaceMissing(ns.description, SystemError("open", path).description)
        }
        fds[ns] = fd
        return fd
    }

    func socket(_ ns: NamespaceRef) throws -> NetlinkSocket {
        if let s = sockets[ns] { return s }
        let s: NetlinkSocket
        if ns == .host {
            s = try NetlinkSocket()
        } else {
            s = try NamespaceWorkers.run(inNamespaceFd: try fd(ns)) { try NetlinkSocket() }
        }
        sockets[ns] = s
        return s
    }

    /// Forgets a namespace that a step deleted.
    func drop(_ ns: NamespaceRef) {
        sockets[ns] = nil
        if let fd = fds.removeValue(forKey: ns) { close(fd) }
    }
}
