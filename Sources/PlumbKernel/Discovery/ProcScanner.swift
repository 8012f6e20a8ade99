import Glibc
import PlumbSystem
import CLinuxShims
import PlumbModel

/// What one walk of /proc found: processes, and every place a network namespace is referenced from.
struct ProcScan: Sendable {
    var processes: [ProcessRecord] = []
    /// Threads living in another network namespace than their process.
    var threadHolders: [(ns: UInt64, holder: Holder)] = []
    /// Open fds that refer to a network namespace.
    var fdHolders: [(ns: UInt64, holder: Holder)] = []
    /// Open fds that are sockets (when asked for: `ProcScanner.socketInodes`).
    var socketHolders: [SocketHolder] = []
    /// One pid per distinct mount namespace, to read each mount table once.
    var mountNamespaceReps: [UInt64: Int32] = [:]
    var stats = DiscoveryStats()

    mutating func merge(_ o: ProcScan) {
        processes += o.processes
        threadHolders += o.threadHolders
        fdHolders += o.fdHolders
        socketHolders += o.socketHolders
        for (k, v) in o.mountNamespaceReps { mountNamespaceReps[k] = min(mountNamespaceReps[k] ?? v, v) }  // lowest pid: stable between scans
        stats.processesScanned += o.stats.processesScanned
        stats.threadsScanned += o.stats.threadsScanned
        stats.processesVanished += o.stats.processesVanished
        stats.processesUnreadable += o.stats.processesUnreadable
        stats.fdsScanned += o.stats.fdsScanned
    }
}

/// A socket fd found by the /proc walk: socket inode → the process and descriptor holding it.
public struct SocketHolder: Sendable, Equatable {
    public var inode: UInt64
    public var pid: Int32
    public var fd: Int32
}

/// Walks /proc: every process and thread's network namespace, and every open fd that refers to one.
/// Processes vanish mid-walk and some links give EACCES (PID 1 here): both are counted, never fatal.
struct ProcScanner: Sendable {
    var procRoot = "/proc"
    var scanFds = true
    /// Also note every fd that is a socket (`socket:[INODE]`), for the owners of sockets (`ss -p`); the fds are
    /// listed and read once for both purposes.
    var socketInodes = false
    /// Read comm, ppid, uid and cmdline; off, only namespaces, threads and fds are read.
    var details = true
    /// Note each process's mount namespace (for the mount tables); off when bind mounts are not looked at.
    var mountNamespaces = true
    /// nsfs device number: an fd whose target stats to this device is a namespace.
    var nsfsDevice: UInt64 = 0
    /// nsfs bind-mount paths: an fd opened through one reads back as that path, not as `net:[ID]`.
    var nsfsPaths: Set<String> = []
    /// The fds the kernel says are namespace files, by pid (`NsfsFdIterator`): only these are read back, instead
    /// of listing and reading every fd. nil: walk /proc/PID/fd.
    var nsfsFds: [Int32: [Int32]]? = nil

    /// All numeric entries of /proc.
    func listPids() -> [Int32] {
        (FileReader.listDirectory(procRoot) ?? []).compactMap { Int32($0) }.sorted()
    }

    /// Scans the given pids; split the pid list across threads to use every core.
    func scan(pids: ArraySlice<Int32>) -> ProcScan {
        var out = ProcScan()
        out.processes.reserveCapacity(pids.count)
        guard let root = FileDescriptor.openIfPresent(procRoot, O_RDONLY | O_DIRECTORY) else { return out }
        var scratch = Scratch()
        for pid in pids {
            scanProcess(pid, rootfd: root.rawValue, scratch: &scratch, into: &out)
        }
        return out
    }

    /// Buffers reused for every process: the walk makes ~15 syscalls per process and no heap churn.
    struct Scratch {
        var link = [CChar](repeating: 0, count: 256)
        var file = [UInt8](repeating: 0, count: 4096)
        var dir = [CChar](repeating: 0, count: 65536)
    }

    /// Reads a small /proc file with one open/read/close (cmdline is cut at 4 KiB).
    private func readSmall(_ dfd: Int32, _ path: String, _ scratch: inout Scratch) -> ArraySlice<UInt8>? {
        let n = scratch.file.withUnsafeMutableBytes { plumb_read_small(dfd, path, $0.baseAddress, 4096) }
        return n < 0 ? nil : scratch.file[0..<n]
    }

    /// Entry names of a directory under the process directory.
    private func listDir(_ dfd: Int32, _ path: String, _ scratch: inout Scratch) -> [Substring]? {
        let n = scratch.dir.withUnsafeMutableBufferPointer { plumb_list_dir(dfd, path, $0.baseAddress, 65536) }
        guard n >= 0 else { return nil }
        let text = scratch.dir.withUnsafeBufferPointer { p in
            String(decoding: UnsafeRawBufferPointer(start: p.baseAddress, count: n), as: UTF8.self)
        }
        return text.split(separator: "\u{0}")
    }

    private func scanProcess(_ pid: Int32, rootfd: Int32, scratch: inout Scratch, into out: inout ProcScan) {
        guard details else {
            // Light mode reads two or three links and one stat per process: each is reached from /proc itself
            // ("PID/ns/net"), which spares the open and close of the process directory, half the syscalls.
            return scanProcess(pid, dfd: rootfd, prefix: "\(pid)/", scratch: &scratch, into: &out)
        }
        guard let dir = FileDescriptor.openIfPresent(String(pid), O_RDONLY | O_DIRECTORY, relativeTo: rootfd) else {
            out.stats.processesVanished += 1
            return
        }
        // `dir` lives (and stays open) to the end of this function.
        scanProcess(pid, dfd: dir.rawValue, prefix: "", scratch: &scratch, into: &out)
    }

    /// One process, its files named `prefix + "ns/net"` etc. relative to `dfd`.
    private func scanProcess(_ pid: Int32, dfd: Int32, prefix: String, scratch: inout Scratch,
                             into out: inout ProcScan) {
        var uid: UInt32 = 0
        let parsed: (comm: String, ppid: Int32, threads: Int)
        if details {
            var st = stat()
            if fstat(dfd, &st) == 0 { uid = st.st_uid }
            // /proc/PID/stat: comm, ppid and the thread count in one read.
            guard let statBytes = readSmall(dfd, prefix + "stat", &scratch), let p = ProcStatParser.parse(statBytes) else {
                out.stats.processesVanished += 1
                return
            }
            parsed = p
        } else {
            // Light mode: the thread count alone, from the link count of task/ (2 + one per thread): one syscall
            // instead of open/read/close of stat.
            var st = stat()
            guard fstatat(dfd, prefix + "task", &st, 0) == 0 else { out.stats.processesVanished += 1; return }
            parsed = ("", 0, max(1, Int(st.st_nlink) - 2))
        }
        out.stats.processesScanned += 1
        var ns: UInt64? = nil
        if let inode = readNsInode(dfd, prefix + "ns/net", &scratch.link) {
            ns = inode
        } else if errno == EACCES || errno == EPERM {
            out.stats.processesUnreadable += 1
        }
        if mountNamespaces, let mnt = readNsInode(dfd, prefix + "ns/mnt", &scratch.link), out.mountNamespaceReps[mnt] == nil {
            out.mountNamespaceReps[mnt] = pid
        }
        let cmdline = details ? readSmall(dfd, prefix + "cmdline", &scratch).map(Self.cmdlineString) ?? "" : ""
        out.processes.append(ProcessRecord(pid: pid, ppid: parsed.ppid, comm: parsed.comm, cmdline: cmdline,
                                           uid: uid, namespace: ns))

        if parsed.threads > 1, let tids = listDir(dfd, prefix + "task", &scratch) {
            for t in tids {
                guard let tid = Int32(t), tid != pid else { continue }
                out.stats.threadsScanned += 1
                if let tns = readNsInode(dfd, prefix + "task/\(t)/ns/net", &scratch.link), tns != ns {
                    out.threadHolders.append((tns, Holder(kind: .thread, pid: pid, tid: tid)))
                }
            }
        }
        if scanFds && !socketInodes, let known = nsfsFds {
            for f in known[pid] ?? [] {
                let path = prefix + "fd/\(f)"
                let n = scratch.link.withUnsafeMutableBufferPointer { plumb_readlinkat(dfd, path, $0.baseAddress, 256) }
                if n > 0, let inode = fdNamespace(dfd, path, length: n, &scratch.link) {
                    out.fdHolders.append((inode, Holder(kind: .fd, pid: pid, fd: f)))
                }
            }
        } else if scanFds || socketInodes, let fds = listDir(dfd, prefix + "fd", &scratch) {
            for f in fds {
                out.stats.fdsScanned += 1
                let path = prefix + "fd/\(f)"
                let n = scratch.link.withUnsafeMutableBufferPointer { plumb_readlinkat(dfd, path, $0.baseAddress, 256) }
                guard n > 0 else { continue }
                if socketInodes, scratch.link[0] == 115 /* s */,
                   let inode = Self.parseInode(scratch.link, n, prefix: "socket:[") {
                    out.socketHolders.append(SocketHolder(inode: inode, pid: pid, fd: Int32(f) ?? -1))
                } else if scanFds, let inode = fdNamespace(dfd, path, length: n, &scratch.link) {
                    out.fdHolders.append((inode, Holder(kind: .fd, pid: pid, fd: Int32(f))))
                }
            }
        }
    }

    /// The namespace an fd refers to. Opened through /proc/X/ns/net it reads back as `net:[ID]`; opened through
    /// a bind mount it reads back as the mount path, or as "/" once that mount is gone: only then is a stat
    /// needed to tell an nsfs file from an ordinary one.
    private func fdNamespace(_ dfd: Int32, _ path: String, length n: Int, _ buf: inout [CChar]) -> UInt64? {
        let first = UInt8(bitPattern: buf[0])
        if first == UInt8(ascii: "n") { return Self.parseInode(buf, n, prefix: "net:[") }
        guard first == UInt8(ascii: "/") else { return nil }
        if n > 1 && !nsfsPaths.contains(String(cBuffer: buf)) { return nil }
        var st = stat()
        guard nsfsDevice != 0, fstatat(dfd, path, &st, 0) == 0, UInt64(st.st_dev) == nsfsDevice else { return nil }
        // A bind-mounted mnt/uts/... namespace looks the same from here: ask the kernel for the type.
        guard let ns = FileDescriptor.openIfPresent(path, O_RDONLY, relativeTo: dfd) else { return nil }
        return ns.isNamespace(.network) ? UInt64(st.st_ino) : nil
    }

    static func parseInode(_ buf: [CChar], _ n: Int, prefix: StaticString) -> UInt64? {
        let pre = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        guard n > pre.count else { return nil }
        for i in 0..<pre.count where UInt8(bitPattern: buf[i]) != pre[i] { return nil }
        var v: UInt64 = 0
        var i = pre.count
        while i < n, buf[i] >= 48, buf[i] <= 57 { v = v &* 10 &+ UInt64(buf[i] - 48); i += 1 }
        return i < n && buf[i] == 93 /* ] */ ? v : nil
    }

    /// readlink + parse "net:[123]" without building Strings on the hot path.
    private func readNsInode(_ dfd: Int32, _ path: String, _ buf: inout [CChar]) -> UInt64? {
        let n = buf.withUnsafeMutableBufferPointer { plumb_readlinkat(dfd, path, $0.baseAddress, 256) }
        guard n > 0 else { return nil }
        guard let open = buf[0..<n].firstIndex(of: 91 /* [ */) else { return nil }
        var v: UInt64 = 0
        var i = open + 1
        while i < n, buf[i] >= 48, buf[i] <= 57 { v = v &* 10 &+ UInt64(buf[i] - 48); i += 1 }
        return i < n && buf[i] == 93 /* ] */ ? v : nil
    }

    static func cmdlineString<C: Collection<UInt8>>(_ bytes: C) -> String {
        var b = Array(bytes)
        while b.last == 0 { b.removeLast() }
        for i in b.indices where b[i] == 0 { b[i] = UInt8(ascii: " ") }
        return String(decoding: b, as: UTF8.self)
    }
}

/// /proc/PID/stat: "pid (comm) state ppid ... num_threads(20th) ...". comm may contain spaces and ')'.
enum ProcStatParser {
    static func parse<C: RandomAccessCollection<UInt8>>(_ b: C) -> (comm: String, ppid: Int32, threads: Int)?
        where C.Index == Int {
        guard let open = b.firstIndex(of: UInt8(ascii: "(")),
              let close = b.lastIndex(of: UInt8(ascii: ")")), close > open else { return nil }
        let comm = String(decoding: b[(open + 1)..<close], as: UTF8.self)
        // Fields after ") ": state(3) ppid(4) ... num_threads(20)
        var field = 3
        var i = close + 2
        var ppid: Int32 = 0
        var threads = 1
        while i < b.count, field <= 20 {
            var j = i
            while j < b.count, b[j] != UInt8(ascii: " ") { j += 1 }
            if field == 4 || field == 20 {
                var v = 0
                for k in i..<j where b[k] >= 48 && b[k] <= 57 { v = v * 10 + Int(b[k] - 48) }
                if field == 4 { ppid = Int32(truncatingIfNeeded: v) } else { threads = v }
            }
            field += 1
            i = j + 1
        }
        return (comm, ppid, threads)
    }
}
