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
            let top = (flows[k] ?? [:]).map { FlowCount(flow: $0.key, count: $0.value) }
                .sorted { $0.count != $1.count ? $0.count > $1.count : $0.flow.description < $1.flow.description }
            return Group(namespace: k.ns, netnsInode: k.inode, reason: k.reason, location: k.location,
                         interfaces: (interfaces[k] ?? []).sorted(), count: n, rate: Double(n) / period,
                         topFlows: Array(top.prefix(topFlows)))
        }.sorted {
            (-$0.count, $0.namespace, $0.reason, $0.location) < (-$1.count, $1.namespace, $1.reason, $1.location)
        }
    }
}
