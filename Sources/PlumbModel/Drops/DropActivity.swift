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

    public init(drops: [PacketDrop], windowSeconds: Double, mode: String, note: String? = nil, lost: UInt64 = 0) {
        let period = max(windowSeconds, 0.001)
        var ns: [UInt64: Int] = [:], ifs: [InterfaceKey: Int] = [:]
        for d in drops {
            guard let inode = d.netnsInode else { continue }
            ns[inode, default: 0] += 1
            if let i = d.interface, !i.isEmpty { ifs[InterfaceKey(namespace: inode, interface: i), default: 0] += 1 }
        }
        self.mode = mode
        self.note = note
        self.windowSeconds = windowSeconds
        self.perNamespace = ns.mapValues { Double($0) / period }
        self.perInterface = ifs.mapValues { Double($0) / period }
        self.summary = DropSummary(drops: drops, seconds: windowSeconds, lost: lost)
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
        guard !drops.isEmpty else { return nil }
        var groups: [String: (reason: String, location: String, count: Int)] = [:]
        for d in drops {
            let key = d.reason.name + " " + d.location.function
            groups[key, default: (d.reason.name, d.location.function, 0)].count += 1
        }
        let top = groups.values.sorted { $0.count != $1.count ? $0.count > $1.count : $0.reason < $1.reason }
        let first = top[0]
        let times = drops.count == 1 ? "once" : "\(DropCounts.grouped(drops.count)) times"
        var s = "dropped \(times) in the last \(seconds) s, reason \(first.reason) in \(first.location)"
        if top.count > 1 { s += " (and \(top.count - 1) other reason\(top.count > 2 ? "s" : ""))" }
        return s
    }

    /// `findings` with a live line added to each whose namespaces (or links) dropped packets in `drops`: a
    /// namespace subject counts every drop in it, a link subject the drops on that interface; a drop counts once.
    public static func annotate(_ findings: [Finding], drops: [PacketDrop], seconds: Int) -> [Finding] {
        guard !drops.isEmpty else { return findings }
        return findings.map { f in
            var whole = Set<UInt64>(), links = Set<String>()
            for s in f.subjects {
                if s.kind == "link" && !s.name.isEmpty { links.insert("\(s.namespace)/\(s.name)") } else { whole.insert(s.namespace) }
            }
            let relevant = drops.filter { d in
                guard let ns = d.netnsInode else { return false }
                return whole.contains(ns) || d.interface.map { links.contains("\(ns)/\($0)") } ?? false
            }
            guard let line = line(relevant, seconds: seconds) else { return f }
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
        struct Key: Hashable { var ns: String; var reason: String; var location: String; var interface: String? }
        var order: [Key] = []
        var groups: [Key: (count: Int, last: PacketDrop)] = [:]
        for d in drops {
            let k = Key(ns: d.namespaceLabel, reason: d.reason.name, location: d.location.function, interface: d.interface)
            if groups[k] == nil { order.append(k) }
            groups[k] = ((groups[k]?.count ?? 0) + 1, d)
        }
        return order.map { k in
            let g = groups[k]!
            var text = "dropped " + (g.count == 1 ? "" : "\(DropCounts.grouped(g.count)) × ") + "\(k.reason) in \(k.location)"
            if let i = k.interface { text += " on \(i)" }
            text += ": " + (g.last.flow?.description ?? g.last.protocolName)
            return ChangeEvent(time: g.last.time, namespace: k.ns, kind: .drop, text: text)
        }
    }
}
