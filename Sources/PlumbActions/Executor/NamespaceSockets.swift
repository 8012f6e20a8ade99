import Glibc
import PlumbSystem
import PlumbKernel
import PlumbModel

/// Netlink change sessions (and namespace fds) for every namespace a plan touches, opened once per plan. A
/// session opened on a thread inside a namespace stays bound to it, so the executor can then run every step
/// from one thread.
final class NamespaceSockets {
    private var sessions: [NamespaceRef: NetlinkChangeSession] = [:]
    private var files: [NamespaceRef: SharedFileDescriptor] = [:]

    /// An fd for the namespace (to enter it, or to move a link into it), opened once per plan through
    /// `NamespaceOpener`: a handle whose namespace was deleted (or replaced by a newcomer at the same name) fails
    /// as gone, and no step runs in the newcomer.
    func fd(_ ns: NamespaceRef) throws -> Int32 {
        if let file = files[ns] { return file.rawValue }
        let file = SharedFileDescriptor(try NamespaceOpener.open(ns))
        files[ns] = file
        return file.rawValue
    }

    func session(_ ns: NamespaceRef) throws -> NetlinkChangeSession {
        if let s = sessions[ns] { return s }
        let s: NetlinkChangeSession
        if ns.isHost {
            s = try NetlinkChangeSession()
        } else {
            s = try NamespaceWorkers.run(inNamespaceFd: try fd(ns)) { try NetlinkChangeSession() }
        }
        sessions[ns] = s
        return s
    }

    /// Forgets a namespace that a step deleted, whatever identity the steps expected of it.
    func drop(_ location: NamespaceHandle.Location) {
        for key in sessions.keys where key.location == location { sessions[key] = nil }
        for key in files.keys where key.location == location { files[key] = nil }
    }
}
