import Glibc

/// Opens an fd for a discovered namespace from the first of its handles that still refers to it. The inode is
/// checked after opening: a pid can be reused between discovery and this call.
enum NamespaceHandle {
    static func open(_ handles: [String], expecting id: UInt64) -> Int32 {
        for h in handles {
            let fd = Glibc.open(h, O_RDONLY | O_CLOEXEC)
            if fd < 0 { continue }
            var st = stat()
            if fstat(fd, &st) == 0 && UInt64(st.st_ino) == id { return fd }
            close(fd)
        }
        return -1
    }

    /// A snapshot of 500 namespaces keeps ~1,000 fds open at once: lift the soft limit to the hard one.
    static func raiseFileLimit() {
        var rl = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl) == 0, rl.rlim_cur < rl.rlim_max else { return }
        rl.rlim_cur = rl.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl)
    }
}
