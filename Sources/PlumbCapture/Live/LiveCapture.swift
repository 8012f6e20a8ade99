// Live capture on one or more (namespace, interface) sources, merged into one time-ordered, bounded buffer
// that a consumer reads without blocking.
//
// Threads: one dedicated POSIX thread per source (it enters the namespace, opens the pcap handle there and
// captures until the end); the consumer calls `read`/`wait`/`stats`/`stop` from any thread. All shared state
// sits behind one mutex, which capture threads take once per batch of packets (a kernel block), not per packet.

public final class LiveCapture: @unchecked Sendable {
    /// The sources, in the order given, with what libpcap reported when opening them.
    public let sources: [CaptureSourceInfo]
    public let options: CaptureOptions
    let core: CaptureCore

    /// Opens every source (each on its own thread, inside its namespace) and starts capturing once all of
    /// them opened. Throws the first source's failure — bad filter, missing namespace or interface — and then
    /// nothing was captured and no thread is left running.
    public init(sources: [CaptureSource], options: CaptureOptions = CaptureOptions()) throws {
        guard !sources.isEmpty else { throw LiveCaptureError.invalidOptions("no capture source given") }
        guard options.snapLength > 0, options.kernelBufferBytes > 0, options.timeoutMillis >= 0,
              options.bufferPackets > 0, options.bufferBytes >= 2 * options.snapLength else {
            throw LiveCaptureError.invalidOptions("invalid capture options: the buffer must hold at least two snap lengths")
        }
        if let c = options.count, c <= 0 { throw LiveCaptureError.invalidOptions("the packet count must be positive") }
        let core = CaptureCore(options: options, sourceCount: sources.count)
        let workers = sources.enumerated().map { SourceWorker(index: $0.offset, source: $0.element, options: options, core: core) }
        core.workers = workers
        for w in workers {
            if !startThread({ w.run() }) {
                core.abortStart(expected: workers.count, started: w.index)
                throw LiveCaptureError.openFailed(source: w.source.label, message: "cannot create a capture thread")
            }
        }
        if let error = core.awaitOpened() { throw error }
        self.options = options
        self.core = core
        self.sources = workers.map { $0.info! }
    }

    /// The capture threads refer to the shared state without owning it: they must end before it goes.
    deinit {
        stop()
        waitUntilFinished()
    }

    /// Asks every source to stop; returns at once (`isFinished` turns true when the threads are done).
    /// `reason` is recorded unless another end came first — a consumer reports its write failures this way.
    public func stop(reason: CaptureEndReason = .stopped) { core.end(reason) }

    /// Why the capture ended (nil while running).
    public var endReason: CaptureEndReason? { core.monitor.locked { core.endReasonLocked } }

    /// True once every source thread has ended and all captured packets are in the buffer: after reading up
    /// to `lastSequence`, nothing more will come.
    public var isFinished: Bool { core.monitor.locked { core.finished } }

    /// The newest sequence number in the buffer.
    public var lastSequence: UInt64 { core.monitor.locked { core.output.nextSequence - 1 } }

    /// Packets with a sequence greater than `after`, oldest first, at most `limit`. Never blocks beyond a copy.
    /// With `.untilRead` retention, packets up to `after` are freed (reading is the acknowledgement).
    public func read(after: UInt64, limit: Int = 4096) -> CaptureBatch { core.read(after: after, limit: limit) }

    /// Visits the packets after `after` (at most `limit`) where they lie in the buffer, with its lock held: no
    /// copy at all. For consumers that only pass the bytes on (a file writer); `visit` must not call back into
    /// this capture, and should be quick since capture threads wait for the lock meanwhile. Returns the last
    /// sequence visited (the next `after`). With `.untilRead` retention the visited packets are freed by the
    /// next `read`/`consume`. A throwing `visit` ends the walk and the error is rethrown.
    @discardableResult
    public func consume(after: UInt64, limit: Int = 8192, _ visit: (LivePacketView) throws -> Void) rethrows -> UInt64 {
        try core.consume(after: after, limit: limit, visit)
    }

    /// Blocks until a packet after `after` is buffered, the capture is finished, or `timeoutMillis` passed.
    /// Returns true when there is something to read or the capture finished.
    /// `minimumPackets` > 1 lets a consumer that writes files sleep until a worthwhile batch is there (or a
    /// quarter of the buffer is used, or the capture ends): fewer wake-ups per second at high rates.
    @discardableResult
    public func wait(after: UInt64, timeoutMillis: Int, minimumPackets: Int = 1) -> Bool {
        core.wait(after: after, timeoutMillis: timeoutMillis, minimumPackets: minimumPackets)
    }

    /// Counters per source (same order as `sources`).
    public func stats() -> [CaptureSourceStats] { core.monitor.locked { core.stats } }

    /// Blocks until every source thread ended (after `stop()` or another end).
    public func waitUntilFinished() {
        core.monitor.lock()
        while !core.finished { core.monitor.wait(millis: 100) }
        core.monitor.unlock()
    }
}

/// The shared state behind `LiveCapture`. Fields marked "Locked" are only touched with `monitor` held.
final class CaptureCore: @unchecked Sendable {
    let monitor = Monitor()
    let options: CaptureOptions
    let output: PacketRing
    /// Per-source buffers, only when several sources must be merged by time.
    let staging: [PacketRing]
    var workers: [SourceWorker] = []
    var stats: [CaptureSourceStats]
    var contexts: [CallbackContext?]
    /// Packets accepted into `output` (for the count limit).
    var accepted = 0
    var endReasonLocked: CaptureEndReason?
    var finished = false
    private var opened = 0
    private var failed: LiveCaptureError?
    private var go = false
    private var running: Int
    /// How long a source may lag behind another (see PacketMerger).
    let reorderNanos: UInt64

    init(options: CaptureOptions, sourceCount: Int) {
        self.options = options
        output = PacketRing(slots: options.bufferPackets, bytes: options.bufferBytes,
                            whenFull: options.retention == .latest ? .evictOldest : .dropNewest)
        staging = sourceCount > 1
            // Each holds the reorder window (~250 ms) at 300k+ packets/s; pages are only touched when used.
            ? (0..<sourceCount).map { _ in PacketRing(slots: 262_144, bytes: max(32 << 20, 4 * options.snapLength), whenFull: .dropNewest) }
            : []
        stats = Array(repeating: CaptureSourceStats(), count: sourceCount)
        contexts = Array(repeating: nil, count: sourceCount)
        running = sourceCount
        let lag = options.immediate ? 20 : 2 * options.timeoutMillis + 50
        reorderNanos = UInt64(lag) * 1_000_000
    }

    // MARK: start-up handshake

    /// Called by each worker after its open phase. Blocks until all workers opened; returns true to capture.
    func reportOpened() -> Bool {
        monitor.lock(); defer { monitor.unlock() }
        opened += 1
        for w in workers where w.openError != nil && failed == nil { failed = w.openError }
        monitor.broadcast()
        while !go && failed == nil { monitor.wait(millis: 1000) }
        return failed == nil
    }

    /// The starter: waits for every worker's open phase; nil when all are capturing.
    func awaitOpened() -> LiveCaptureError? {
        monitor.lock(); defer { monitor.unlock() }
        while opened < workers.count && failed == nil { monitor.wait(millis: 1000) }
        if failed == nil { go = true }
        monitor.broadcast()
        let f = failed
        if f != nil {
            // Wait for the others to close their handles, so a failed start leaves nothing behind.
            while !finished { monitor.wait(millis: 100) }
        }
        return f
    }

    func abortStart(expected: Int, started: Int) {
        monitor.lock()
        failed = failed ?? .openFailed(source: "capture", message: "thread creation failed")
        running -= (expected - started)
        if running <= 0 { finished = true }
        monitor.broadcast()
        monitor.unlock()
        while !monitor.locked({ finished }) { monitor.locked { monitor.wait(millis: 50) } }
    }

    func makeContext(for index: Int) -> CallbackContext {
        monitor.locked {
            let single = staging.isEmpty
            let ctx = CallbackContext(ring: single ? output : staging[index], source: index,
                                      limit: single ? options.count : nil, core: self)
            contexts[index] = ctx
            return ctx
        }
    }

    // MARK: capture-thread side (lock held)

    func updateStatsLocked(_ i: Int, _ pcap: (UInt32, UInt32, UInt32)?, _ ctx: CallbackContext) {
        if let (recv, drop, ifdrop) = pcap {
            stats[i].received = UInt64(recv); stats[i].kernelDropped = UInt64(drop); stats[i].interfaceDropped = UInt64(ifdrop)
        }
        stats[i].captured = ctx.captured
        stats[i].ringDropped = ctx.ringDropped
    }

    /// After a batch: keep the cheap counters current, merge what is old enough, check the count.
    func afterDispatchLocked(_ i: Int) {
        if let ctx = contexts[i] { stats[i].captured = ctx.captured; stats[i].ringDropped = ctx.ringDropped }
        if !staging.isEmpty { mergeLocked(final: false) }
        if let c = options.count, accepted >= c { endLocked(.countReached(c)) }
    }

    func mergeLocked(final: Bool) {
        guard !staging.isEmpty else { return }
        var watermark: PacketTimestamp? = nil
        if !final {
            let now = realtimeNow().totalNanoseconds
            watermark = PacketTimestamp(totalNanoseconds: now > reorderNanos ? now - reorderNanos : 0)
        }
        let room = options.count.map { max(0, $0 - accepted) } ?? .max
        let r = PacketMerger.merge(staging, into: output, through: watermark, limit: room)
        accepted += r.moved
        if let c = options.count, accepted >= c { endLocked(.countReached(c)) }
        if r.moved > 0 { monitor.broadcast() }
    }

    func end(_ reason: CaptureEndReason) {
        monitor.lock(); endLocked(reason); monitor.unlock()
    }

    func endLocked(_ reason: CaptureEndReason) {
        if endReasonLocked == nil { endReasonLocked = reason }
        for w in workers { w.wake() }
        monitor.broadcast()
    }

    func workerFinished(_ i: Int) {
        monitor.lock()
        running -= 1
        if running == 0 {
            if failed == nil && go { mergeLocked(final: true) }
            // Packets still staged after the count was reached are beyond the count (like packets tcpdump -c
            // never prints): released, not counted as drops.
            for ring in staging where !ring.isEmpty { ring.discard(through: ring.nextSequence) }
            if endReasonLocked == nil && go { endReasonLocked = .stopped }
            finished = true
            workers.removeAll()  // the workers held the core; nothing refers back now
        }
        monitor.broadcast()
        monitor.unlock()
    }

    // MARK: consumer side

    func read(after: UInt64, limit: Int) -> CaptureBatch {
        monitor.lock(); defer { monitor.unlock() }
        if output.whenFull == .dropNewest { output.discard(through: after) }
        // The consumer freed room: release staged packets that were waiting for it.
        if !staging.isEmpty && !finished { mergeLocked(final: false) }
        let first = max(after + 1, output.firstSequence)
        let missed = first - (after + 1)
        let last = output.nextSequence
        guard first < last else { return CaptureBatch(packets: [], missed: missed, lastSequence: max(after, last - 1)) }
        let n = Int(min(UInt64(max(1, limit)), last - first))
        var total = 0
        for s in first..<(first + UInt64(n)) { total += Int(output.record(s).capturedLength) }
        var storage = [UInt8]()
        storage.reserveCapacity(total)
        var meta: [(UInt64, PacketRecord, Int)] = []
        meta.reserveCapacity(n)
        for s in first..<(first + UInt64(n)) {
            let r = output.record(s)
            meta.append((s, r, storage.count))
            storage.append(contentsOf: output.bytes(of: r))
        }
        let packets = meta.map { s, r, off in
            LivePacket(sequence: s, timestamp: PacketTimestamp(seconds: r.seconds, nanoseconds: r.nanoseconds),
                       source: Int(r.source), originalLength: Int(r.originalLength),
                       data: storage[off..<(off + Int(r.capturedLength))])
        }
        return CaptureBatch(packets: packets, missed: missed, lastSequence: first + UInt64(n) - 1)
    }

    func consume(after: UInt64, limit: Int, _ visit: (LivePacketView) throws -> Void) rethrows -> UInt64 {
        monitor.lock(); defer { monitor.unlock() }
        if output.whenFull == .dropNewest { output.discard(through: after) }
        if !staging.isEmpty && !finished { mergeLocked(final: false) }
        var seq = max(after + 1, output.firstSequence)
        let end = min(output.nextSequence, seq + UInt64(max(1, limit)))
        while seq < end {
            let r = output.record(seq)
            try visit(LivePacketView(sequence: seq, timestamp: PacketTimestamp(seconds: r.seconds, nanoseconds: r.nanoseconds),
                                     source: Int(r.source), originalLength: Int(r.originalLength), bytes: output.bytes(of: r)))
            seq += 1
        }
        return max(after, seq - 1)
    }

    /// The sequence a sleeping consumer waits for (0: nobody waits).
    private var wakeAtSequence: UInt64 = 0

    func wait(after: UInt64, timeoutMillis: Int, minimumPackets: Int) -> Bool {
        monitor.lock(); defer { monitor.unlock() }
        if output.nextSequence - 1 > after || finished {
            if minimumPackets <= 1 || output.nextSequence - 1 >= after + UInt64(minimumPackets) || finished { return true }
        }
        wakeAtSequence = after + UInt64(max(1, minimumPackets))
        monitor.wait(millis: timeoutMillis)
        wakeAtSequence = 0
        return output.nextSequence - 1 > after || finished
    }

    /// Whether a capture thread should wake the consumer now: it waits for a sequence that is there, or the
    /// buffer is a quarter full (large packets fill bytes before counts).
    func consumerWantsWakeLocked() -> Bool {
        let last = output.nextSequence - 1
        return wakeAtSequence != 0 && (last >= wakeAtSequence || output.count * 4 >= output.slotCapacity
            || output.usedBytes * 4 >= output.byteCapacity)
    }
}
