import Foundation
import Glibc
import PlumbModel
import PlumbSystem

/// The two tracefs files the drop watcher reads once at start: the skb:kfree_skb format (reason names, field
/// offsets) and the tracepoint's id (for the perf fallback). After that nothing needs tracefs: the BPF program
/// and the perf event stay attached without it.
///
/// When no tracefs is mounted, Plumb mounts one where only it can see it: a thread of its own unshares its
/// mount namespace (mounts made there do not propagate back), mounts tracefs, reads the two files and ends,
/// and the namespace goes with it. Nothing is ever mounted on the host, so there is nothing to unmount at exit
/// and nothing left behind when Plumb is killed (kill -9) at any point.
public enum Tracefs {
    public struct KfreeSkbFiles: Sendable {
        public var format: [UInt8]
        /// The tracepoint id file's text; nil when it could not be read.
        public var id: [UInt8]?
        /// Where they were read: a tracefs mount of the host, or "a private tracefs mount".
        public var from: String
    }

    static let mountPoint = "/sys/kernel/tracing"
    static let subdirectory = "/events/skb/kfree_skb/"

    /// The format and id files, from a mounted tracefs or from a private mount.
    public static func readKfreeSkb() throws(DropWatchError) -> KfreeSkbFiles {
        for root in mountedRoots() {
            if let format = readWholeFile(root + subdirectory + "format") {
                return KfreeSkbFiles(format: format, id: readWholeFile(root + subdirectory + "id"), from: root)
            }
        }
        return try readPrivately()
    }

    /// Mount points of tracefs in this process's mount namespace (from /proc/self/mounts, not by probing paths:
    /// looking into /sys/kernel/debug/tracing would automount tracefs there and leave it mounted).
    static func mountedRoots() -> [String] {
        guard let bytes = readWholeFile("/proc/self/mounts") else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ")
            guard f.count > 2, f[2] == "tracefs" else { return nil }
            return String(f[1]).replacingOccurrences(of: "\\040", with: " ")
        }
    }

    private final class Outcome: @unchecked Sendable {
        var files: KfreeSkbFiles?
        var error: DropWatchError?
        let done = DispatchSemaphore(value: 0)
    }

    /// Mounts tracefs in a mount namespace of one throwaway thread and reads the files there.
    static func readPrivately() throws(DropWatchError) -> KfreeSkbFiles {
        let outcome = Outcome()
        let thread = Thread {
            defer { outcome.done.signal() }
            do {
                try SystemCalls.unshare(.mount)
                // Slave: the host's later mounts still appear here, but nothing mounted here goes back.
                try SystemCalls.mount("none", on: "/", flags: [.recursive, .slave])
            } catch {
                outcome.error = .tracefs("cannot make a private mount namespace for tracefs (\(error)): mount tracefs "
                                         + "yourself (mount -t tracefs nodev \(mountPoint)) or run as root")
                return
            }
            do {
                try SystemCalls.mount("nodev", on: mountPoint, type: "tracefs", flags: [])
            } catch {
                outcome.error = .tracefs("mounting tracefs on \(mountPoint): \(error); mount it yourself "
                                         + "(mount -t tracefs nodev \(mountPoint)) or run as root")
                return
            }
            guard let format = readWholeFile(mountPoint + subdirectory + "format") else {
                outcome.error = .tracefs("\(mountPoint) has no skb:kfree_skb tracepoint: this kernel cannot report drops")
                return
            }
            outcome.files = KfreeSkbFiles(format: format, id: readWholeFile(mountPoint + subdirectory + "id"),
                                          from: "a private tracefs mount")
            // The thread ends here; its mount namespace, and the tracefs mount in it, end with it.
        }
        thread.name = "plumb-tracefs"
        thread.start()
        outcome.done.wait()
        if let error = outcome.error { throw error }
        guard let files = outcome.files else { throw .tracefs("reading tracefs failed") }
        return files
    }
}

/// Why drops cannot be watched, in one line.
public enum DropWatchError: Error, CustomStringConvertible, Sendable {
    case tracefs(String)
    case format(String)
    case open(String)
    case permission(String)

    public var description: String {
        switch self {
        case .tracefs(let s), .format(let s), .open(let s), .permission(let s): return s
        }
    }
}

/// A whole file (kallsyms, format files: procfs and tracefs report size 0, so read until EOF).
func readWholeFile(_ path: String, limit: Int = 64 << 20) -> [UInt8]? {
    guard let fd = FileDescriptor.openIfPresent(path, O_RDONLY) else { return nil }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while out.count < limit {
        let n: Int
        do { n = try chunk.withUnsafeMutableBytes { try fd.read(into: $0) } } catch { return nil }
        if n <= 0 { break }
        out.append(contentsOf: chunk[..<n])
    }
    return out
}

extension DropWatchError: CategorizedError {
    public var category: ErrorCategory {
        if case .permission = self { return .permission }
        return .failure
    }
}
