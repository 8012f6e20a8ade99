import PlumbModel

/// Turns the trace events of one probe into the live path, and sets it beside the static trace. Pure: the
/// events, each namespace's rule listing and firewall are read by the caller.
public struct LiveTraceAnalyzer {
    /// What was read in one namespace of the path.
    public struct Observation: Sendable {
        public var namespace: Namespace
        public var events: [NftTraceEvent]
        public var listing: NftRuleListing
        /// false when no listener could be opened there.
        public var watched: Bool

        public init(namespace: Namespace, events: [NftTraceEvent], listing: NftRuleListing, watched: Bool = true) {
            self.namespace = namespace; self.events = events; self.listing = listing; self.watched = watched
        }
    }

    public var probe: LiveProbe
    /// The marking table of this trace: its events say which packet is ours.
    public var markingTable: String

    public init(probe: LiveProbe, markingTable: String) { self.probe = probe; self.markingTable = markingTable }

    /// The events of our probe, without those of marking tables (ours, and another trace's running now).
    ///
    /// The kernel's trace id is not unique across packets (it derives from the skb's address, which the next
    /// packet may reuse), so the id alone cannot tell two traces' probes apart. The first event of each chain
    /// evaluation carries the packet's headers: they decide whether that evaluation is our probe's (its tag),
    /// and the events after it with the same id follow that decision. Without headers, the marking rule's
    /// event decides.
    public func ownEvents(_ events: [NftTraceEvent]) -> [NftTraceEvent] {
        classify(events).filter { !LiveTraceTables.isTraceTable($0.table) }
    }

    /// Every event of our probe, marking table included.
    func classify(_ events: [NftTraceEvent]) -> [NftTraceEvent] {
        var ours: [UInt32: Bool] = [:]
        var out: [NftTraceEvent] = []
        for e in events {
            if let mine = probe.matches(network: e.networkHeader, transport: e.transportHeader) {
                ours[e.id] = mine
            } else if ours[e.id] == nil, e.table == markingTable {
                ours[e.id] = true
            }
            if ours[e.id] == true { out.append(e) }
        }
        return out
    }

    /// `beyond`: namespaces watched after the static path's end (the destination, when the static trace
    /// stopped before it), shown as further hops.
    public func analyze(static result: TraceResult, observations: [UInt64: Observation], beyond: [Namespace] = [],
                        drop: LiveDrop?, elapsedMillis: Int, notes: [String] = []) -> LiveTraceResult {
        var hops: [LiveHop] = []
        var seenNamespaces: Set<UInt64> = []
        for h in result.hops where seenNamespaces.insert(h.namespace).inserted {
            guard let o = observations[h.namespace] else {
                hops.append(LiveHop(number: h.number, namespace: h.namespace, namespaceName: h.namespaceName, seen: false,
                                    observable: false, passes: []))
                continue
            }
            hops.append(hop(h, o))
        }
        var number = result.hops.last?.number ?? 0
        for ns in beyond where seenNamespaces.insert(ns.id).inserted {
            guard let o = observations[ns.id] else { continue }
            number += 1
            let h = TraceHop(number: number, namespace: ns.id, namespaceName: ns.displayName, role: "beyond", steps: [],
                             packet: result.packet)
            hops.append(hop(h, o))
        }
        var verdict: LiveTraceResult.Verdict, reason: String, dropHop: Int?
        let lastSeen = hops.last(where: \.seen)
        if let d = hops.first(where: { $0.droppedBy != nil }), let by = d.droppedBy {
            verdict = .dropped; dropHop = d.number
            reason = "\(d.namespaceName): \(by.location)\(by.rule.map { " (\($0))" } ?? "") drops it [\(by.owner)]"
        } else if let last = lastSeen {
            let lastExpected = hops.last(where: \.observable)
            if last.number == lastExpected?.number {
                verdict = .passed
                reason = "it passed every netfilter hook up to \(last.namespaceName)"
            } else {
                verdict = .lost; dropHop = last.number
                reason = "last seen in \(last.namespaceName) (hop \(last.number)); it died outside netfilter after that"
                if let drop { reason += ": \(drop.reason) in \(drop.location)" }
            }
        } else {
            verdict = .notSeen
            reason = "no namespace on the path saw the probe (it did not leave, or took another path)"
        }
        let comparison = compare(result, hops)
        return LiveTraceResult(probe: probe, hops: hops, verdict: verdict, reason: reason, dropHop: dropHop,
                               drop: verdict == .lost ? drop : nil, comparison: comparison,
                               agrees: comparison.allSatisfy(\.agrees), elapsedMillis: elapsedMillis, notes: notes)
    }

    /// One namespace: every pass of our probe, with iptables lines and owners.
    func hop(_ h: TraceHop, _ o: Observation) -> LiveHop {
        let all = classify(o.events)
        let marked = all.contains { $0.table == markingTable }
        let own = all.filter { !LiveTraceTables.isTraceTable($0.table) }
        let names = Dictionary(o.namespace.links.map { (UInt32($0.index), $0.name) }, uniquingKeysWith: { a, _ in a })
        var passes: [LivePass] = []
        var hook: String?
        for var e in own {
            let baseHook = o.listing.hook(family: e.family, table: e.table, chain: e.chain)
            if let baseHook { hook = baseHook }
            // The end of a chain comes as a rule event without a handle; a base chain's end is followed by its
            // policy event, which says it better.
            if e.kind == .rule && e.handle == nil && (e.verdict ?? "continue") == "continue" {
                if baseHook != nil { continue }
                e.kind = .return
            }
            passes.append(pass(e, hook: hook, listing: o.listing, firewall: o.namespace.firewall))
        }
        let iif = own.lazy.compactMap(\.inInterface).first.flatMap { names[$0] }
        let oif = own.reversed().lazy.compactMap(\.outInterface).first.flatMap { names[$0] }
        let bridgedOnly = h.role == "bridge" && !h.steps.contains { $0.kind == .netfilter }
        return LiveHop(number: h.number, namespace: h.namespace, namespaceName: h.namespaceName, seen: marked,
                       observable: o.watched && (!bridgedOnly || marked), inInterface: iif, outInterface: oif,
                       passes: passes, droppedBy: passes.first(where: \.drops))
    }

    func pass(_ e: NftTraceEvent, hook: String?, listing: NftRuleListing, firewall: Firewall) -> LivePass {
        var verdict = e.kind == .return ? "return" : (e.verdict ?? "continue")
        if let j = e.jumpTarget, verdict == "jump" || verdict == "goto" { verdict += " \(j)" }
        let iptablesTable = Self.iptablesTable(e, in: firewall)
        var index: Int?, rule: String?, iptables = false
        switch e.kind {
        case .rule:
            let listed = e.handle.flatMap { listing.rule(family: e.family, table: e.table, chain: e.chain, handle: $0) }
            index = listed?.index
            rule = listed?.text
            if let i = listed?.index, let t = iptablesTable, let c = t.chain(e.chain), i >= 1, i <= c.rules.count {
                rule = c.rules[i - 1].rule; iptables = true
            }
        case .policy:
            index = 0; rule = "policy \(verdict.uppercased())"
        case .return, .unknown:
            break
        }
        let owner = Self.owner(table: e.table, chain: e.chain, rule: rule, iptables: iptablesTable != nil, verdict: verdict)
        return LivePass(kind: e.kind, family: e.family, table: e.table, chain: e.chain, hook: hook,
                        index: index, handle: e.handle, rule: rule, iptables: iptables, owner: owner, verdict: verdict)
    }

    /// The iptables-save view of the event's table, when iptables-nft made it (ip filter → ipv4 filter).
    static func iptablesTable(_ e: NftTraceEvent, in firewall: Firewall) -> FirewallTable? {
        let family: String
        switch e.family {
        case "ip": family = "ipv4"
        case "ip6": family = "ipv6"
        default: return nil
        }
        return firewall.tables.first { $0.source == "iptables" && $0.family == family && $0.name == e.table }
    }

    /// Who made a rule: the tool whose chain it sits in, else the tool whose chain it jumps to, else a Plumb
    /// comment, else the system (built-in chains and admins' own rules). Native tables by their name.
    static func owner(table: String, chain: String, rule: String?, iptables: Bool, verdict: String) -> String {
        if LiveTraceTables.isTraceTable(table) { return ChainOwner.plumb.rawValue }
        if !iptables, ChainOwner.of(chain: table) != .system { return ChainOwner.of(chain: table).rawValue }
        let byChain = ChainOwner.of(chain: chain)
        if byChain != .system { return byChain.rawValue }
        let words = verdict.split(separator: " ")
        if words.count == 2 {
            let byTarget = ChainOwner.of(chain: String(words[1]))
            if byTarget != .system { return byTarget.rawValue }
        }
        if let rule, rule.contains("--comment \"plumb:") || rule.contains("--comment plumb:") { return ChainOwner.plumb.rawValue }
        return ChainOwner.system.rawValue
    }
}
