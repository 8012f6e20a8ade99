/// How full a namespace's conntrack table is: the entries against nf_conntrack_max, and whether entries
/// carry counters (net.netfilter.nf_conntrack_acct).
public struct ConntrackUsage: Sendable, Hashable, Codable {
    /// Entries in the table now (nf_conntrack_count).
    public var count: Int
    /// The table's limit (nf_conntrack_max); nil when the kernel does not report it.
    public var max: Int?
    /// nf_conntrack_acct of the namespace; nil when it could not be read.
    public var accounting: Bool?

    public init(count: Int, max: Int?, accounting: Bool?) {
        self.count = count; self.max = max; self.accounting = accounting
    }

    /// count / max, 0…1 (nil without a max).
    public var fill: Double? {
        guard let max, max > 0 else { return nil }
        return Double(count) / Double(max)
    }
}

/// One namespace's conntrack table: its entries and how full it is.
public struct ConntrackTable: Sendable, Hashable {
    public var entries: [ConntrackEntry]
    public var usage: ConntrackUsage

    public init(entries: [ConntrackEntry], usage: ConntrackUsage) {
        self.entries = entries; self.usage = usage
    }
}
