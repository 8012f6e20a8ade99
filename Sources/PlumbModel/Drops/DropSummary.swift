/// `plumb drops --for`'s answer and the TUI's Drops tab: the drops of a period counted per namespace × reason ×
/// location, with rates and each group's most dropped 5-tuples.
public struct DropSummary: Sendable, Hashable {
    public struct Group: Sendable, Hashable {
        public var namespace: String
        public var netnsInode: UInt64?
        public var reason: String
        public var location: String
        public var interfaces: [String]
        public var count: Int
        /// Drops per second over the summary's period.
        public var rate: Double
        public var topFlows: [FlowCount]
    }
    public struct FlowCount: Sendable, Hashable {
        public var flow: DropFlow
        public var count: Int
    }

    public var seconds: Double
    public var total: Int
    /// Drops the watcher could not deliver (ring buffer full, reader behind).
    public var lost: UInt64
    public var groups: [Group]

    /// Groups `drops` seen over `seconds`; groups sorted by count (then namespace, reason, location), top
    /// flows by count, at most `topFlows` per group.
    public init(drops: [PacketDrop], seconds: Double, lost: UInt64 = 0, topFlows: Int = 5) {
        struct Key: Hashable { var ns: String; var inode: UInt64?; var reason: String; var location: String }
        var counts: [Key: Int] = [:]
        var flows: [Key: [DropFlow: Int]] = [:]
        var interfaces: [Key: Set<String>] = [:]
        for d in drops {
            let k = Key(ns: d.namespaceLabel, inode: d.netnsInode, reason: d.reason.name, location: d.location.function)
            counts[k, default: 0] += 1
            if let f = d.flow { flows[k, default: [:]][f, default: 0] += 1 }
            if let i = d.interface, !i.isEmpty { interfaces[k, default: []].insert(i) }
        }
        let period = max(seconds, 0.001)
        self.seconds = seconds
        self.total = drops.count
        self.lost = lost
        self.groups = counts.map { k, n in
            Group(namespace: k.ns, netnsInode: k.inode, reason: k.reason, location: k.location,
                  interfaces: (interfaces[k] ?? []).sorted(), count: n, rate: Double(n) / period,
                  topFlows: Self.top(flows[k] ?? [:], limit: topFlows))
        }.sorted {
            (-$0.count, $0.namespace, $0.reason, $0.location) < (-$1.count, $1.namespace, $1.reason, $1.location)
        }
    }

    /// The `limit` most dropped flows, by count, ties by their text. Each flow's text is made once, and only
    /// for flows whose count can still make the cut: the TUI summarises the 10 s window four times a second,
    /// and sorting thousands of one-packet flows with the text built inside the comparator took a third of a
    /// core on a busy host.
    static func top(_ counted: [DropFlow: Int], limit: Int) -> [FlowCount] {
        guard limit > 0, !counted.isEmpty else { return [] }
        let counts = counted.values.sorted(by: >)
        let cut = counts[min(limit, counts.count) - 1]
        return counted.filter { $0.value >= cut }
            .map { (flow: $0.key, count: $0.value, text: $0.key.description) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.text < $1.text }
            .prefix(limit)
            .map { FlowCount(flow: $0.flow, count: $0.count) }
    }
}
