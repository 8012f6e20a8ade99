import PlumbSystem
import Foundation
import PlumbKernel
import PlumbModel

/// Produces snapshots on a background thread so drawing never waits for the kernel. The work is kept small:
/// - kernel events are applied to the model as they arrive (a link that flaps, an address or a route reaches
///   the screen from its own netlink message, without reading anything);
/// - every interval, only the counters on screen are read again (the links whose rates the UI shows or keeps a
///   history of: `setFocus`'s `counters`), one request per link where a namespace's links are mostly off screen;
/// - the namespaces on screen are read again — counters, routes, neighbours, sysctls, and the firewall while its
///   tab is open — when they change, plus namespaces that are new or whose events could not be applied (a new
///   link, IPv4's silent route flush, a ruleset change);
/// - every `detailEvery` intervals the namespaces on screen are read in full, but only while the details tab
///   shows what sends no events (neighbours, sysctls, sockets, the doctor's findings and ports);
/// - every `fullEvery` intervals, and on `r`, everything is read, with the fd scan: a safety net for what sends
///   no events.
/// Between reads the thread sleeps until the next is due or an event arrives; a new focus, `r` and stop
/// interrupt the sleep. When nothing changes — the counters on screen have not moved for `quietReads` reads
/// (the rate history's length: every rate and sparkline on screen is flat) and nothing else changed — a read
/// is not handed to the UI (but every `quietHeartbeat`): nothing on screen would change. The next update that
/// samples counters says since when they stood still (`SnapshotUpdate.quiet`), so the UI's rates span only the
/// last interval.
public final class LiveSnapshots: @unchecked Sendable {
    public typealias Update = SnapshotUpdate

    private let lock = NSLock()
    private var latest: Update?
    private var error: String?
    private var wake = false
    private var stopped = false
    public var interval: Double
    public var paused = false
    private var focus: Set<UInt64> = []
    /// The link counters on screen (nil: every link of `focus`).
    private var counters: CounterScope?
    private var firewallOnScreen = false
    /// The details tab shows what no event announces: the namespaces on screen are read every `detailEvery`.
    private var polledOnScreen = true
    /// `r`: the next read is a full one.
    private var fullWanted = false
    /// Intervals between full reads. A full read of 500 namespaces costs ~200 ms of CPU (a third of a percent of
    /// a core once a minute, more than `htop` costs in all): what sends events never needs it, and what does not
    /// is re-read on screen (`detailEvery`), on a new focus and on `r`; off screen it may be five minutes old.
    let fullEvery = 300
    let detailEvery = 10
    private var lastDetail: Set<UInt64> = []
    /// Reads caused by events are at least this far apart, so 50 flaps a second cost a few reads, not 50.
    let eventReadSpacing = 0.1
    let tablesReadSpacing = 1.0
    /// Updates made from events are at least this far apart. It bounds how late a flap in a burst reaches the
    /// screen (the bench measures ~210 ms at the 95th percentile against a 250 ms target) and how often a burst
    /// costs a redraw: 150 ms meant 3.5% of a core with 50 flaps a second, 200 ms 2.4%.
    let eventPublishSpacing = 0.2
    /// In a burst (the last update carried changes to at least `burstChanges` links: 50 flaps a second change
    /// twenty or more in 0.2 s, one flap two or three: the link, its peer, its bridge) updates from events are `burstPublishSpacing`
    /// apart: each update costs the UI a diff, its rows and a frame of the whole model, and five a second were
    /// most of a flapping TUI's CPU (two a second, with IPv6 on 500 namespaces' links, were still 2.5% of a core:
    /// each flap also adds and removes link-local routes and addresses). So a burst is shown once per interval,
    /// as htop shows a busy machine, at most a second apart. A flap after a quiet spell still reaches the screen
    /// within `eventPublishSpacing`; one in the middle of a burst within `burstPublishSpacing`.
    var burstPublishSpacing: Double { max(eventPublishSpacing, min(1.0, interval)) }
    let burstChanges = 8
    private var changesAtPublish = 0
    /// Reads in a row whose counters on screen equal the read's before (same namespaces on screen).
    private var unchangedReads = 0
    private var countersAsked = CounterScope()
    let quietReads = 60
    /// Even a quiet screen gets an update this often: a likely leak's age ("held 3m") is reckoned from the
    /// snapshot's time.
    public var quietHeartbeat = 30.0
    /// The last read not handed over because nothing changed; the next update that samples counters carries it.
    private var quietSince: QuietCounters?
    private var versionAtPublish: UInt64?
    private var inBurst = false
    private var publishSpacing: Double { inBurst ? burstPublishSpacing : eventPublishSpacing }
    private var lastPublish = Date.distantPast
    private var eventsUnpublished = false
    /// The event sockets have something to read (epoll said so and nothing drained them since).
    private var eventsWaiting = false
    private let model: LiveModel
    /// Readable when a new update is waiting: a pipe the UI polls together with the keyboard.
    /// Written when an update is published, so the UI thread wakes at once (see SnapshotSource.wakePipe).
    public let wakePipe = try? WakePipe()
    /// PLUMB_LIVE_LOG=FILE: one line per refresh (why, what was read, how long) for tuning.
    private let debugLog: ((String) -> Void)? = ProcessInfo.processInfo.environment["PLUMB_LIVE_LOG"].flatMap { path in
        guard let f = fopen(path, "a") else { return nil }
        return { line in fputs(line, f); fflush(f) }
    }

    public init(interval: Double, options: SnapshotOptions) {
        self.interval = interval
        model = LiveModel(options: options)
    }

    public func start() {
        let t = Thread { [self] in run() }
        t.stackSize = 1 << 20
        t.start()
    }

    public func stop() { lock.lock(); stopped = true; lock.unlock(); model.interruptWait() }
    /// Reads everything at once (`r`): what sends no events is current again everywhere, not only on screen.
    public func refreshNow() { lock.lock(); wake = true; fullWanted = true; lock.unlock(); model.interruptWait() }

    /// The namespaces on screen (the selected one and its selected link's peer's); a change reads them at once.
    /// `counters`: the links whose counters are on screen, read every interval (nil: every link of `ids`); a
    /// change is read at the next interval. `polled`: the details tab shows data without events (see
    /// `LiveSnapshots`), read every `detailEvery`.
    public func setFocus(_ ids: Set<UInt64>, counters: CounterScope? = nil, firewall: Bool, polled: Bool) {
        lock.lock()
        let changed = ids != focus || (firewall && !firewallOnScreen) || (polled && !polledOnScreen)
        if changed { wake = true }
        focus = ids
        self.counters = counters
        firewallOnScreen = firewall
        polledOnScreen = polled
        lock.unlock()
        if changed { model.interruptWait() }
    }

    /// The newest snapshot since the last call, or nil.
    public func take() -> Update? {
        lock.lock(); defer { lock.unlock() }
        let v = latest
        latest = nil
        return v
    }

    public func lastError() -> String? { lock.lock(); defer { lock.unlock() }; return error }

    private func publish(_ u: Update) {
        var u = u
        u.changed = model.takeChanged()
        u.contentVersion = model.contentVersion
        u.objectsVersion = model.objectsVersion
        versionAtPublish = model.contentVersion
        if u.read != [] {
            u.quiet = quietSince
            quietSince = nil
        }
        inBurst = model.linkChangesApplied - changesAtPublish >= burstChanges
        changesAtPublish = model.linkChangesApplied
        lastPublish = Date()
        lock.lock()
        if let pending = latest {
            // The UI has not taken the previous update: it will diff against the one before, so this update
            // must name what both changed. (Counters are sampled from the newest read only.)
            u.changed = u.changed.flatMap { c in pending.changed.map { c.union($0) } }
            if u.quiet == nil { u.quiet = pending.quiet }
        }
        latest = u
        error = u.snapshot.notes.first { $0.contains("failed") }
        lock.unlock()
        wakePipe?.wake()
    }

    private func run() {
        var last = Date.distantPast
        var lastRead = Date.distantPast
        var ticks = 0
        while true {
            if eventsWaiting {
                // A burst of events (50 flaps a second) stays in the sockets until the next update may be
                // published, then is drained at once: one wake-up per update instead of one per event. An update
                // due now, `r`, a new focus or stop go ahead at once.
                lock.lock()
                let urgent = wake || stopped, isPaused = paused, every = interval
                lock.unlock()
                let hold = publishSpacing - Date().timeIntervalSince(lastPublish)
                let untilDue = every - Date().timeIntervalSince(last)
                if isPaused && !urgent { usleep(200_000); continue }  // paused: events wait in the sockets
                if !urgent && hold > 0 && untilDue > 0 {
                    usleep(UInt32(min(hold, untilDue) * 1_000_000) + 1000)
                    continue
                }
            }
            lock.lock()
            let stop = stopped, woken = wake, isPaused = paused, every = interval
            let hot = focus, firewall = firewallOnScreen, polled = polledOnScreen, full = fullWanted
            let scope = counters ?? CounterScope(namespaces: focus)
            wake = false
            fullWanted = false
            lock.unlock()
            if stop { return }
            // Events are applied as they come, but handed to the UI at most every `eventPublishSpacing`: 50 flaps a
            // second must not cost 50 redraws (each diffs and draws the whole model).
            if !isPaused {
                if model.applyEvents() { eventsUnpublished = true }
                eventsWaiting = false
            }
            if eventsUnpublished, Date().timeIntervalSince(lastPublish) >= publishSpacing, let snap = model.snapshot {
                publish(Update(snapshot: snap, read: []))
                eventsUnpublished = false
            }
            let now = Date()
            let due = woken || (!isPaused && now.timeIntervalSince(last) >= every)
            // New links and ruleset changes are read soon; addresses and routes that events could not carry
            // (IPv4's silent route flush when a link goes down) at most once a second.
            let urgent = !(model.pending.isEmpty && model.pendingFirewall.isEmpty)
                && now.timeIntervalSince(lastRead) >= eventReadSpacing
            let tables = !model.pendingTables.isEmpty && now.timeIntervalSince(lastRead) >= tablesReadSpacing
            let eventRead = !isPaused && (urgent || tables)
            if due || eventRead {
                let t0 = Date()
                let queued = "queued links=\(model.pending.count) tables=\(model.pendingTables.count) fw=\(model.pendingFirewall.count)"
                let all = due && (full || ticks % fullEvery == 0)
                // The namespaces on screen are read in full when they change, while the firewall tab shows live
                // counters, and every `detailEvery` intervals while the tab shows what sends no events; in between
                // only their counters.
                let detail = due && (woken || hot != lastDetail || firewall || (polled && ticks % detailEvery == 0))
                let read: Set<UInt64> = detail ? hot : []
                var snap: Snapshot
                // What the update's counters are (nil: everything); only that is sampled for rates.
                var sampled: CounterScope? = all ? nil : CounterScope(namespaces: read)
                if due && !detail && !all, model.snapshot != nil {
                    snap = model.refreshDiscovery() ?? model.refresh(read: [], firewall: [])
                    snap = model.refreshCounters(scope) ?? snap
                    sampled = model.countersRead
                    unchangedReads = model.countersChanged || scope != countersAsked ? 0 : unchangedReads + 1
                    countersAsked = scope
                    if unchangedReads >= quietReads && model.contentVersion == versionAtPublish && !eventsUnpublished
                        && Date().timeIntervalSince(lastPublish) < quietHeartbeat {
                        // Nothing on screen would change: no update, no frame.
                        let r = model.countersRead
                        quietSince = QuietCounters(at: snap.takenAt, namespaces: r.allNamespaces, links: r.links)
                        lastRead = Date(); last = lastRead; ticks += 1
                        continue
                    }
                } else {
                    // Between full reads the namespaces are found from process events, not a /proc walk.
                    snap = model.refresh(read: read, firewall: detail && firewall ? hot : [], all: all, scanFds: all,
                                         knownDiscovery: !all && !woken)
                    // The counters on screen outside the namespaces just read (the Map's edges) are read as well:
                    // a link that misses a read starts its rates over.
                    let rest = CounterScope(namespaces: scope.namespaces.subtracting(read),
                                            links: scope.links.filter { !read.contains($0.key) })
                    if due && !all && !rest.isEmpty {
                        snap = model.refreshCounters(rest) ?? snap
                        let r = model.countersRead
                        sampled = CounterScope(namespaces: read.union(r.namespaces), links: r.links)
                    }
                }
                if detail { lastDetail = hot }
                publish(sampled.map { Update(snapshot: snap, read: $0) } ?? Update(snapshot: snap, read: nil))
                eventsUnpublished = false
                debugLog?("\(t0.timeIntervalSince1970) due=\(due) all=\(all) detail=\(detail) hot=\(hot.count) \(queued) "
                          + "ms=\(Int(Date().timeIntervalSince(t0) * 1000)) nl=\(Int(snap.discovery.netlinkMillis)) "
                          + "wiring=\(Int(snap.discovery.wiringMillis))\n")
                lastRead = Date()
                if due { last = lastRead; ticks += 1 }
                continue
            }
            // Asleep until the next read is due, an update held back may be published, or something interrupts.
            let remaining = max(10, Int32((every - now.timeIntervalSince(last)) * 1000))
            let publishIn = eventsUnpublished
                ? max(5, Int32((publishSpacing - Date().timeIntervalSince(lastPublish)) * 1000)) : remaining
            eventsWaiting = model.waitForEvents(timeoutMillis: isPaused ? 200 : min(remaining, publishIn))
        }
    }
}
