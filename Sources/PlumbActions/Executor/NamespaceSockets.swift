import Glibc
import PlumbSystem
import PlumbKernel
import PlumbModel

/// Netlink sockets (and namespace fds) for every namespace a plan touches, opened once per plan. A socket opened
/// on a thread inside a namespace stays bound to it, so the executor can then run every step from one thread.
final class NamespaceSockets {
    private var sockets: [NamespaceRef: NetlinkSocket] = [:]
    private var files: [NamespaceRef: SharedFileDescriptor] = [:]

    /// An fd for the namespace (to enter it, or to move a link into it).
    func fd(_ ns: NamespaceRef) throws -> Int32 {
        if let file = files[ns] { return file.rawValue }
        let path = ns == .host ? "/proc/self/ns/net" : ns.file
        guard let fd = FileDescriptor.openIfPresent(path, O_RDONLY) else {
            throw ActionError.namespaceMissing(ns.description, SystemError("open", path).description)
        }
        let file = SharedFileDescriptor(fd)
        files[ns] = file
        return file.rawValue
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
        files[ns] = nil
    }
}
