/// What the TUI shows of the drops feed over a recent window: drop rates per namespace and per interface (the
/// badges), the per namespace × reason × location summary (the Drops tab), and which reader is used.
public struct DropActivity: Sendable, Hashable {
    /// Names an interface in a namespace (nsfs inode, interface name).
    public struct InterfaceKey: Sendable, Hashable {
        public var namespace: UInt64
        public var interface: String
        public init(namespace: UInt64, interface: String) { self.namespace = namespace; self.interface = interface }
    }

    /// "bpf" or "tracepoint".
    public var mode: String
    /// Why drops are host-wide or not watched (the fallback's reason, a start error).
    public var note: String?
    public var windowSeconds: Double
    /// Drops per second in the window, by namespace inode (drops without a namespace are not here).
    public var perNamespace: [UInt64: Double]
    public var perInterface: [InterfaceKey: Double]
    public var summary: DropSummary
    /// False: `summary` has its total and losses but no groups (the TUI makes the groups only while the Drops tab
    /// is open: ranking hundreds of groups' flows every second for a closed tab was most of an idle TUI's drops
    /// cost on a host whose bridges drop IPv6 multicast all the time).
    public var hasGroups: Bool

    /// The window's counts over `windowSeconds`; `names` names namespaces whose drops came without a name.
    /// `groups` false leaves the summary's groups out; `topFlows` is the flows kept per group.
    public init(window: inout DropWindow, windowSeconds: Double, mode: String, note: String? = nil, lost: UInt64 = 0,
                names: [UInt64: String] = [:], groups: Bool = true, topFlows: Int = 5) {
        let period = max(windowSeconds, 0.001)
        var ns: [UInt64: Int] = [:], ifs: [InterfaceKey: Int] = [:]
        // Sized once for the window's details (at most one namespace and one interface each): grown by doubling,
        // rehashing them was a third of this every second on a host dropping multicast in 500 namespaces.
        ns.reserveCapacity(window.detailCapacity)
        ifs.reserveCapacity(window.detailCapacity)
        window.forEachCounted { identity, _, count in
            guard let inode = identity.inode else { return }
            ns[inode, default: 0] += count
            if let i = identity.interface, !i.isEmpty { ifs[InterfaceKey(namespace: inode, interface: i), default: 0] += count }
        }
        self.mode = mode
        self.note = note
        self.windowSeconds = windowSeconds
        self.perNamespace = ns.mapValues { Double($0) / period }
        self.perInterface = ifs.mapValues { Double($0) / period }
        self.summary = window.summary(seconds: windowSeconds, lost: lost, topFlows: topFlows, names: names, groups: groups)
        self.hasGroups = groups
    }

    /// `drops` (all of them counted) over `windowSeconds`.
    public init(drops: [PacketDrop], windowSeconds: Double, mode: String, note: String? = nil, lost: UInt64 = 0) {
        var window = DropWindow(seconds: nil, limits: .wholePeriod)
        window.record(contentsOf: drops)
        self.init(window: &window, windowSeconds: windowSeconds, mode: mode, note: note, lost: lost)
    }

    /// No drops watched yet (the feed could not start): `note` says why.
    public static func unavailable(_ note: String) -> DropActivity {
        DropActivity(drops: [], windowSeconds: 0, mode: "none", note: note)
    }

    public var isWatching: Bool { mode == "bpf" || mode == "tracepoint" }
}

/// The doctor's live evidence: a finding about a namespace (or a link in it) gains a line saying how often the
/// kernel dropped packets there recently, and why: "dropped 1,204 times in the last 10 s, reason
/// NETFILTER_DROP in nft_do_chain".
public enum DropEvidence {
    /// The line for `drops` (already narrowed to the window), or nil when none.
    public static func line(_ drops: [PacketDrop], seconds: Int) -> String? {
        var groups: [ReasonAt: Int] = [:]
        for d in drops { groups[ReasonAt(reason: d.reason.name, location: d.location.function), default: 0] += 1 }
        return line(groups, seconds: seconds)
    }

    /// A reason and the function it was dropped in.
    struct ReasonAt: Hashable {
        var reason: String
        var location: String
    }

    /// The line for drops counted per reason and location: the most frequent first (ties by reason, location).
    static func line(_ groups: [ReasonAt: Int], seconds: Int) -> String? {
        let total = groups.values.reduce(0, +)
        guard total > 0 else { return nil }
        let top = groups.sorted {
            ($0.value != $1.value) ? $0.value > $1.value : ($0.key.reason, $0.key.location) < ($1.key.reason, $1.key.location)
        }
        let first = top[0].key
        let times = total == 1 ? "once" : "\(DropCounts.grouped(total)) times"
        var s = "dropped \(times) in the last \(seconds) s, reason \(first.reason) in \(first.location)"
        if top.count > 1 { s += " (and \(top.count - 1) other reason\(top.count > 2 ? "s" : ""))" }
        return s
    }

    /// `findings` with a live line added to each whose namespaces (or links) dropped packets in `drops`: a
    /// namespace subject counts every drop in it, a link subject the drops on that interface; a drop counts once.
    public static func annotate(_ findings: [Finding], drops: [PacketDrop], seconds: Int) -> [Finding] {
        var window = DropWindow(seconds: nil, limits: .init(flowsPerGroup: 0, flowsPerSlot: 0))
        window.record(contentsOf: drops)
        return annotate(findings, window: window, seconds: seconds)
    }

    /// The same from a window's counts (the TUI's): the cost is that of the window's groups, not of its drops.
    public static func annotate(_ findings: [Finding], window: DropWindow, seconds: Int) -> [Finding] {
        guard !window.isEmpty, !findings.isEmpty else { return findings }
        // The window's rows of the findings' namespaces, once for all findings (a host dropping multicast in 500
        // namespaces has thousands of rows; the findings name a few namespaces).
        struct Row { var interface: String?; var reasonAt: ReasonAt; var count: Int }
        let wanted = Set(findings.lazy.flatMap { $0.subjects.lazy.map(\.namespace) })
        var byNamespace: [UInt64: [Row]] = [:]
        window.forEachCounted { identity, group, count in
            guard let inode = identity.inode, wanted.contains(inode) else { return }
            let (reason, function) = window.reasonAndFunction(ofGroup: group)
            byNamespace[inode, default: []].append(Row(interface: identity.interface,
                                                       reasonAt: ReasonAt(reason: reason, location: function), count: count))
        }
        return findings.map { f in
            var whole = Set<UInt64>(), links: [UInt64: Set<String>] = [:]
            for s in f.subjects {
                if s.kind == .link && !s.name.isEmpty { links[s.namespace, default: []].insert(s.name) } else { whole.insert(s.namespace) }
            }
            var groups: [ReasonAt: Int] = [:]
            for ns in whole.union(links.keys) {
                for c in byNamespace[ns] ?? [] {
                    guard whole.contains(ns) || c.interface.map({ links[ns]?.contains($0) == true }) == true else { continue }
                    groups[c.reasonAt, default: 0] += c.count
                }
            }
            guard let line = line(groups, seconds: seconds) else { return f }
            var g = f
            g.evidence.append("live: " + line)
            return g
        }
    }
}

/// Drops as lines of the TUI's events log ("what just broke it"): new drops grouped by namespace, reason,
/// location and interface, one event per group with its count and the last 5-tuple.
public enum DropEvents {
    public static func events(_ drops: [PacketDrop]) -> [ChangeEvent] {
        var window = DropWindow(seconds: nil, limits: .init(flowsPerGroup: 0, flowsPerSlot: 0))
        window.record(contentsOf: drops)
        return window.takeEvents()
    }
}
