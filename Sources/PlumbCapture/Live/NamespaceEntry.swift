import Glibc
import PlumbSystem

// Entering a capture's namespace on its dedicated thread. setns(CLONE_NEWNET) changes only the calling thread;
// the thread keeps its original namespace fd and returns to it before it exits.

enum NamespaceEntry {
    struct Failure: Error { var message: String }

    /// Enters `ns` on the calling thread. Returns the namespace the thread came from (to restore), or nil when
    /// nothing was entered.
    static func enter(_ ns: CaptureNamespace) throws -> FileDescriptor? {
        guard case .path(let path, let expected) = ns else { return nil }
        guard let fd = FileDescriptor.openIfPresent(path, O_RDONLY) else {
            throw Failure(message: "open \(path): \(String(cString: strerror(errno)))")
        }
        if let expected {
            guard let st = try? fd.status(), UInt64(st.st_ino) == expected else {
                throw Failure(message: "\(path) no longer refers to namespace \(expected) (it was deleted)")
            }
        }
        guard let home = FileDescriptor.openIfPresent("/proc/thread-self/ns/net", O_RDONLY) else {
            throw Failure(message: "open /proc/thread-self/ns/net: \(String(cString: strerror(errno)))")
        }
        do { try fd.enterNamespace(.network) } catch {
            throw Failure(message: "setns \(path): \(String(cString: strerror(error.code)))")
        }
        return home
    }

    /// Returns the thread to the namespace `enter` came from.
    static func leave(_ home: consuming FileDescriptor?) {
        guard let home else { return }
        try? home.enterNamespace(.network)
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
