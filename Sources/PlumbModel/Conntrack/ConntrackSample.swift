/// One read of a namespace's conntrack table, with what changed since the read before it: entries that
/// appeared and went per second (told apart by the kernel's entry id) and each entry's bytes per second
/// (when accounting is on). The TUI's Conntrack tab shows it.
public struct ConntrackSample: Sendable, Equatable {
    public var namespace: UInt64
    public var table: ConntrackTable
    /// Seconds (any monotonic origin) when it was read.
    public var time: Double
    /// nil for the first read of a namespace.
    public var newPerSecond: Double?
    public var destroyedPerSecond: Double?
    /// Bytes per second of each entry seen in both reads, by entry id.
    public var byteRates: [UInt32: Double]

    public init(namespace: UInt64, table: ConntrackTable, time: Double, newPerSecond: Double? = nil,
                destroyedPerSecond: Double? = nil, byteRates: [UInt32: Double] = [:]) {
        self.namespace = namespace; self.table = table; self.time = time
        self.newPerSecond = newPerSecond; self.destroyedPerSecond = destroyedPerSecond; self.byteRates = byteRates
    }

    /// The sample for `table`, with rates against `previous` when that was the same namespace, earlier.
    public static func next(after previous: ConntrackSample?, namespace: UInt64, table: ConntrackTable,
                            time: Double) -> ConntrackSample {
        var sample = ConntrackSample(namespace: namespace, table: table, time: time)
        guard let previous, previous.namespace == namespace, time > previous.time else { return sample }
        let seconds = time - previous.time
        var before: [UInt32: UInt64] = [:]
        before.reserveCapacity(previous.table.entries.count)
        for e in previous.table.entries { before[e.id] = e.counters?.bytes ?? 0 }
        var kept = 0
        for e in table.entries {
            guard let old = before[e.id] else { continue }
            kept += 1
            if let now = e.counters?.bytes, now >= old { sample.byteRates[e.id] = Double(now - old) / seconds }
        }
        sample.newPerSecond = Double(table.entries.count - kept) / seconds
        sample.destroyedPerSecond = Double(previous.table.entries.count - kept) / seconds
        return sample
    }
}
