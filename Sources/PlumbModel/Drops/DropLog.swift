/// The recent drops, oldest first, bounded by count and age: what the feed keeps so that callers can ask
/// "what was dropped in namespace X / for this flow in the last N ms". Pure: the caller says what time it is.
public struct DropLog: Sendable {
    public private(set) var capacity: Int
    /// Drops older than this are forgotten on the next append.
    public private(set) var retentionNanos: UInt64
    private var ring: [PacketDrop] = []
    private var start = 0   // index of the oldest drop once the ring is full
    /// Drops appended over the log's life, including those since forgotten.
    public private(set) var appended: UInt64 = 0

    public init(capacity: Int = 100_000, retentionMillis: Int = 60_000) {
        self.capacity = max(1, capacity)
        self.retentionNanos = UInt64(max(1, retentionMillis)) * 1_000_000
        ring.reserveCapacity(min(self.capacity, 4096))
    }

    public var count: Int { ring.count }

    public mutating func append(_ drop: PacketDrop) {
        appended += 1
        if ring.count < capacity {
            ring.append(drop)
        } else {
            ring[start] = drop
            start = (start + 1) % capacity
        }
    }

    public mutating func append(contentsOf drops: [PacketDrop]) {
        for d in drops { append(d) }
    }

    /// The drops held, oldest first.
    public var all: [PacketDrop] {
        start == 0 ? ring : Array(ring[start...] + ring[..<start])
    }

    /// The drops `query` matches, oldest first; `nowNanos` is CLOCK_MONOTONIC now (for `lastMillis`).
    public func drops(_ query: DropQuery, nowNanos: UInt64) -> [PacketDrop] {
        let cutoff = cutoff(query.lastMillis, nowNanos: nowNanos)
        var out: [PacketDrop] = []
        forEachNewestFirst { d in
            guard d.monotonicNanos >= cutoff else { return false }
            if query.matches(d) { out.append(d) }
            return true
        }
        return out.reversed()
    }

    /// How many drops `query` matches (without copying them).
    public func count(_ query: DropQuery, nowNanos: UInt64) -> Int {
        let cutoff = cutoff(query.lastMillis, nowNanos: nowNanos)
        var n = 0
        forEachNewestFirst { d in
            guard d.monotonicNanos >= cutoff else { return false }
            if query.matches(d) { n += 1 }
            return true
        }
        return n
    }

    /// Forgets drops older than the retention (a log nobody appends to still ages out through this).
    public mutating func expire(nowNanos: UInt64) {
        let cutoff = nowNanos > retentionNanos ? nowNanos - retentionNanos : 0
        // Nothing to forget (the oldest is recent enough): no copy of the ring, which runs every second.
        guard let oldest = ring.isEmpty ? nil : ring[start], oldest.monotonicNanos < cutoff else { return }
        let kept = all.drop(while: { $0.monotonicNanos < cutoff })
        if kept.count != ring.count { ring = Array(kept); start = 0 }
    }

    private func cutoff(_ lastMillis: Int?, nowNanos: UInt64) -> UInt64 {
        guard let lastMillis else { return 0 }
        let span = UInt64(max(0, lastMillis)) * 1_000_000
        return nowNanos > span ? nowNanos - span : 0
    }

    /// Visits drops newest first while `body` returns true (drops arrive in time order per CPU, and the
    /// readers merge a poll's batch in time order, so the first too-old drop ends the walk).
    private func forEachNewestFirst(_ body: (PacketDrop) -> Bool) {
        let n = ring.count
        var i = 0
        while i < n {
            let idx = (start + n - 1 - i) % n
            if !body(ring[idx]) { return }
            i += 1
        }
    }
}
