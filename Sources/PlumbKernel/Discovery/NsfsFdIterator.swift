import CLinuxShims
import Glibc
import PlumbSystem

/// The fds that are namespace files, for every process, found by the kernel in one pass (a BPF task_file
/// iterator, `NsfsFdIter.h`): discovery then reads back only those few links instead of one per open fd on the
/// machine. Used by root in the initial pid namespace (the iterator reports global pids, /proc must show the
/// same); anywhere else, or when the kernel refuses the program, discovery walks /proc/PID/fd as before.
///
/// The program needs five struct offsets from the kernel's BTF, whose parse costs 50–200 ms: they are kept in
/// /run/plumb/nsfs-layout for this boot (the boot id is checked), as is the finding that the iterator cannot be
/// used, so each run after the first pays only the iterator itself (about 1 ms). PLUMB_FD_ITER=0 turns it off.
struct NsfsFdIterator: Sendable {
    struct Found: Sendable {
        /// Descriptor numbers by pid.
        var fds: [Int32: [Int32]]
        /// Open fds the kernel visited.
        var visited: Int
    }

    /// Why the iterator cannot be used, in one line.
    struct Unusable: Error, Sendable { var reason: String }

    var directory = "/run/plumb"
    var name = "nsfs-layout"
    var btfPath = "/sys/kernel/btf/vmlinux"

    static var enabled: Bool { getenv("PLUMB_FD_ITER").map { String(cString: $0) != "0" } ?? true }

    /// The init pid namespace's fixed inode (PROC_PID_INIT_INO).
    static let initPidNamespace: UInt64 = 0xEFFF_FFFC

    /// The nsfs fds of every process, or nil when the iterator cannot be used here.
    func find() -> Found? {
        guard Self.enabled, geteuid() == 0, Self.inInitPidNamespace(), let boot = MountTableStore.bootId() else {
            return nil
        }
        var saved = load(boot: boot)
        if case .unusable = saved { return nil }
        for attempt in 0..<2 {
            let layout: plumb_nsfs_layout
            if case .layout(let l) = saved, attempt == 0 {
                layout = l
            } else {
                guard case .success(let l) = layoutFromBTF() else {
                    save(.unusable, boot: boot)
                    return nil
                }
                layout = l
                saved = .layout(l)
            }
            if let found = Self.run(layout) {
                if attempt == 1 || saved != load(boot: boot) { save(saved, boot: boot) }
                return found
            }
            // A saved layout the kernel refused is parsed again once; a fresh one refused means no iterator.
            if attempt == 1 { save(.unusable, boot: boot) }
        }
        return nil
    }

    /// The offsets and attach point, read from the kernel's BTF; the failure says why in one line.
    func layoutFromBTF() -> Result<plumb_nsfs_layout, Unusable> {
        var l = plumb_nsfs_layout()
        var err = [CChar](repeating: 0, count: 256)
        let rc = plumb_nsfs_layout_from_btf(btfPath, &l, &err, err.count)
        return rc == 0 ? .success(l) : .failure(Unusable(reason: String(cBuffer: err)))
    }

    private static func run(_ layout: plumb_nsfs_layout) -> Found? {
        var layout = layout
        var out: UnsafeMutablePointer<plumb_nsfs_fd>?
        var visited: UInt64 = 0
        var err = [CChar](repeating: 0, count: 256)
        let n = plumb_nsfs_fds(&layout, &out, &visited, &err, err.count)
        guard n >= 0 else { return nil }
        defer { free(out) }
        var fds: [Int32: [Int32]] = [:]
        for r in UnsafeBufferPointer(start: out, count: n) {
            fds[Int32(bitPattern: r.pid), default: []].append(Int32(bitPattern: r.fd))
        }
        return Found(fds: fds, visited: Int(visited))
    }

    static func inInitPidNamespace() -> Bool {
        var buf = [CChar](repeating: 0, count: 64)
        guard readlink("/proc/self/ns/pid", &buf, 63) > 0 else { return false }
        return parseNamespaceLink(String(cBuffer: buf))?.inode == initPidNamespace
    }

    // MARK: the saved layout

    enum Saved: Equatable {
        case none, unusable
        case layout(plumb_nsfs_layout)

        static func == (a: Saved, b: Saved) -> Bool {
            switch (a, b) {
            case (.none, .none), (.unusable, .unusable): return true
            case (.layout(let x), .layout(let y)): return encode(x) == encode(y)
            default: return false
            }
        }
    }

    static func encode(_ l: plumb_nsfs_layout) -> String {
        "\(l.task_pid) \(l.task_tgid) \(l.file_inode) \(l.inode_sb) \(l.sb_magic) \(l.iter_btf_id)"
    }

    /// `plumb-nsfs-layout 1 BOOT_ID` then `layout PID TGID F_INODE I_SB S_MAGIC BTF_ID` or `unusable`.
    static func decode(_ text: String, boot: String) -> Saved {
        let lines = text.split(separator: "\n")
        guard lines.count == 2, lines[0] == "plumb-nsfs-layout 1 \(boot)" else { return .none }
        if lines[1] == "unusable" { return .unusable }
        let f = lines[1].split(separator: " ")
        guard f.count == 7, f[0] == "layout" else { return .none }
        let v = f.dropFirst().compactMap { UInt32($0) }
        guard v.count == 6 else { return .none }
        return .layout(plumb_nsfs_layout(task_pid: v[0], task_tgid: v[1], file_inode: v[2], inode_sb: v[3],
                                         sb_magic: v[4], iter_btf_id: v[5]))
    }

    private func load(boot: String) -> Saved {
        guard let dir = try? TrustedFiles.openDirectory(directory),
              let file = try? TrustedFiles.openFile(name, in: dir, path: "\(directory)/\(name)", create: false),
              let bytes = FileReader.readAll(file) else { return .none }
        return Self.decode(String(decoding: bytes, as: UTF8.self), boot: boot)
    }

    /// Written as a new file renamed over the old one, like the mount-table store.
    private func save(_ saved: Saved, boot: String) {
        let body: String
        switch saved {
        case .none: return
        case .unusable: body = "unusable"
        case .layout(let l): body = "layout " + Self.encode(l)
        }
        if mkdir(directory, 0o700) != 0 && errno != EEXIST { return }
        guard let dir = try? TrustedFiles.openDirectory(directory) else { return }
        let temp = "\(name).\(getpid())"
        guard let file = try? TrustedFiles.openFile(temp, in: dir, path: "\(directory)/\(temp)", create: true) else { return }
        if (try? file.writeAll(Array("plumb-nsfs-layout 1 \(boot)\n\(body)\n".utf8))) == nil
            || renameat(dir.rawValue, temp, dir.rawValue, name) != 0 {
            unlinkat(dir.rawValue, temp, 0)
        }
    }
}
