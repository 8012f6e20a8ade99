import Foundation
import Glibc
import PlumbModel

/// How the watcher reads drops.
public enum DropWatchMode: String, Sendable, Codable {
    /// The BPF program: every drop attributed (namespace, interface, 5-tuple).
    case bpf
    /// The bare skb:kfree_skb tracepoint through perf_event_open: reason, location and protocol, host-wide.
    case tracepoint
}

/// The drops feed: watches skb:kfree_skb on its own thread and keeps the recent drops, so that any part of
/// Plumb can ask "what was dropped in namespace X / for this 5-tuple in the last N ms" (`drops(_:)`), follow
/// new drops as they come (`waitForNew`), and read the loss counters. Start it with `DropWatcher.start()`;
/// `stop()` (or the process ending) detaches the program. tracefs is read once at start (`Tracefs`), never left mounted.
public final class DropWatcher: @unchecked Sendable {
    public struct Options: Sendable {
        /// Use the tracepoint even when BPF would work (tests of the fallback, `--tracepoint`).
        public var forceTracepoint = false
        /// How many drops the log keeps, and for how long.
        public var logCapacity = 100_000
        public var retentionMillis = 60_000
        /// How many not-yet-taken drops `waitForNew` keeps for its reader before counting them lost.
        public var pendingCapacity = 200_000
        /// How often the reader wakes when no wake-up came (the latest a lone drop is seen).
        public var pollMillis: Int32 = 100
        /// Name each drop's location as it arrives: each address not seen before costs one pass over
        /// /proc/kallsyms (a batch's new addresses share it), later ones a lookup (`KernelSymbolCache`). A
        /// caller that asks about one drop (the live trace) turns it off and names that drop with `resolve(_:)`.
        public var resolveLocations = true
        /// While tallying (`tally(_:)`), how often the kernel's tallies are taken.
        public var tallyMillis = 1000
        public init() {}
    }

    public let mode: DropWatchMode
    /// Why the BPF watcher could not be used (nil with `mode == .bpf`, or when the tracepoint was asked for).
    public let fallbackReason: String?
    public let format: KfreeSkbFormat

    private let source: any DropSource
    private let options: Options
    private let condition = NSCondition()
    private var log: DropLog
    private var pending: [PacketDrop] = []
    private var pendingLost: UInt64 = 0
    private var running = true
    private var finished = false
    /// After `stopSoon()`: the reader closes the source as it ends.
    private var closesItself = false
    private var failure: DropWatchError?
    private var wake: (@Sendable () -> Void)?
    private var namespaceNames: [UInt64: String] = [:]
    /// What the reader was asked for (`tally(_:)`), and the tallies taken but not yet read by `takeTallies`.
    private var tallyWanted = false
    private var pendingTallies: [DropTally] = []
    /// Tallied drops the takes lacked (counted into an entry as it was being taken), and why tallying stopped.
    private var tallyLost: UInt64 = 0
    private var tallyFailure: String?

    private init(mode: DropWatchMode, fallbackReason: String?, format: KfreeSkbFormat, source: any DropSource,
                 options: Options) {
        self.mode = mode; self.fallbackReason = fallbackReason; self.format = format
        self.source = source; self.options = options
        self.log = DropLog(capacity: options.logCapacity, retentionMillis: options.retentionMillis)
    }

    /// Starts watching: BPF when it loads, else the tracepoint (saying why in `fallbackReason`).
    /// `onDrops` runs on the watcher's thread after each batch (the TUI wakes its loop with it).
    public static func start(_ options: Options = Options(), onDrops: (@Sendable () -> Void)? = nil) throws -> DropWatcher {
        guard geteuid() == 0 else {
            throw DropWatchError.permission("watching drops needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)")
        }
        let files = try Tracefs.readKfreeSkb()
        let format: KfreeSkbFormat
        do { format = try KfreeSkbFormat(parsing: String(decoding: files.format, as: UTF8.self)) } catch {
            throw DropWatchError.format("the skb:kfree_skb format file (\(files.from)): \(error)")
        }
        var fallback: String?
        var source: (any DropSource)?
        if options.forceTracepoint {
            fallback = "the tracepoint was asked for"
        } else {
            do { source = try BPFDropSource() } catch { fallback = error.description }
        }
        if source == nil {
            guard let idBytes = files.id,
                  let id = UInt64(String(decoding: idBytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw DropWatchError.format("cannot read the skb:kfree_skb tracepoint id (\(files.from))")
            }
            source = try TracepointDropSource(tracepointID: id, format: format)
        }
        let watcher = DropWatcher(mode: options.forceTracepoint || fallback != nil ? .tracepoint : .bpf,
                                  fallbackReason: fallback, format: format, source: source!, options: options)
        watcher.wake = onDrops
        let thread = Thread { [watcher] in watcher.run() }
        thread.name = "plumb-drops"
        thread.start()
        return watcher
    }

    /// CLOCK_MONOTONIC now, in nanoseconds: the clock drops are stamped with.
    public static func monotonicNanos() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }

    /// Whether drops carry their namespace, interface and 5-tuple (BPF) or are host-wide (the tracepoint).
    public var attributes: Bool { mode == .bpf }

    /// Names for namespaces, by nsfs inode ("pt-a", a container's name), used for the drops that follow.
    public func nameNamespaces(_ names: [UInt64: String]) {
        condition.lock(); namespaceNames = names; condition.unlock()
    }

    // MARK: the feed's questions

    /// The recent drops `query` matches, oldest first (e.g. `DropQuery(netnsCookie: c, lastMillis: 500)`).
    public func drops(_ query: DropQuery) -> [PacketDrop] {
        let now = Self.monotonicNanos()
        condition.lock(); defer { condition.unlock() }
        return log.drops(query, nowNanos: now)
    }

    /// How many recent drops `query` matches.
    public func count(_ query: DropQuery) -> Int {
        let now = Self.monotonicNanos()
        condition.lock(); defer { condition.unlock() }
        return log.count(query, nowNanos: now)
    }

    /// Drops since the last call, waiting up to `timeoutMillis` for the first (one reader: the CLI's stream, the
    /// TUI's loop). Throws when the watcher's reader failed.
    public func waitForNew(timeoutMillis: Int) throws -> [PacketDrop] {
        let deadline = Date(timeIntervalSinceNow: Double(timeoutMillis) / 1000)
        condition.lock(); defer { condition.unlock() }
        while pending.isEmpty && failure == nil && !finished {
            if !condition.wait(until: deadline) { break }
        }
        if let failure { throw failure }
        let out = pending
        pending.removeAll(keepingCapacity: true)
        return out
    }

    /// Drops the kernel saw (not counting normal frees), and those lost on the way: no room in the ring
    /// buffer or the perf rings, not taken by `waitForNew`'s reader in time, or missed by a tally's take.
    public var counters: (seen: UInt64, lost: UInt64) {
        let c = source.counters
        condition.lock(); defer { condition.unlock() }
        return (c.seen, c.lost + pendingLost + tallyLost)
    }

    /// Tally drops in the kernel (on) or send each one (off, the default). While tallying, drops come through
    /// `takeTallies` every `tallyMillis`, counted per namespace × interface × reason × location with the newest
    /// of each, and `waitForNew` returns only what the kernel could not tally (its map full); the 5-tuples of
    /// the drops a tally stands for are not known. Only the BPF reader tallies: with the tracepoint, or on a
    /// kernel that refuses, drops keep coming one by one (`tallyFailure` says why). Taking effect within
    /// `pollMillis`; turning it off first takes what the kernel tallied.
    public func tally(_ on: Bool) {
        condition.lock(); tallyWanted = on; condition.unlock()
    }

    /// Why the kernel does not tally although asked (nil while it does, or when not asked).
    public var tallyProblem: String? { condition.lock(); defer { condition.unlock() }; return tallyFailure }

    /// The tallies taken since the last call (never blocks).
    public func takeTallies() -> [DropTally] {
        condition.lock(); defer { condition.unlock() }
        let out = pendingTallies
        pendingTallies.removeAll(keepingCapacity: true)
        return out
    }

    /// `location` named from /proc/kallsyms now (for drops read with `resolveLocations` off).
    public static func resolve(_ location: KernelLocation) -> KernelLocation {
        guard location.symbol == nil, let bytes = readWholeFile("/proc/kallsyms") else { return location }
        return KernelSymbols.resolve(location.address, inKallsyms: bytes)
    }

    /// Stops the thread and detaches from the kernel. Idempotent.
    public func stop() {
        condition.lock()
        running = false
        while !finished { condition.wait() }
        let closed = closesItself
        condition.unlock()
        if !closed { source.close() }
    }

    /// Asks the thread to stop and returns at once: it detaches within `pollMillis` (the TUI quitting need not
    /// wait for a reader that wakes twice a second). `stop()` may follow.
    public func stopSoon() {
        condition.lock()
        running = false
        let ended = finished  // the reader already ended (it failed): nobody else will close
        if !ended { closesItself = true }
        condition.unlock()
        if ended { source.close() }
    }

    // MARK: the reader thread

    private func run() {
        // Locations are named as drops arrive, only those seen: no symbol table is built before the first drop.
        let symbols = KernelSymbolCache()
        var realtime = timespec()
        clock_gettime(CLOCK_REALTIME, &realtime)
        let offset = Double(realtime.tv_sec) + Double(realtime.tv_nsec) / 1e9 - Double(Self.monotonicNanos()) / 1e9
        var lastExpire = Self.monotonicNanos()
        var tallying = false, lastTake = lastExpire, taken: UInt64 = 0
        /// Tallying was just turned off: what the kernel tallied until then is taken once, at once.
        var takeLeftovers = false
        while true {
            condition.lock()
            let keepGoing = running, wantTallies = tallyWanted && tallyFailure == nil
            condition.unlock()
            guard keepGoing else { break }
            var batch: [PacketDrop] = []
            var tallies: [DropTally] = []
            do {
                if wantTallies != tallying {
                    do {
                        try source.setTallying(wantTallies)
                        tallying = wantTallies
                    } catch {
                        condition.lock(); tallyFailure = error.description; condition.unlock()
                    }
                    // Turned off: what the kernel tallied until now is taken below, at once.
                    if !tallying { takeLeftovers = true }
                }
                let events = try source.poll(timeoutMillis: options.pollMillis)
                // The names as they are now, after the wait: a name given while it waited (the live trace names
                // its path just before the probe) applies to the drops that wait returned.
                condition.lock()
                let names = namespaceNames
                condition.unlock()
                batch.reserveCapacity(events.count)
                if options.resolveLocations { symbols.learn(events.lazy.map(\.location)) }
                for e in events {
                    var d = e.packetDrop(format: format, location: symbols.location(e.location), realtimeOffset: offset)
                    if let inode = d.netnsInode { d.namespaceName = names[inode] }
                    batch.append(d)
                }
                let now = Self.monotonicNanos()
                if takeLeftovers || tallying && now &- lastTake >= UInt64(options.tallyMillis) * 1_000_000 {
                    lastTake = now
                    takeLeftovers = false
                    let raw = try source.takeTallies()
                    if options.resolveLocations { symbols.learn(raw.lazy.map(\.newest.location)) }
                    tallies.reserveCapacity(raw.count)
                    for t in raw {
                        var d = t.newest.packetDrop(format: format, location: symbols.location(t.newest.location),
                                                    realtimeOffset: offset)
                        if let inode = d.netnsInode { d.namespaceName = names[inode] }
                        tallies.append(DropTally(newest: d, count: Int(t.count)))
                        taken &+= t.count
                    }
                    // The kernel counts a tally after adding it, so what it counted beyond what was taken was
                    // added to an entry while it was taken (and deleted): lost, at least.
                    let counted = source.tallied
                    if counted > taken {
                        condition.lock(); tallyLost += counted - taken; condition.unlock()
                        taken = counted
                    }
                }
            } catch {
                condition.lock(); failure = error; condition.broadcast(); condition.unlock()
                break
            }
            let now = Self.monotonicNanos()
            condition.lock()
            if !batch.isEmpty {
                batch.sort { $0.monotonicNanos < $1.monotonicNanos }
                log.append(contentsOf: batch)
                let room = max(0, options.pendingCapacity - pending.count)
                if batch.count > room { pendingLost += UInt64(batch.count - room) }
                pending.append(contentsOf: batch.prefix(room))
                condition.broadcast()
            }
            if !tallies.isEmpty {
                tallies.sort { $0.newest.monotonicNanos < $1.newest.monotonicNanos }
                // Bounded like `pending` (a tally is at least one drop): a reader that stopped taking loses them.
                let room = max(0, options.pendingCapacity - pendingTallies.count)
                if tallies.count > room { tallyLost += tallies.dropFirst(room).reduce(0) { $0 + UInt64($1.count) } }
                pendingTallies.append(contentsOf: tallies.prefix(room))
            }
            if now - lastExpire > 1_000_000_000 { log.expire(nowNanos: now); lastExpire = now }
            let wake = self.wake
            condition.unlock()
            if !batch.isEmpty || !tallies.isEmpty { wake?() }
        }
        condition.lock()
        // Closed before `finished` is said: a `stop()` waiting for it must not close the source at the same time.
        if closesItself { source.close() }
        finished = true; condition.broadcast(); condition.unlock()
    }
}
