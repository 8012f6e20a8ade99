import Glibc
import PlumbModel
import PlumbSystem

/// Opens an fd for a discovered namespace from the first of its handles that still refers to it. The inode is
/// checked after opening: a pid can be reused between discovery and this call.
enum NamespaceFiles {
    static func open(_ handles: [String], expecting id: UInt64) -> SharedFileDescriptor? {
        for h in handles {
            guard let fd = FileDescriptor.openIfPresent(h, O_RDONLY) else { continue }
            if let st = try? fd.status(), UInt64(st.st_ino) == id { return SharedFileDescriptor(fd) }
        }
        return nil
    }

    /// The files that enter `ns` as a snapshot knows it, best first: the host's own, its bind mounts, its first
    /// processes' (as discovery keeps them), its threads' and the fds that hold it.
    static func handles(for ns: Namespace) -> [String] {
        var handles = ns.paths + ns.pids.prefix(3).map { "/proc/\($0)/ns/net" }
        for h in ns.heldBy {
            if h.kind == .thread, let pid = h.pid, let tid = h.tid { handles.append("/proc/\(pid)/task/\(tid)/ns/net") }
            if h.kind == .fd, let pid = h.pid, let fd = h.fd { handles.append("/proc/\(pid)/fd/\(fd)") }
        }
        if ns.isHost { handles.insert("/proc/self/ns/net", at: 0) }
        return handles
    }

    /// Grows the process's fd table to hold `count` descriptors in one step. The kernel grows it by doubling, and
    /// in a process with more than one thread every growth waits for an RCU grace period (milliseconds each):
    /// opening 500 namespace fds while the host's dumps run on another thread spent 10-15 ms there.
    static func reserveDescriptors(_ count: Int) {
        raiseFileLimit()
        var rl = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl) == 0 else { return }
        let top = Int32(min(count, Int(clamping: rl.rlim_cur)) - 1)
        guard top > 2 else { return }
        // A descriptor numbered >= top (the lowest free one: never one in use), closed again at once.
        _ = try? FileDescriptor.duplicate(0, atLeast: top)
    }

    /// Number of entries in a directory (0 when it cannot be read).
    static func entryCount(_ path: String) -> Int {
        guard let d = opendir(path) else { return 0 }
        defer { closedir(d) }
        var n = 0
        while readdir(d) != nil { n += 1 }
        return n
    }

    /// A snapshot of 500 namespaces keeps ~1,000 fds open at once: lift the soft limit to the hard one.
    static func raiseFileLimit() {
        var rl = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl) == 0, rl.rlim_cur < rl.rlim_max else { return }
        rl.rlim_cur = rl.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl)
    }
}
