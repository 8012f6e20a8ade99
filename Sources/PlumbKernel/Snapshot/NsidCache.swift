import Foundation

/// netnsid -> namespace id, per reading namespace, kept across the live view's snapshots. A netnsid stays the
/// same while both namespaces live; entries that mention a namespace discovery no longer finds are dropped
/// (`retain(only:)`), so a recycled netnsid is never resolved to a dead namespace.
public final class NsidCache: @unchecked Sendable {
    private var map: [UInt64: [Int32: UInt64]] = [:]
    private let lock = NSLock()

    public init() {}

    func lookup(reader: UInt64, nsid: Int32) -> UInt64? {
        lock.lock(); defer { lock.unlock() }
        return map[reader]?[nsid]
    }

    func store(reader: UInt64, nsid: Int32, target: UInt64) {
        lock.lock(); map[reader, default: [:]][nsid] = target; lock.unlock()
    }

    func retain(only ids: Set<UInt64>) {
        lock.lock(); defer { lock.unlock() }
        map = map.filter { ids.contains($0.key) }.mapValues { $0.filter { ids.contains($0.value) } }
    }

    public var count: Int { lock.lock(); defer { lock.unlock() }; return map.values.reduce(0) { $0 + $1.count } }
}
