import Foundation
import PlumbMap

/// The cluster store's view for the TUI's Map view, read on a thread of its own every `interval` seconds (the
/// first read at once), so a slow or unreachable etcd never holds up drawing. The UI thread takes the newest
/// with `latest`. Without a store the CLI makes none.
public final class ClusterFeed: @unchecked Sendable {
    private let lock = NSLock()
    private var view: MapClusterView?
    private var stopped = false
    private let read: @Sendable () throws -> MapClusterView
    private let interval: Double

    public init(interval: Double = 5, read: @escaping @Sendable () throws -> MapClusterView) {
        self.read = read
        self.interval = interval
    }

    /// The newest view; the last good one stays while the store cannot be read.
    public var latest: MapClusterView? { lock.lock(); defer { lock.unlock() }; return view }

    public func start() {
        let t = Thread { [self] in
            while !isStopped {
                if let v = try? read() { lock.lock(); view = v; lock.unlock() }
                Thread.sleep(forTimeInterval: interval)
            }
        }
        t.name = "plumb-cluster-feed"
        t.start()
    }

    public func stop() { lock.lock(); stopped = true; lock.unlock() }

    private var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }
}
