import PlumbModel

/// Turns a planned iptables-restore batch into the batch the kernel needs now. Pure: the applier calls it with
/// the tables it read under the namespace's firewall lock, so the decisions are made from the kernel at apply
/// time, atomically against every other Plumb process, and never from a state store or an older snapshot.
///
/// - `:CHAIN - [0:0]` for a chain that exists is dropped: iptables-restore --noflush would flush it.
/// - An untagged `-A`/`-I` (a jump, a skeleton rule) already present is dropped: never added twice.
///   Tagged rules (`plumb:NET...`) are each owned by one network and always added.
/// - A `-D` of a rule that is not there is dropped (it is already gone), and so is a `-X` of a missing chain.
/// - A shared group's teardown (`SharedChains.teardownLines`) is held back to the end of its table and runs only
///   when the group's chains hold nothing but their skeleton (no `plumb:` rule of any network, nothing foreign)
///   and nothing else jumps into them; then every copy of its jumps goes too.
struct FirewallReconciler: Sendable {
    var groups: [SharedChains]

    /// One table as the batch goes along: each chain's rules (normalized texts) in order.
    struct Table {
        var chains: [String: [String]] = [:]
        init() {}
        init(_ t: FirewallTable) {
            for c in t.chains { chains[c.name] = c.rules.map { FirewallBatch.normalized($0.rule) } }
        }
    }

    func reconcile(_ batch: String, current: [FirewallTable]) -> String {
        var tables: [String: Table] = [:]
        for t in current where t.source == "iptables" { tables[t.name] = Table(t) }
        var out: [String] = []
        var name = "", section: [String] = [], pending: [Int] = []
        for raw in batch.split(separator: "\n") {
            let line = FirewallBatch.parse(raw)
            switch line {
            case .table(let t):
                name = t; section = []; pending = []
                if tables[t] == nil { tables[t] = Table() }
            case .commit:
                for g in pending { section += teardown(groups[g], in: &tables[name]!) }
                if !section.isEmpty { out += ["*\(name)"] + section + ["COMMIT"] }
                section = []; pending = []
            case .declare(let chain, let policy):
                if policy == "-" {
                    if tables[name]?.chains[chain] != nil { continue }
                    tables[name]?.chains[chain] = []
                }
                section.append(String(raw))
            case .add(let chain, let spec, let first, let text):
                let rule = FirewallBatch.normalized(spec)
                let rules = tables[name]?.chains[chain] ?? []
                if FirewallBatch.tag(of: spec) == nil && rules.contains(rule) { continue }
                tables[name]?.chains[chain] = first ? [rule] + rules : rules + [rule]
                section.append(text)
            case .delete(let chain, let spec):
                let rule = FirewallBatch.normalized(spec)
                if let g = groupIndex(table: name, chain: chain, spec: rule) {
                    if !pending.contains(g) { pending.append(g) }
                    continue
                }
                guard let i = tables[name]?.chains[chain]?.firstIndex(of: rule) else { continue }
                tables[name]?.chains[chain]?.remove(at: i)
                section.append("-D \(chain) \(spec)")
            case .deleteChain(let chain):
                if let g = groupIndex(table: name, chain: chain, spec: nil) {
                    if !pending.contains(g) { pending.append(g) }
                    continue
                }
                guard tables[name]?.chains[chain] != nil else { continue }
                tables[name]?.chains[chain] = nil
                section.append("-X \(chain)")
            case .comment:
                continue
            case .other(let text):
                section.append(text)
            }
        }
        return out.isEmpty ? "" : out.joined(separator: "\n") + "\n"
    }

    private func groupIndex(table: String, chain: String, spec: String?) -> Int? {
        groups.indices.first { groups[$0].table == table && groups[$0].isTeardown(chain: chain, spec: spec) }
    }

    /// The lines removing `group` if nothing but its skeleton is left in it and nothing else jumps into it;
    /// none otherwise.
    func teardown(_ group: SharedChains, in table: inout Table) -> [String] {
        for chain in group.chains {
            let skeleton = group.skeleton.filter { $0.chain == chain }.map { FirewallBatch.normalized($0.spec) }
            if (table.chains[chain] ?? []).contains(where: { !skeleton.contains($0) }) { return [] }
        }
        let jumps = group.jumps.map { ($0.chain, FirewallBatch.normalized($0.spec)) }
        for (chain, rules) in table.chains where !group.chains.contains(chain) {
            for r in rules where FirewallBatch.target(of: r).map(group.chains.contains) == true {
                if !jumps.contains(where: { $0.0 == chain && $0.1 == r }) { return [] }
            }
        }
        var lines: [String] = []
        for (chain, spec) in jumps {
            let copies = table.chains[chain]?.filter { $0 == spec }.count ?? 0
            lines += Array(repeating: "-D \(chain) \(spec)", count: copies)
            table.chains[chain]?.removeAll { $0 == spec }
        }
        for r in group.skeleton {
            let spec = FirewallBatch.normalized(r.spec)
            if let i = table.chains[r.chain]?.firstIndex(of: spec) {
                table.chains[r.chain]?.remove(at: i)
                lines.append("-D \(r.chain) \(spec)")
            }
        }
        for chain in group.chains where table.chains[chain] != nil {
            table.chains[chain] = nil
            lines.append("-X \(chain)")
        }
        return lines
    }
}
