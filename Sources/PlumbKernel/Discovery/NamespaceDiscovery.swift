import PlumbSystem
import Glibc
import Dispatch
import PlumbModel

/// A network namespace found by discovery, before anything was read inside it.
public struct DiscoveredNamespace: Sendable, Equatable, DiscoveredNamespaceFacts {
    public var id: UInt64
    public var isHost: Bool
    public var names: [String] = []
    public var paths: [String] = []
    public var heldBy: [Holder] = []
    public var pids: [Int32] = []
    /// Paths that refer to the namespace, best first: opening any of them gives an fd to enter it.
    public var handles: [String] = []
    /// Held by no process: when its bind mount or fd took it (`Namespace.heldSince`).
    public var heldSince: Double?
}

public struct DiscoveryResult: Sendable {
    public var namespaces: [DiscoveredNamespace]
    public var processes: [ProcessRecord]
    public var stats: DiscoveryStats
    /// nsfs device number (the same for every namespace of this boot).
    public var device: UInt64
    /// Socket fds of every process, when `NamespaceDiscovery.socketOwners` asked for them.
    public var socketHolders: [SocketHolder] = []
}

/// Finds every network namespace the kernel keeps alive: through processes, their threads, nsfs bind mounts
/// in every mount namespace, and open file descriptors. Identity is the nsfs inode.
public struct NamespaceDiscovery: Sendable {
    public var procRoot = "/proc"
    public var scanFds = true
    /// Also note which process holds which socket (the owners `plumb ss` shows), in the same fd walk.
    public var socketOwners = false
    /// Read comm, ppid, uid and cmdline of every process (listings that show none of them turn it off).
    public var processDetails = true
    /// Read mount tables for namespaces held by bind mounts.
    public var scanMounts = true
    /// Ask the kernel which fds are namespace files (`NsfsFdIterator`) instead of reading every fd's link, where
    /// it can be used (root, the initial pid namespace, /proc itself); the fd walk otherwise.
    public var fdIterator = true
    /// Threads used to walk /proc; 0 means one per core.
    public var threads = 0
    /// Mount tables kept between discoveries and re-read only when they change (the live view).
    public var mountTables: MountTableCache?
    /// Mount tables by mount namespace, kept in memory by the live view; nil: the CLI's, loaded from and saved
    /// to `MountTableStore` around each discovery.
    public var mountIndex: MountTableIndex?

    public init(scanFds: Bool = true) { self.scanFds = scanFds }

    public func discover() -> DiscoveryResult {
        var st = stat()
        let device = stat("\(procRoot)/self/ns/net", &st) == 0 ? UInt64(st.st_dev) : 0
        // Our own mount table, read once: its bind-mount paths let the fd scan recognise fds opened through them.
        let ownMnt = namespaceInode("\(procRoot)/self/ns/mnt")
        let ownMounts = scanMounts ? (mountTable(ownMnt, "\(procRoot)/self/mountinfo") ?? []) : []
        // Every mount namespace, by id, before the /proc walk: when the index holds all their tables, the walk
        // need not note each process's mount namespace.
        let index = scanMounts ? (mountIndex ?? (MountTableStore.enabled ? MountTableStore().load() : MountTableIndex()))
                               : nil
        let stamps = index != nil ? MountNamespaceWalk.all(procRoot: procRoot) : nil
        let needReps = scanMounts && (stamps.map { index!.needsProcesses($0, own: ownMnt, ownMounts: ownMounts) } ?? true)
        // Before the walk, so that an fd opened meanwhile is missed no more often than by the fd walk.
        let nsfsFds = fdIterator && scanFds && !socketOwners && procRoot == "/proc" ? NsfsFdIterator().find() : nil
        let scanner = ProcScanner(procRoot: procRoot, scanFds: scanFds, socketInodes: socketOwners,
                                  details: processDetails, mountNamespaces: needReps, nsfsDevice: device,
                                  nsfsPaths: Set(ownMounts.filter { $0.type == "net" }.map(\.mountPoint)),
                                  nsfsFds: nsfsFds?.fds)
        let pids = scanner.listPids()
        var scan = parallelScan(scanner, pids: pids)
        if let nsfsFds { scan.stats.fdsScanned = nsfsFds.visited }

        var byId: [UInt64: DiscoveredNamespace] = [:]
        let hostId = hostNamespace()
        // Mutate in place: copying an entry out and back would copy its pid array once per process.
        func update(_ id: UInt64, _ body: (inout DiscoveredNamespace) -> Void) {
            body(&byId[id, default: DiscoveredNamespace(id: id, isHost: id == hostId)])
        }

        for p in scan.processes {
            guard let ns = p.namespace else { continue }
            update(ns) { e in
                e.pids.append(p.pid)
                if e.pids.count <= 3 { e.handles.append("\(procRoot)/\(p.pid)/ns/net") }
            }
        }
        for id in byId.keys {
            // One process holder (the lowest pid) says "held by processes"; `pids` lists them all, so the host's
            // thousands of processes are not repeated in heldBy.
            if let first = byId[id]!.pids.first { byId[id]!.heldBy.append(Holder(kind: .process, pid: first)) }
        }
        for (ns, h) in scan.threadHolders {
            update(ns) { e in
                e.heldBy.append(h)
                e.handles.append("\(procRoot)/\(h.pid!)/task/\(h.tid!)/ns/net")
            }
        }

        var stats = scan.stats
        // Bind mounts: the nsfs mounts of every mount namespace. The first occurrence of a (namespace, path)
        // counts: ours first (its paths work as handles as they are), then by pid.
        var seenMounts = Set<String>()
        func record(_ mounts: [NsfsMount], own: Bool, pid: Int32?) {
            for m in mounts where m.type == "net" {
                guard seenMounts.insert("\(m.inode) \(m.mountPoint)").inserted else { continue }
                update(m.inode) { e in
                    e.paths.append(m.mountPoint)
                    e.heldBy.append(Holder(kind: .bindMount, pid: own ? nil : pid, path: m.mountPoint))
                    if let name = Self.netnsName(m.mountPoint), !e.names.contains(name) { e.names.append(name) }
                    // A path in another mount namespace is reached through that process's root.
                    if own { e.handles.insert(m.mountPoint, at: 0) }
                    else if let pid { e.handles.insert("\(procRoot)/\(pid)/root\(m.mountPoint)", at: 0) }
                }
            }
        }
        let own = ownMnt.map { (inode: $0, mounts: ownMounts) }
        if let index, let stamps {
            let tables = index.tables(stamps: stamps, reps: scan.mountNamespaceReps, own: own, procRoot: procRoot,
                                      threads: threads)
            stats.mountTablesScanned = index.lastRead
            // Most tables are copies of the host's: a list already recorded adds nothing.
            var done = Set<Int>()
            func rank(_ t: MountTableIndex.Table) -> (Int, Int32) { (t.inode == ownMnt ? 0 : 1, t.pid ?? Int32.max) }
            let ordered = tables.sorted { rank($0) < rank($1) }
            for t in ordered where done.insert(t.list).inserted {
                record(index.mounts(t.list), own: t.inode == ownMnt, pid: t.pid)
            }
            if mountIndex == nil, index.changed, MountTableStore.enabled { MountTableStore().save(index) }
        } else {
            // Kernels before 6.12: one mountinfo per mount namespace a process lives in.
            let reps = scanMounts ? scan.mountNamespaceReps.sorted(by: { $0.value < $1.value }) : []
            for (mnt, pid) in reps {
                let isOwn = mnt == ownMnt
                let mounts = isOwn ? ownMounts : mountTable(mnt, "\(procRoot)/\(pid)/mountinfo")
                guard let mounts else { continue }
                stats.mountTablesScanned += 1
                record(mounts, own: isOwn, pid: pid)
            }
            mountTables?.retain(only: Set(reps.map(\.key)).union(ownMnt.map { [$0] } ?? []))
        }
        for (ns, h) in scan.fdHolders {
            update(ns) { e in
                e.heldBy.append(h)
                e.handles.append("\(procRoot)/\(h.pid!)/fd/\(h.fd!)")
            }
        }
        if byId[hostId] == nil, hostId != 0 {
            byId[hostId] = DiscoveredNamespace(id: hostId, isHost: true, handles: ["\(procRoot)/self/ns/net"])
        }
        var list = Array(byId.values)
        for i in list.indices {
            list[i].pids.sort(); list[i].paths.sort()
            if !list[i].isHost, !list[i].heldBy.contains(where: { $0.kind == .process || $0.kind == .thread }) {
                list[i].heldSince = heldSince(list[i])
            }
        }
        list.sort { ($0.isHost ? 0 : 1, $0.id) < ($1.isHost ? 0 : 1, $1.id) }
        var processes = scan.processes.sorted { $0.pid < $1.pid }
        if socketOwners && !processDetails { fillOwnerNames(&processes, owners: scan.socketHolders) }
        return DiscoveryResult(namespaces: list, processes: processes,
                               stats: stats, device: device, socketHolders: scan.socketHolders)
    }

    /// Without process details, the processes holding sockets still get their names (`ss -p` shows them):
    /// one read of /proc/PID/comm each, like `ss`, instead of stat and cmdline for every process.
    private func fillOwnerNames(_ processes: inout [ProcessRecord], owners: [SocketHolder]) {
        let pids = Set(owners.map(\.pid))
        for i in processes.indices where pids.contains(processes[i].pid) {
            guard let comm = ProcessComm.read(processes[i].pid, procRoot: procRoot) else { continue }
            processes[i].comm = comm
        }
    }

    /// When the reference that keeps a namespace without processes alive was taken: the nsfs inode is made
    /// when something first refers to the namespace and lives as long as a bind mount or fd pins it, so its
    /// change time is when the oldest remaining holder took it. One stat per such namespace (there are few).
    func heldSince(_ ns: DiscoveredNamespace) -> Double? {
        for path in ns.handles {
            var st = stat()
            guard stat(path, &st) == 0, UInt64(st.st_ino) == ns.id else { continue }
            return Double(st.st_ctim.tv_sec) + Double(st.st_ctim.tv_nsec) / 1e9
        }
        return nil
    }

    /// `ip netns` names: /run/netns/NAME and /var/run/netns/NAME.
    static func netnsName(_ path: String) -> String? {
        for prefix in ["/run/netns/", "/var/run/netns/"] where path.hasPrefix(prefix) {
            let name = String(path.dropFirst(prefix.count))
            // utf8 scan: String.contains(String) goes through Foundation's locale-aware search.
            return name.utf8.contains(UInt8(ascii: "/")) || name.isEmpty ? nil : name
        }
        return nil
    }

    /// The host namespace is PID 1's; where its link is unreadable (EACCES here), our own.
    func hostNamespace() -> UInt64 {
        namespaceInode("\(procRoot)/1/ns/net") ?? namespaceInode("\(procRoot)/self/ns/net") ?? 0
    }

    private func mountTable(_ mnt: UInt64?, _ path: String) -> [NsfsMount]? {
        if let mountTables, let mnt { return mountTables.mounts(of: mnt, path: path) }
        return FileReader.readBytes(path).map(MountInfoParser.nsfsMounts)
    }

    /// The network namespace this process runs in.
    func ownNamespace() -> UInt64 { namespaceInode("\(procRoot)/self/ns/net") ?? 0 }

    private func namespaceInode(_ path: String) -> UInt64? {
        var buf = [CChar](repeating: 0, count: 64)
        guard readlink(path, &buf, 63) > 0 else { return nil }
        return parseNamespaceLink(String(cBuffer: buf))?.inode
    }

    private func parallelScan(_ scanner: ProcScanner, pids: [Int32]) -> ProcScan {
        let workers = max(1, min(threads > 0 ? threads : ProcessorCount.online, pids.count / 256 + 1))
        if workers == 1 { return scanner.scan(pids: pids[...]) }
        let results = LockedArray<ProcScan>(count: workers, initial: ProcScan())
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            // Interleaved stripes balance the cost: low pids are often heavier (daemons with many fds).
            let mine = stride(from: w, to: pids.count, by: workers).map { pids[$0] }
            results.set(w, scanner.scan(pids: mine[...]))
        }
        return results.values.reduce(into: ProcScan()) { $0.merge($1) }
    }
}
