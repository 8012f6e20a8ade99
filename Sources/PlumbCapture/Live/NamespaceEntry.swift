import Glibc
import PlumbSystem

// Watching a capture's namespace for its deletion (entering it is NamespaceOpener's and NamespaceWorkers' job).

enum NamespaceEntry {
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
