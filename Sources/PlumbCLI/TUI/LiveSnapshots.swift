import Foundation
import PlumbKernel
import PlumbModel

/// Produces snapshots on a background thread: on every interval, when `refreshNow()` is called, and when the
/// kernel reports a change in any namespace (netlink multicast). The UI thread only picks up the newest one, so
/// drawing never waits for the kernel.
final class LiveSnapshots: @unchecked Sendable {
    private let lock = NSLock()
    private var latest: (Snapshot, Double)?
    private var error: String?
    private var wake = false
    private var stopped = false
    var interval: Double
    var paused = false
    /// The namespace on screen: between full refreshes only it (and the host) get routes, sysctls and
    /// firewall re-read; the others keep those from the last full refresh.
    private var focus: UInt64?
    func setFocus(_ id: UInt64?) { lock.lock(); focus = id; lock.unlock() }
    /// Every Nth refresh reads everything.
    let fullEvery = 10
    let options: SnapshotOptions

    init(interval: Double, options: SnapshotOptions) {
        self.interval = interval
        self.options = options
    }

    func start() {
        let t = Thread { [self] in run() }
        t.stackSize = 1 << 20
        t.start()
    }

    func stop() { lock.lock(); stopped = true; lock.unlock() }
    func refreshNow() { lock.lock(); wake = true; lock.unlock() }

    /// The newest snapshot since the last call (and how long it took, ms), or nil.
    func take() -> (snapshot: Snapshot, millis: Double)? {
        lock.lock(); defer { lock.unlock() }
        let v = latest
        latest = nil
        return v.map { ($0.0, $0.1) }
    }

    func lastError() -> String? { lock.lock(); defer { lock.unlock() }; return error }

    private var refreshes = 0
    private var previous: Snapshot?

    /// A light refresh read only links and addresses of the namespaces off screen: keep their routes,
    /// neighbours, sysctls and firewall (and fd holders) from the previous snapshot so nothing looks removed.
    static func carryOver(_ snap: Snapshot, from old: Snapshot, detailed: Set<UInt64>) -> Snapshot {
        var snap = snap
        let before = Dictionary(old.namespaces.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for i in snap.namespaces.indices where !detailed.contains(snap.namespaces[i].id) {
            guard let o = before[snap.namespaces[i].id] else { continue }
            snap.namespaces[i].routes = o.routes
            snap.namespaces[i].neighbors = o.neighbors
            snap.namespaces[i].sysctls = o.sysctls
            snap.namespaces[i].firewall = o.firewall
        }
        // Namespaces held only by an fd are found by the fd scan, which light refreshes skip.
        let seen = Set(snap.namespaces.map(\.id))
        snap.namespaces += old.namespaces.filter { !seen.contains($0.id) && $0.heldBy.allSatisfy { $0.kind == .fd } }
        return snap
    }

    private func run() {
        let watcher = EventWatcher()
        let sockets = NetlinkSocketCache()
        var last = Date.distantPast
        while true {
            lock.lock()
            let stop = stopped, woken = wake, isPaused = paused, every = interval
            wake = false
            lock.unlock()
            if stop { return }
            if woken || (!isPaused && Date().timeIntervalSince(last) >= every) {
                let t = Date()
                var opts = options
                if refreshes % fullEvery != 0, let previous {
                    lock.lock(); let f = focus; lock.unlock()
                    opts.detailFor = Set([previous.host?.id, f].compactMap { $0 })
                    opts.scanFds = false
                }
                var reader = SnapshotReader(options: opts)
                reader.sockets = sockets
                var snap = reader.read()
                if let keep = opts.detailFor, let previous { snap = Self.carryOver(snap, from: previous, detailed: keep) }
                refreshes += 1
                self.previous = snap
                let ms = Date().timeIntervalSince(t) * 1000
                watcher.follow(snap)
                lock.lock()
                latest = (snap, ms)
                error = snap.notes.first { $0.contains("failed") }
                lock.unlock()
                last = Date()
                continue
            }
            // Sleep until the next tick, or until the kernel says something changed (then debounce briefly so
            // a burst of events costs one snapshot).
            let remaining = max(10, Int32((every - Date().timeIntervalSince(last)) * 1000))
            if watcher.wait(timeoutMillis: isPaused ? 200 : min(remaining, 200)) && !isPaused {
                usleep(20_000)
                refreshNow()
            }
        }
    }
}
