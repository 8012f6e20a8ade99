import Glibc
import PlumbModel
import PlumbSystem

/// Where tracefs is, mounting it when it is not: the drop watcher reads the skb:kfree_skb format (reason
/// names) and, for the perf fallback, the tracepoint's id from it. A mount Plumb made is undone by
/// `release()` (the drop watcher's stop), so Plumb leaves the host's mounts as it found them.
public final class Tracefs: @unchecked Sendable {
    public let root: String
    /// Whether this process mounted it (and so unmounts it).
    public let mountedByPlumb: Bool
    private var released = false

    static let candidates = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]

    private init(root: String, mountedByPlumb: Bool) { self.root = root; self.mountedByPlumb = mountedByPlumb }

    /// tracefs, mounted at /sys/kernel/tracing if no mount has it.
    public static func open() throws -> Tracefs {
        for c in candidates where access(c + "/events/skb/kfree_skb/format", R_OK) == 0 {
            return Tracefs(root: c, mountedByPlumb: false)
        }
        let target = candidates[0]
        do {
            try SystemCalls.mount("nodev", on: target, type: "tracefs", flags: [])
        } catch {
            throw DropWatchError.tracefs("mounting tracefs on \(target): \(error); mount it yourself "
                                         + "(mount -t tracefs nodev \(target)) or run as root")
        }
        guard access(target + "/events/skb/kfree_skb/format", R_OK) == 0 else {
            _ = SystemCalls.failure { () throws(SystemError) in try SystemCalls.detach(target) }
            throw DropWatchError.tracefs("\(target) has no skb:kfree_skb tracepoint: this kernel cannot report drops")
        }
        return Tracefs(root: target, mountedByPlumb: true)
    }

    /// A file under events/skb/kfree_skb/.
    public func kfreeSkbFile(_ name: String) -> String { root + "/events/skb/kfree_skb/" + name }

    /// Unmounts tracefs when this process mounted it; once.
    public func release() {
        guard mountedByPlumb, !released else { return }
        released = true
        _ = SystemCalls.failure { () throws(SystemError) in try SystemCalls.detach(root) }
    }

    deinit { release() }
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
