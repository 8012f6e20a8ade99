/// What a doctor fix would change, judged before it is offered: the trace's netfilter evaluator (with the
/// namespace's routes, forwarding switches and link states) walks a catalog of flows — every container subnet's
/// way out, its way in, its way to the other bridges, every published port, the host's way to each container —
/// on the snapshot as it is and on the snapshot with the fix's plan applied in memory. The flows the finding is
/// about must come out healthy; any other flow whose outcome changes is listed, and the fix is then not offered
/// (`plumb doctor --fix ID --force` and the TUI's second confirmation apply it anyway).
public struct FixImpact: Codable, Sendable, Equatable {
    /// One flow whose outcome differs, or one the finding concerns.
    public struct Flow: Codable, Sendable, Equatable {
        /// The namespace whose rules and routes decide it.
        public var namespace: UInt64
        /// "tcp 10.213.110.2:40000 → 198.51.100.7:443 (c1 out of br0 via eth0)".
        public var flow: String
        /// The outcome before and after the fix, in words ("dropped by policy of filter/FORWARD",
        /// "forwarded out eth0, source → 10.213.117.2").
        public var before: String
        public var after: String
        /// Whether the finding is about this flow.
        public var concerned: Bool
        /// For a concerned flow: whether it works after the fix (nil: no expectation for this kind of flow).
        public var healthyAfter: Bool?
        /// The flow's packet as values, for a live trace of it (the TUI's `t` on a finding): "tcp", "udp",
        /// "icmp"; the source and destination addresses; the destination port (nil for ICMP).
        public var proto: String?
        public var source: String?
        public var destination: String?
        public var destinationPort: UInt16?

        public init(namespace: UInt64, flow: String, before: String, after: String, concerned: Bool, healthyAfter: Bool? = nil) {
            self.namespace = namespace; self.flow = flow; self.before = before; self.after = after
            self.concerned = concerned; self.healthyAfter = healthyAfter
        }

        public var changed: Bool { before != after }
    }

    /// How many flows were evaluated before and after.
    public var flowsCompared: Int
    /// The flows the finding concerns (changed or not), then every other flow that changes.
    public var flows: [Flow]
    /// Whether the concerned flows work after the fix; nil when no evaluated flow concerns the finding (a fix
    /// of an MTU, a leftover, a conntrack entry: nothing the evaluator models changes).
    public var mends: Bool?
    /// false: the fix changes flows it is not about, or does not mend the one it is about.
    public var offered: Bool
    /// Why it is not offered, in one sentence.
    public var reason: String?
    /// Plan steps the comparison does not model ("set the MTU of vethA to 1500").
    public var notModelled: [String]

    public init(flowsCompared: Int, flows: [Flow], mends: Bool?, offered: Bool, reason: String? = nil, notModelled: [String] = []) {
        self.flowsCompared = flowsCompared; self.flows = flows; self.mends = mends; self.offered = offered
        self.reason = reason; self.notModelled = notModelled
    }

    /// The flows that change although the finding is not about them.
    public var sideEffects: [Flow] { flows.filter { !$0.concerned && $0.changed } }
}
