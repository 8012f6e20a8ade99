import Foundation

/// Route sockets by namespace id, kept across snapshots. A cached socket holds its namespace alive, so entries
/// of namespaces that discovery no longer finds are dropped at once (`retain(only:)`): Plumb never keeps a
/// vanished namespace alive.
public final class NetlinkSocketCache: @unchecked Sendable {
    private var sockets: [UInt64: NetlinkSocket] = [:]
    private let lock = NSLock()

    public init() {}

    func take(_ id: UInt64) -> NetlinkSocket? {
        lock.lock(); defer { lock.unlock() }
        return sockets.removeValue(forKey: id)
    }

    func put(_ id: UInt64, _ s: NetlinkSocket) {
        lock.lock(); sockets[id] = s; lock.unlock()
    }

    func retain(only ids: Set<UInt64>) {
        lock.lock(); sockets = sockets.filter { ids.contains($0.key) }; lock.unlock()
    }

    public var count: Int { lock.lock(); defer { lock.unlock() }; return sockets.count }
}
