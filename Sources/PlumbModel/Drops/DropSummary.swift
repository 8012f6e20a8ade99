/// `plumb drops --for`'s answer and the TUI's Drops tab: the drops of a period counted per namespace × reason ×
/// location, with rates and each group's most dropped 5-tuples. Made from a `DropWindow`'s counts.
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
    /// Drops counted whose 5-tuple was not kept (more distinct flows a second than `DropWindow.Limits` keeps, or
    /// counted by the kernel as a tally, which keeps only its newest drop's): the counts are exact, the top flows
    /// are of the others.
    public var flowsNotKept: Int

    public init(seconds: Double, total: Int, lost: UInt64, groups: [Group], flowsNotKept: Int = 0) {
        self.seconds = seconds; self.total = total; self.lost = lost; self.groups = groups
        self.flowsNotKept = flowsNotKept
    }

    /// Groups `drops` seen over `seconds`; groups sorted by count (then namespace, reason, location), top
    /// flows by count, at most `topFlows` per group. Every drop is counted (a window that never forgets).
    public init(drops: [PacketDrop], seconds: Double, lost: UInt64 = 0, topFlows: Int = 5,
                limits: DropWindow.Limits = .wholePeriod) {
        var window = DropWindow(seconds: nil, limits: limits)
        window.record(contentsOf: drops)
        self = window.summary(seconds: seconds, lost: lost, topFlows: topFlows)
    }

    /// The `limit` most dropped flows, by count, ties by their text. One pass keeps the best `limit` in order;
    /// a flow's text is made (once, then kept in `texts`) only when its count can still make the cut. On a host
    /// whose drops are hundreds of one-packet flows every flow ties at the cut, so sorting them all by text, as
    /// this did, cost most of the idle TUI's drops time; the pass costs `limit` comparisons a flow at most.
    static func top(_ counted: [DropFlow: Int], limit: Int) -> [FlowCount] {
        var texts: [DropFlow: String] = [:]
        return top(counted, limit: limit, texts: &texts)
    }

    /// The same, with the texts made before kept in `texts` (and the new ones added).
    static func top(_ counted: [DropFlow: Int], limit: Int, texts: inout [DropFlow: String]) -> [FlowCount] {
        top(counted, limit: limit, flowAndCount: { ($0.key, $0.value) }) { flow, _ in
            if let known = texts[flow.key] { return known }
            let text = flow.key.description
            texts[flow.key] = text
            return text
        }
    }

    /// The same over any candidates (the window's flow entries): `text` gives a candidate's flow's text, asked
    /// only for those whose count can still make the cut (the window keeps them with its entries).
    static func top<S: Sequence>(_ candidates: S, limit: Int, flowAndCount: (S.Element) -> (DropFlow, Int),
                                 text: (S.Element, DropFlow) -> String) -> [FlowCount] {
        guard limit > 0 else { return [] }
        var best: [(flow: DropFlow, count: Int, text: String)] = []
        best.reserveCapacity(limit + 1)
        for c in candidates {
            let (flow, count) = flowAndCount(c)
            if best.count == limit, count < best[limit - 1].count { continue }
            let text = text(c, flow)
            // Where it goes among the best: after every one with a higher count, or the same count and a text
            // that sorts before (or equal: the earlier one stays first).
            var at = best.count
            while at > 0, best[at - 1].count < count || (best[at - 1].count == count && best[at - 1].text > text) {
                at -= 1
            }
            if at >= limit { continue }
            best.insert((flow, count, text), at: at)
            if best.count > limit { best.removeLast() }
        }
        return best.map { FlowCount(flow: $0.flow, count: $0.count) }
    }
}
