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
/// The live view reads only the counters on screen: a link is sampled only when its counters were read, a link
/// not read at the last record has no rate (an old one would be shown as current), and a link that missed a
/// read starts over when it is read again (its first rate spans one interval, not the time it was away).
public struct RateHistory: Sendable, Equatable {
    public let capacity: Int
    /// Each link's ring in `slots`.
    private var ring: [LinkID: Int] = [:]
    private var slots: SampleSlots
    /// How many links of each namespace have samples: a record that sampled as many links of a namespace as
    /// it has rings saw none of them vanish, without looking at every ring.
    private var perNamespace: [UInt64: Int] = [:]
    /// The namespaces of the last snapshot recorded, in order: while they stay the same, none vanished.
    private var namespaceIDs: [UInt64] = []
    /// Counts the records: each ring remembers the last one that sampled it.
    private var stamp: UInt64 = 0
    /// Per namespace, the rings of its links in the order of the last snapshot's links (`record`).
    private var linkRings: [UInt64: [Int]] = [:]
    /// The time of the newest record: a link sampled before it was not read then.
    private var lastRecord = -Double.infinity

    public init(capacity: Int = 60) {
        self.capacity = max(2, capacity)
        slots = SampleSlots(capacity: self.capacity)
    }

    /// Every link's samples, oldest first.
    public var samples: [LinkID: [LinkSample]] { ring.mapValues { slots.ordered($0) } }

    /// The same samples (not the same storage or bookkeeping).
    public static func == (a: RateHistory, b: RateHistory) -> Bool {
        a.capacity == b.capacity && a.samples == b.samples
    }

    /// The ring of `id`, made when it has none (counted in `added`).
    private mutating func ring(for id: LinkID, added: inout Int) -> Int {
        if let k = ring[id] { return k }
        let r = slots.add(id)
        ring[id] = r
        added += 1
        return r
    }

    /// Appends one sample per link of `snapshot` (at `snapshot.takenAt`) and forgets links that vanished.
    /// With `only`, samples only the links of those namespaces: the live view reads counters of the
    /// namespaces on screen, and the others' older counters must not look like a drop to zero. Of the
    /// namespaces in `links`, only those links are sampled (the others' counters were not read), and none of
    /// their links is forgotten.
    public mutating func record(_ snapshot: Snapshot, only: Set<UInt64>? = nil, links partial: [UInt64: Set<Int>] = [:]) {
        // Updates made from kernel events alone read no counters (`only` empty): nothing to sample.
        if let only, only.isEmpty { return }
        stamp &+= 1
        let stamp = self.stamp, time = snapshot.takenAt
        let since = lastRecord
        lastRecord = max(lastRecord, time)
        // Whether some sampled namespace has rings this record did not sample (a link vanished).
        var vanished = false
        var ids: [UInt64] = []
        ids.reserveCapacity(snapshot.namespaces.count)
        // Through the buffer: iterating the namespaces by value copies each one (14 retains), every second.
        snapshot.namespaces.withUnsafeBufferPointer { all in
            for n in all.indices {
                let nsid = all[n].id
                ids.append(nsid)
                guard only?.contains(nsid) ?? true else { continue }
                var sampled = 0, added = 0
                if let some = partial[nsid] {
                    // Some links only (a few dozen of the host's 500): looked up by id, the order kept as it was.
                    all[n].links.withUnsafeBufferPointer { links in
                        for l in links.indices where some.contains(links[l].index) {
                            let r = ring(for: LinkID(namespace: nsid, index: links[l].index), added: &added)
                            slots.record(LinkSample(time: time, stats: links[l].stats), in: r, stamp: stamp, since: since)
                        }
                    }
                    if added > 0 { perNamespace[nsid, default: 0] += added }
                    continue
                }
                // The rings in the order of this namespace's links last time: while its links are the same, no
                // lookup by id (hashing 511 ids every second). `order` is made only when they differ.
                let known = linkRings[nsid] ?? []
                var order: [Int]?
                all[n].links.withUnsafeBufferPointer { links in
                    for l in links.indices {
                        let id = LinkID(namespace: nsid, index: links[l].index)
                        let r: Int
                        if order == nil, l < known.count, slots.rings[known[l]].id == id {
                            r = known[l]
                        } else {
                            if order == nil { order = Array(known.prefix(l)) }
                            r = ring(for: id, added: &added)
                            order!.append(r)
                        }
                        slots.record(LinkSample(time: time, stats: links[l].stats), in: r, stamp: stamp, since: since)
                        sampled += 1
                    }
                }
                if order == nil && known.count != sampled { order = Array(known.prefix(sampled)) }
                if let order { linkRings[nsid] = order }
                if added > 0 { perNamespace[nsid, default: 0] += added }
                if (perNamespace[nsid] ?? 0) != sampled { vanished = true }
            }
        }
        // Forget links that vanished: everywhere after a full read, within the sampled namespaces otherwise.
        if vanished {
            forget { $0.stamp != stamp && (only?.contains($0.id.namespace) ?? true) && partial[$0.id.namespace] == nil }
        }
        // And the links of namespaces that vanished (none did while the namespaces are the same).
        if ids != namespaceIDs {
            let alive = Set(ids)
            forget { !alive.contains($0.id.namespace) }
            namespaceIDs = ids
        }
    }

    private mutating func forget(where gone: (SampleSlots.Ring) -> Bool) {
        // The ids first: removing while iterating would iterate a copy of the whole dictionary.
        for (id, r) in ring.filter({ gone(slots.rings[$0.value]) }) {
            ring[id] = nil
            slots.remove(r)
            linkRings[id.namespace] = nil  // it names a ring that is gone
            perNamespace[id.namespace, default: 1] -= 1
            if perNamespace[id.namespace] == 0 { perNamespace[id.namespace] = nil }
        }
    }

    /// The ring of `id` when the newest record read it (an older one says nothing about now).
    private func current(_ id: LinkID) -> Int? {
        guard let r = ring[id], slots.rings[r].lastTime >= lastRecord else { return nil }
        return r
    }

    /// The last two samples of `id`, when it has two.
    private func lastTwo(_ id: LinkID) -> (LinkSample, LinkSample)? {
        guard let r = current(id) else { return nil }
        let n = slots.rings[r].count
        return n >= 2 ? (slots.sample(r, n - 2), slots.sample(r, n - 1)) : nil
    }

    public func rates(_ id: LinkID) -> LinkRates? {
        guard let (a, b) = lastTwo(id) else { return nil }
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
        guard let r = current(id) else { return [] }
        let s = slots.ordered(r)
        guard s.count >= 2 else { return [] }
        return (1..<s.count).map { i in
            let dt = s[i].time - s[i - 1].time
            guard dt > 0 else { return 0 }
            return Double(Self.growth(s[i].stats[keyPath: counter], s[i - 1].stats[keyPath: counter])) / dt
        }
    }

    public func growth(_ id: LinkID) -> CounterGrowth? {
        lastTwo(id).map { Self.growth(from: $0.0.stats, to: $0.1.stats) }
    }

    static func growth(from a: LinkStats, to b: LinkStats) -> CounterGrowth {
        CounterGrowth(rxErrors: growth(b.rxErrors, a.rxErrors), txErrors: growth(b.txErrors, a.txErrors),
                      rxDropped: growth(b.rxDropped, a.rxDropped), txDropped: growth(b.txDropped, a.txDropped))
    }

    /// A counter that went down was reset (link recreated with the same index): count from zero.
    private static func growth(_ now: UInt64, _ before: UInt64) -> UInt64 { now >= before ? now - before : now }
}

