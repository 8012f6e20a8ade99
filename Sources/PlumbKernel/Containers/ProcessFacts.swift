/// A process as attribution needs it, read on demand under the attributor's root: only for namespaces no
/// runtime's file named, so a listing that reads no command lines stays as fast as before.
struct ProcessFacts {
    var pid: Int32
    var comm: String
    var ppid: Int32
    /// argv, split at NULs; empty for kernel threads and for processes gone before they were read.
    var argv: [String]

    init?(fs: RootFS, pid: Int32) {
        guard pid > 0, let stat = fs.smallBytes("/proc/\(pid)/stat", limit: 4096),
              let parsed = ProcStatParser.parse(stat) else { return nil }
        self.pid = pid
        comm = parsed.comm
        ppid = parsed.ppid
        let raw = fs.smallBytes("/proc/\(pid)/cmdline", limit: 16384) ?? []
        argv = raw.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        while argv.last == "" { argv.removeLast() }
    }

    /// The program's file name: argv[0]'s last component, else comm.
    var program: String {
        guard let first = argv.first, !first.isEmpty else { return comm }
        return first.split(separator: "/").last.map(String.init) ?? comm
    }

    /// The command line as one line, cut to `limit` characters.
    func commandLine(limit: Int = 80) -> String {
        let line = argv.isEmpty ? "[\(comm)]" : argv.joined(separator: " ")
        return line.count > limit ? String(line.prefix(limit - 1)) + "…" : line
    }
}

/// Processes read once per attribution: the parent of every `ip netns exec` shell or `unshare` is the same few
/// processes, and the parent check and the explanation look at the same ones.
final class ProcessCache {
    let fs: RootFS
    private var entries = [Int32: ProcessFacts?]()

    init(fs: RootFS) { self.fs = fs }

    func facts(_ pid: Int32) -> ProcessFacts? {
        if let known = entries[pid] { return known }
        let read = ProcessFacts(fs: fs, pid: pid)
        entries[pid] = read
        return read
    }

    /// One variable of the process's environment (/proc/PID/environ, as it was at exec), or nil. Not cached:
    /// read only for the few ancestors of namespaces owned by other user namespaces.
    func environment(_ pid: Int32, _ name: String) -> String? {
        guard pid > 0, let raw = fs.smallBytes("/proc/\(pid)/environ", limit: 1 << 16) else { return nil }
        let key = Array((name + "=").utf8)
        for entry in raw.split(separator: 0) where entry.starts(with: key) {
            return String(decoding: entry.dropFirst(key.count), as: UTF8.self)
        }
        return nil
    }
}
