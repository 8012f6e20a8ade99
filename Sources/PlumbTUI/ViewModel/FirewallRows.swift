import PlumbModel

/// Who made a chain, from the naming conventions of the tools that install them.
/// One row of the firewall pane: a table title, a chain, a rule, or a note of a degraded read.
struct FirewallRow: Equatable {
    enum Kind: Equatable { case table, chain, rule, note }
    var kind: Kind
    var table: Int
    var chain: Int?
    var rule: Int?
    var text: String
    var packets: UInt64?
    var bytes: UInt64?
    /// Growth since the previous snapshot; nil when there is none (first frame, or a new rule).
    var deltaPackets: UInt64?
    var deltaBytes: UInt64?
    var owner: ChainOwner?
    var policy: String?
    /// For rules: the chain this rule jumps to, when it is a chain of the same table.
    var jumpTarget: String?
    var chainName: String?

    var moved: Bool { (deltaPackets ?? 0) > 0 || (deltaBytes ?? 0) > 0 }
}

/// Flattens tables → chains → rules and works out counter deltas against the previous snapshot's firewall
/// of the same namespace. Rules are matched by position when the text agrees, else by text (a rule
/// inserted above shifts positions).
enum FirewallRows {
    /// The tool that made a chain (PlumbModel's ChainOwner); nil for the system's own, which get no label.
    static func owner(of chain: String) -> ChainOwner? {
        let o = ChainOwner.of(chain: chain)
        return o == .system ? nil : o
    }

    static func build(_ fw: Firewall, previous: Firewall?) -> [FirewallRow] {
        var rows: [FirewallRow] = []
        for (ti, t) in fw.tables.enumerated() {
            rows.append(FirewallRow(kind: .table, table: ti, text: "\(t.source) \(t.family) \(t.name)"))
            let prevTable = previous?.tables.first {
                $0.family == t.family && $0.name == t.name && $0.source == t.source
            }
            let chainNames = Set(t.chains.map(\.name))
            for (ci, c) in t.chains.enumerated() {
                let prevChain = prevTable?.chain(c.name)
                var row = FirewallRow(kind: .chain, table: ti, chain: ci, text: c.name,
                                      owner: Self.owner(of: c.name), policy: c.policy, chainName: c.name)
                if c.policy != nil {
                    row.packets = c.packets; row.bytes = c.bytes
                    if let p = prevChain {
                        row.deltaPackets = growth(c.packets, p.packets); row.deltaBytes = growth(c.bytes, p.bytes)
                    }
                }
                rows.append(row)
                for (ri, r) in c.rules.enumerated() {
                    var rr = FirewallRow(kind: .rule, table: ti, chain: ci, rule: ri, text: r.rule, packets: r.packets,
                                         bytes: r.bytes, chainName: c.name)
                    if let target = r.target, chainNames.contains(target) { rr.jumpTarget = target }
                    if let p = prevChain, let old = match(r, at: ri, in: p) {
                        rr.deltaPackets = growth(r.packets, old.packets); rr.deltaBytes = growth(r.bytes, old.bytes)
                    }
                    rows.append(rr)
                }
            }
        }
        for n in fw.notes { rows.append(FirewallRow(kind: .note, table: -1, text: n)) }
        return rows
    }

    /// The row of chain `name`: exact case first, then case-insensitive, then a case-insensitive prefix.
    static func chainRow(named name: String, in rows: [FirewallRow]) -> Int? {
        let chains = rows.indices.filter { rows[$0].kind == .chain }
        if let i = chains.first(where: { rows[$0].text == name }) { return i }
        let u = name.uppercased()
        if let i = chains.first(where: { rows[$0].text.uppercased() == u }) { return i }
        return chains.first(where: { rows[$0].text.uppercased().hasPrefix(u) })
    }

    private static func match(_ r: FirewallRule, at i: Int, in chain: FirewallChain) -> FirewallRule? {
        if i < chain.rules.count && chain.rules[i].rule == r.rule { return chain.rules[i] }
        return chain.rules.first { $0.rule == r.rule }
    }

    /// Counters only grow; a smaller value means they were zeroed (iptables -Z), so the growth is the value.
    private static func growth(_ now: UInt64, _ before: UInt64) -> UInt64 { now >= before ? now - before : now }
}
