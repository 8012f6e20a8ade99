import Glibc
import PlumbSystem

/// Keeps the `MountTableIndex` between `plumb` runs in /run/plumb/mount-tables (tmpfs: gone at reboot, and the
/// boot id is checked too, because mount and namespace ids are unique only within one boot). The file is
/// written by root in a root-only directory (`TrustedFiles`); anything unexpected in it is ignored and the
/// tables are read again. Set PLUMB_MOUNT_CACHE=0 to neither read nor write it.
///
/// Format, one record a line: `plumb-mount-tables 1 BOOT_ID`, then per distinct nsfs list `list N` followed by
/// its N mounts as `TYPE INODE PATH` (PATH escaped as in mountinfo), then per namespace
/// `ns ID INODE COUNT NEWEST LIST`.
public struct MountTableStore: Sendable {
    public var directory = "/run/plumb"
    public var name = "mount-tables"

    public init() {}

    public static var enabled: Bool { getenv("PLUMB_MOUNT_CACHE").map { String(cString: $0) != "0" } ?? true }

    /// The index saved by an earlier run of this boot, or an empty one.
    public func load() -> MountTableIndex {
        let index = MountTableIndex()
        guard geteuid() == 0, let dir = try? TrustedFiles.openDirectory(directory),
              let file = try? TrustedFiles.openFile(name, in: dir, path: "\(directory)/\(name)", create: false),
              let bytes = FileReader.readAll(file), let boot = Self.bootId() else { return index }
        if let (lists, entries) = Self.decode(bytes, boot: boot) { index.imported(lists: lists, entries: entries) }
        return index
    }

    /// Writes the index (a new file renamed over the old one: readers never see half a file).
    public func save(_ index: MountTableIndex) {
        guard geteuid() == 0, let boot = Self.bootId() else { return }
        if mkdir(directory, 0o700) != 0 && errno != EEXIST { return }
        guard let dir = try? TrustedFiles.openDirectory(directory) else { return }
        let temp = "\(name).\(getpid())"
        guard let file = try? TrustedFiles.openFile(temp, in: dir, path: "\(directory)/\(temp)", create: true) else {
            return
        }
        let bytes = Self.encode(index, boot: boot)
        if (try? file.writeAll(bytes)) == nil || renameat(dir.rawValue, temp, dir.rawValue, name) != 0 {
            unlinkat(dir.rawValue, temp, 0)
        }
    }

    static func bootId() -> String? {
        FileDescriptor.readSmallFile("/proc/sys/kernel/random/boot_id").map {
            String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    static func encode(_ index: MountTableIndex, boot: String) -> [UInt8] {
        let (lists, entries) = index.exported()
        var out = "plumb-mount-tables 1 \(boot)\n"
        for l in lists {
            out += "list \(l.count)\n"
            for m in l { out += "\(m.type) \(m.inode) \(MountInfoParser.escape(m.mountPoint))\n" }
        }
        for e in entries {
            out += "ns \(e.stamp.id) \(e.stamp.inode) \(e.stamp.count) \(e.stamp.newest) \(e.list)\n"
        }
        return Array(out.utf8)
    }

    static func decode(_ bytes: [UInt8], boot: String) -> (lists: [[NsfsMount]], entries: [MountTableIndex.Entry])? {
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        guard let head = lines.first, String(decoding: head, as: UTF8.self) == "plumb-mount-tables 1 \(boot)" else {
            return nil
        }
        var lists = [[NsfsMount]](), entries = [MountTableIndex.Entry]()
        var i = 1
        while i < lines.count {
            let f = lines[i].split(separator: 0x20, maxSplits: 5).map { String(decoding: $0, as: UTF8.self) }
            i += 1
            if f.isEmpty { continue }
            if f[0] == "list", f.count == 2, let n = Int(f[1]), n >= 0, i + n <= lines.count {
                var l = [NsfsMount]()
                l.reserveCapacity(n)
                for line in lines[i..<(i + n)] {
                    let m = line.split(separator: 0x20, maxSplits: 2).map { String(decoding: $0, as: UTF8.self) }
                    guard m.count == 3, let inode = UInt64(m[1]) else { return nil }
                    l.append(NsfsMount(type: m[0], inode: inode, mountPoint: MountInfoParser.unescape(Substring(m[2]))))
                }
                lists.append(l)
                i += n
            } else if f[0] == "ns", f.count == 6, let id = UInt64(f[1]), let inode = UInt64(f[2]),
                      let count = UInt32(f[3]), let newest = UInt64(f[4]), let list = Int(f[5]), list < lists.count {
                entries.append(.init(stamp: MountNamespaceStamp(id: id, inode: inode, count: count, newest: newest),
                                     list: list))
            } else {
                return nil
            }
        }
        return (lists, entries)
    }
}
