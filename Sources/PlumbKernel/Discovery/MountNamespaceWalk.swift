import Glibc
import PlumbSystem
import CLinuxShims

/// One mount namespace as the kernel lists it, and the state of its mount table: `count` mounts, the newest of
/// them `newest`. Mount ids are 64-bit, never reused and only grow, so an unchanged (count, newest) pair means
/// an unchanged set of mounts: a mount added since has a larger id, one removed lowers the count.
struct MountNamespaceStamp: Hashable, Sendable {
    var id: UInt64
    var inode: UInt64
    var count: UInt32
    var newest: UInt64
}

/// Every mount namespace of the machine, found with NS_MNT_GET_PREV/NEXT from our own (Linux 6.12): a few
/// syscalls per namespace, and it also finds mount namespaces no process lives in.
enum MountNamespaceWalk {
    /// nil when the kernel cannot walk (older than 6.12, or not allowed: e.g. inside a user namespace).
    static func all(procRoot: String = "/proc") -> [MountNamespaceStamp]? {
        guard let own = FileDescriptor.openIfPresent("\(procRoot)/self/ns/mnt", O_RDONLY) else { return nil }
        var id: UInt64 = 0, count: UInt32 = 0
        guard plumb_mntns_info(own.rawValue, &id, &count) == 0, let first = stamp(own.rawValue, id, count) else {
            return nil
        }
        var result = [first]
        for forward in [false, true] {
            var cur = own.rawValue
            while true {
                let next = plumb_mntns_step(cur, forward ? 1 : 0, &id, &count)
                let failure = errno
                if cur != own.rawValue { close(cur) }
                if next < 0 {
                    if failure == ENOENT { break }
                    return nil  // a gap we cannot see past: the caller reads tables the old way
                }
                guard let s = stamp(next, id, count) else { close(next); return nil }
                result.append(s)
                cur = next
            }
        }
        return result
    }

    private static func stamp(_ fd: Int32, _ id: UInt64, _ count: UInt32) -> MountNamespaceStamp? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        var newest: UInt64 = 0
        // An empty namespace (all unmounted, kept by an fd) lists nothing: newest stays 0.
        guard plumb_listmount(id, &newest, 1, 1) >= 0 else { return nil }
        return MountNamespaceStamp(id: id, inode: UInt64(st.st_ino), count: count, newest: newest)
    }

    /// The nsfs mounts of a mount namespace no process lives in (so there is no /proc/PID/mountinfo to read):
    /// listmount and statmount by the namespace's id.
    static func nsfsMounts(of nsId: UInt64) -> [NsfsMount]? {
        var ids = [UInt64](repeating: 0, count: 4096)
        var n = 0
        while true {
            n = ids.withUnsafeMutableBufferPointer { plumb_listmount(nsId, $0.baseAddress!, UInt($0.count), 0) }
            guard n >= 0 else { return nil }
            if n < ids.count { break }
            ids = [UInt64](repeating: 0, count: ids.count * 4)
        }
        var root = [CChar](repeating: 0, count: 256), point = [CChar](repeating: 0, count: 4096)
        var result = [NsfsMount]()
        for m in ids[0..<n] {
            let r = plumb_statmount_nsfs(nsId, m, &root, UInt(root.count), &point, UInt(point.count))
            guard r == 1, let link = parseNamespaceLink(String(cBuffer: root)) else { continue }
            result.append(NsfsMount(type: link.type, inode: link.inode, mountPoint: String(cBuffer: point)))
        }
        return result
    }
}
