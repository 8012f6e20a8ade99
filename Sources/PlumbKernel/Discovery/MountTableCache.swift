import Glibc
import Foundation
import PlumbSystem

/// The nsfs mounts of each mount namespace, kept between discoveries (the live view discovers every second).
/// A mountinfo file reports POLLPRI when its mount table changes, so an unchanged table is not read or parsed
/// again: with 500 `ip netns` bind mounts that read was half of a discovery.
///
/// An open mountinfo pins its mount namespace (and so the namespaces bind-mounted in it). Tables are therefore
/// closed as soon as discovery no longer sees the mount namespace or its representative process changes.
public final class MountTableCache: @unchecked Sendable {
    private struct Entry {
        var path: String
        var file: SharedFileDescriptor
        var mounts: [NsfsMount]
    }

    private var tables: [UInt64: Entry] = [:]
    private let lock = NSLock()

    public init() {}

    /// The nsfs mounts of mount namespace `mnt` read through `path` (`/proc/PID/mountinfo`); nil when it cannot
    /// be read.
    func mounts(of mnt: UInt64, path: String) -> [NsfsMount]? {
        lock.lock(); defer { lock.unlock() }
        if let e = tables[mnt], e.path == path {
            // Always readable; POLLPRI|POLLERR only when the table changed since the last poll.
            let revents = (try? e.file.poll(Int16(POLLPRI), timeoutMillis: 0)) ?? Int16(POLLERR)
            if revents & Int16(POLLPRI | POLLERR) == 0 { return e.mounts }
            if let bytes = readFromStart(e.file) {
                let mounts = MountInfoParser.nsfsMounts(bytes)
                tables[mnt]?.mounts = mounts
                return mounts
            }
        }
        drop(mnt)
        guard let file = FileDescriptor.openIfPresent(path, O_RDONLY) else { return nil }
        // A new reader starts at the table's current change count: only later changes report POLLPRI.
        guard let bytes = FileReader.readAll(file) else { return nil }
        let mounts = MountInfoParser.nsfsMounts(bytes)
        tables[mnt] = Entry(path: path, file: SharedFileDescriptor(file), mounts: mounts)
        return mounts
    }

    /// Closes the tables of mount namespaces not in `mnts`.
    func retain(only mnts: Set<UInt64>) {
        lock.lock(); defer { lock.unlock() }
        for k in tables.keys where !mnts.contains(k) { drop(k) }
    }

    public var count: Int { lock.lock(); defer { lock.unlock() }; return tables.count }

    private func drop(_ mnt: UInt64) {
        tables[mnt] = nil  // closes its mountinfo
    }

    private func readFromStart(_ file: SharedFileDescriptor) -> [UInt8]? {
        file.withDescriptor { fd in
            guard (try? fd.seek(to: 0)) != nil else { return nil }
            return FileReader.readAll(fd)
        }
    }
}
