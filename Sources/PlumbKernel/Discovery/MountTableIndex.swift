import Glibc
import Foundation
import Dispatch
import PlumbSystem

/// The nsfs mounts of every mount namespace, each table read only when it changed. Every `ip netns exec` and
/// every container has a mount namespace, most of them copies of the host's with its /run/netns bind mounts:
/// 1,200 of them format 13 MB of mountinfo, which was most of a discovery. The walk (`MountNamespaceWalk`)
/// tells a changed table from an unchanged one with a few syscalls, and identical mount lists are stored once.
///
/// The live view keeps one index in memory; the CLI loads and saves it through `MountTableStore`, so one
/// `plumb` run reads the tables that changed since the last one. Unlike an open mountinfo, an entry pins nothing.
public final class MountTableIndex: @unchecked Sendable {
    struct Entry: Equatable {
        var stamp: MountNamespaceStamp
        var list: Int
    }

    /// One mount namespace's table: its nsfs mounts are `lists[list]`; `pid` lives in it (nil: no process does).
    struct Table {
        var inode: UInt64
        var pid: Int32?
        var list: Int
    }

    private(set) var lists: [[NsfsMount]] = []
    private var listIndex: [[NsfsMount]: Int] = [:]
    private(set) var entries: [UInt64: Entry] = [:]
    /// Tables read (not taken from the index) by the last `tables` call.
    private(set) var lastRead = 0
    /// Whether the last `tables` call changed any entry (the CLI then saves the index).
    private(set) var changed = false
    private let lock = NSLock()

    public init() {}

    /// Whether discovery needs a process per mount namespace (one more readlink per process in the /proc walk):
    /// to read a table this index does not hold, or to reach a network namespace bind-mounted only in another
    /// mount namespace (through /proc/PID/root). Not when every other table is held and a copy of ours (the
    /// `ip netns exec` case), or has no net mounts of its own.
    func needsProcesses(_ stamps: [MountNamespaceStamp], own: UInt64?, ownMounts: [NsfsMount]) -> Bool {
        lock.lock(); defer { lock.unlock() }
        let ours = Set(ownMounts.filter { $0.type == "net" })
        var checked = Set<Int>()
        for s in stamps where s.inode != own {
            guard let e = entries[s.id], e.stamp == s else { return true }
            if checked.insert(e.list).inserted, lists[e.list].contains(where: { $0.type == "net" && !ours.contains($0) }) {
                return true
            }
        }
        return false
    }

    /// Every mount namespace's table, for the namespaces of a walk (`MountNamespaceWalk.all`). `reps` gives a
    /// process per mount namespace inode (its /proc/PID/mountinfo is the cheapest full read); `own` is our own
    /// namespace's table, already read.
    func tables(stamps: [MountNamespaceStamp], reps: [UInt64: Int32], own: (inode: UInt64, mounts: [NsfsMount])?,
                procRoot: String, threads: Int) -> [Table] {
        lock.lock(); defer { lock.unlock() }
        var known = [UInt64: Entry]()
        var stale = [MountNamespaceStamp]()
        for s in stamps {
            if let e = entries[s.id], e.stamp == s {
                known[s.id] = e
            } else if let own, own.inode == s.inode {
                known[s.id] = Entry(stamp: s, list: intern(own.mounts))
            } else {
                stale.append(s)
            }
        }
        let fresh = read(stale, reps: reps, procRoot: procRoot, threads: threads)
        for (s, mounts) in zip(stale, fresh) {
            guard let mounts else { continue }  // the namespace went away while we looked
            // Stamped before the read: a table that changed meanwhile differs from its stamp next time.
            known[s.id] = Entry(stamp: s, list: intern(mounts))
        }
        changed = !stale.isEmpty || known.count != entries.count
        entries = known
        lastRead = stale.count
        return stamps.compactMap { s in
            known[s.id].map { Table(inode: s.inode, pid: reps[s.inode], list: $0.list) }
        }
    }

    func mounts(_ list: Int) -> [NsfsMount] { lock.lock(); defer { lock.unlock() }; return lists[list] }

    public var count: Int { lock.lock(); defer { lock.unlock() }; return entries.count }

    private func intern(_ mounts: [NsfsMount]) -> Int {
        if let i = listIndex[mounts] { return i }
        lists.append(mounts)
        listIndex[mounts] = lists.count - 1
        return lists.count - 1
    }

    /// Reads changed tables, on every core: a process's mountinfo where one lives in the namespace (then checks
    /// that it still does), listmount/statmount by namespace id otherwise.
    private func read(_ stale: [MountNamespaceStamp], reps: [UInt64: Int32], procRoot: String,
                      threads: Int) -> [[NsfsMount]?] {
        let out = LockedArray<[NsfsMount]?>(count: stale.count, initial: nil)
        let workers = max(1, min(threads > 0 ? threads : ProcessorCount.online, stale.count / 8 + 1))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for i in stride(from: w, to: stale.count, by: workers) {
                out.set(i, Self.readOne(stale[i], pid: reps[stale[i].inode], procRoot: procRoot))
            }
        }
        return out.values
    }

    static func readOne(_ s: MountNamespaceStamp, pid: Int32?,
                        procRoot: String) -> [NsfsMount]? {
        if let pid, let bytes = FileReader.readBytes("\(procRoot)/\(pid)/mountinfo", limit: 64 << 20) {
            // The pid may have exited (and been reused) or changed namespace since the /proc walk.
            if namespaceInode("\(procRoot)/\(pid)/ns/mnt") == s.inode {
                return MountInfoParser.nsfsMounts(bytes)
            }
        }
        return MountNamespaceWalk.nsfsMounts(of: s.id)
    }

    static func namespaceInode(_ path: String) -> UInt64? {
        var buf = [CChar](repeating: 0, count: 64)
        guard readlink(path, &buf, 63) > 0 else { return nil }
        return parseNamespaceLink(String(cBuffer: buf))?.inode
    }

    // MARK: persistence (MountTableStore)

    /// The entries and the lists they use, renumbered densely (lists nothing refers to any more are dropped).
    func exported() -> (lists: [[NsfsMount]], entries: [Entry]) {
        lock.lock(); defer { lock.unlock() }
        var renumber = [Int: Int]()
        var outLists = [[NsfsMount]]()
        var outEntries = [Entry]()
        for e in entries.values.sorted(by: { $0.stamp.id < $1.stamp.id }) {
            let n = renumber[e.list] ?? { outLists.append(lists[e.list]); renumber[e.list] = outLists.count - 1; return outLists.count - 1 }()
            outEntries.append(Entry(stamp: e.stamp, list: n))
        }
        return (outLists, outEntries)
    }

    func imported(lists: [[NsfsMount]], entries: [Entry]) {
        lock.lock(); defer { lock.unlock() }
        self.lists = []
        listIndex = [:]
        var map = [Int: Int]()
        for (i, l) in lists.enumerated() { map[i] = intern(l) }
        self.entries = [:]
        for e in entries { if let l = map[e.list] { self.entries[e.stamp.id] = Entry(stamp: e.stamp, list: l) } }
    }
}
