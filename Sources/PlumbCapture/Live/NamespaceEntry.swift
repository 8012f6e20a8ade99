import CLinuxShims
#if canImport(Glibc)
import Glibc
#endif

// Entering a capture's namespace on its dedicated thread. setns(CLONE_NEWNET) changes only the calling thread;
// the thread keeps its original namespace fd and returns to it before it exits.

enum NamespaceEntry {
    struct Failure: Error { var message: String }

    /// Enters `ns` on the calling thread. Returns an fd of the namespace the thread came from (to restore), or
    /// -1 when nothing was entered.
    static func enter(_ ns: CaptureNamespace) throws -> Int32 {
        guard case .path(let path, let expected) = ns else { return -1 }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(message: "open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        if let expected {
            var st = stat()
            guard fstat(fd, &st) == 0, UInt64(st.st_ino) == expected else {
                throw Failure(message: "\(path) no longer refers to namespace \(expected) (it was deleted)")
            }
        }
        let home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        guard home >= 0 else { throw Failure(message: "open /proc/thread-self/ns/net: \(String(cString: strerror(errno)))") }
        guard plumb_setns(fd, plumb_CLONE_NEWNET) == 0 else {
            let e = errno
            close(home)
            throw Failure(message: "setns \(path): \(String(cString: strerror(e)))")
        }
        return home
    }

    /// Returns the thread to the namespace `enter` came from.
    static func leave(_ home: Int32) {
        guard home >= 0 else { return }
        _ = plumb_setns(home, plumb_CLONE_NEWNET)
        close(home)
    }

    /// True while at least one holder path still refers to namespace `id` (or when there is nothing to watch).
    static func isAlive(holders: [String], id: UInt64?) -> Bool {
        guard !holders.isEmpty else { return true }
        for h in holders {
            var st = stat()
            if stat(h, &st) == 0 && (id == nil || UInt64(st.st_ino) == id!) { return true }
        }
        return false
    }
}
