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
                var reader = SnapshotReader(options: options)
                reader.sockets = sockets
                let snap = reader.read()
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
