import PlumbModel

/// Counter samples of one link at one moment.
public struct LinkSample: Sendable, Equatable {
    public var time: Double
    public var stats: LinkStats
    public init(time: Double, stats: LinkStats) { self.time = time; self.stats = stats }
}

/// Per-second rates over the last interval.
public struct LinkRates: Sendable, Equatable {
    public var rxBytes: Double
    public var txBytes: Double
    public var rxPackets: Double
    public var txPackets: Double
}

/// How much errors and drops grew between the last two samples (0 when they did not).
public struct CounterGrowth: Sendable, Equatable {
    public var rxErrors: UInt64 = 0
    public var txErrors: UInt64 = 0
    public var rxDropped: UInt64 = 0
    public var txDropped: UInt64 = 0
    public var any: Bool { rxErrors + txErrors + rxDropped + txDropped > 0 }
}

/// The last `capacity` counter samples of every link, fed one snapshot at a time by the refresh loop.
/// Rates come from consecutive samples, so they need no clock of their own and tests are deterministic.
public struct RateHistory: Sendable, Equatable {
    public let capacity: Int
    public private(set) var samples: [LinkID: [LinkSample]] = [:]

    public init(capacity: Int = 60) { self.capacity = max(2, capacity) }

    /// Appends one sample per link of `snapshot` (at `snapshot.takenAt`) and forgets links that vanished.
    /// With `only`, samples only the links of those namespaces: the live view reads counters of the
    /// namespaces on screen, and the others' older counters must not look like a drop to zero.
    public mutating func record(_ snapshot: Snapshot, only: Set<UInt64>? = nil) {
        // Updates made from kernel events alone read no counters (`only` empty): nothing to sample.
        if let only, only.isEmpty { return }
        var seen = Set<LinkID>()
        // Through the buffer: iterating the namespaces by value copies each one (14 retains), every second.
        snapshot.namespaces.withUnsafeBufferPointer { all in
            for n in all.indices where only?.contains(all[n].id) ?? true {
                let nsid = all[n].id
                all[n].links.withUnsafeBufferPointer { links in
                    for l in links.indices {
                        let id = LinkID(namespace: nsid, index: links[l].index)
                        seen.insert(id)
                        append(LinkSample(time: snapshot.takenAt, stats: links[l].stats), to: id)
                    }
                }
            }
        }
        // Forget links that vanished: everywhere after a full read, within the sampled namespaces otherwise.
        for id in samples.keys where !seen.contains(id) && (only?.contains(id.namespace) ?? true) { samples[id] = nil }
        if only != nil {
            let alive = snapshot.namespaces.withUnsafeBufferPointer { all in Set(all.indices.map { all[$0].id }) }
            for id in samples.keys where !alive.contains(id.namespace) { samples[id] = nil }
        }
    }

    /// One lookup per link: the history is modified in place, capped at `capacity` samples.
    private mutating func append(_ sample: LinkSample, to id: LinkID) {
        samples[id, default: []].appendIfNewer(sample, capacity: capacity)
    }

    public func rates(_ id: LinkID) -> LinkRates? {
        guard let s = samples[id], s.count >= 2 else { return nil }
        let a = s[s.count - 2], b = s[s.count - 1]
        let dt = b.time - a.time
        guard dt > 0 else { return nil }
        func r(_ k: KeyPath<LinkStats, UInt64>) -> Double {
            Double(Self.growth(b.stats[keyPath: k], a.stats[keyPath: k])) / dt
        }
        return LinkRates(rxBytes: r(\.rxBytes), txBytes: r(\.txBytes), rxPackets: r(\.rxPackets),
                         txPackets: r(\.txPackets))
    }

    /// Per-second rates of one counter between consecutive samples, oldest first (count - 1 values).
    public func series(_ id: LinkID, _ counter: KeyPath<LinkStats, UInt64>) -> [Double] {
        guard let s = samples[id], s.count >= 2 else { return [] }
        return (1..<s.count).map { i in
            let dt = s[i].time - s[i - 1].time
            guard dt > 0 else { return 0 }
            return Double(Self.growth(s[i].stats[keyPath: counter], s[i - 1].stats[keyPath: counter])) / dt
        }
    }

    public func growth(_ id: LinkID) -> CounterGrowth? {
        guard let s = samples[id], s.count >= 2 else { return nil }
        return Self.growth(from: s[s.count - 2].stats, to: s[s.count - 1].stats)
    }

    static func growth(from a: LinkStats, to b: LinkStats) -> CounterGrowth {
        CounterGrowth(rxErrors: growth(b.rxErrors, a.rxErrors), txErrors: growth(b.txErrors, a.txErrors),
                      rxDropped: growth(b.rxDropped, a.rxDropped), txDropped: growth(b.txDropped, a.txDropped))
    }

    /// A counter that went down was reset (link recreated with the same index): count from zero.
    private static func growth(_ now: UInt64, _ before: UInt64) -> UInt64 { now >= before ? now - before : now }
}

private extension Array where Element == LinkSample {
    /// Appends unless the last sample is as new (the same snapshot recorded twice), then drops the oldest.
    mutating func appendIfNewer(_ sample: LinkSample, capacity: Int) {
        if let last = last, last.time >= sample.time { return }
        append(sample)
        if count > capacity { removeFirst(count - capacity) }
    }
}
