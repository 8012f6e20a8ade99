import Foundation
import PlumbModel

/// Turns a planned iptables-restore batch into the batch the kernel needs now. Pure: the applier calls it with
/// the tables it read under the namespace's firewall lock, so the decisions are made from the kernel at apply
/// time, atomically against every other Plumb process, and never from a state store or an older snapshot.
///
/// Everywhere:
/// - `:CHAIN - [0:0]` for a chain that exists is dropped: iptables-restore --noflush would flush it.
/// - A `-D` of a rule that is not there is dropped (it is already gone), and so is a `-X` of a missing chain.
/// After the `setupMarker` comment (the shared chains' setup):
/// - An untagged `-A`/`-I` (a jump, a skeleton rule) already present is dropped: never added twice.
///   Tagged rules (`plumb:NET...`) are each owned by one network and always added.
/// After the `teardownMarker` comment (the shared chains' teardown):
/// - A shared group's teardown lines (`SharedChains.teardownLines`) are held back to the end of the table and
///   run only when no shared chain of any group holds a `plumb:` rule of any network, the group's chains hold
///   nothing but their skeleton (nothing foreign) and nothing else jumps into them; then every copy of its
///   jumps goes too.
/// Other batches (a doctor fix deleting a jump) keep their plain iptables meaning.
struct FirewallReconciler: Sendable {
    var groups: [SharedChains]
    var setupMarker = BridgeFirewall.setupComment
    var teardownMarker = BridgeFirewall.teardownComment

    enum Section { case plain, setup, teardown }

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
        let plumbRemains = plumbRulesRemain(after: batch, in: tables)
        var name = "", section: [String] = [], pending: [Int] = [], mode = Section.plain
        for raw in batch.split(separator: "\n") {
            let line = FirewallBatch.parse(raw)
            switch line {
            case .table(let t):
                name = t; section = []; pending = []; mode = .plain
                if tables[t] == nil { tables[t] = Table() }
            case .commit:
                if !plumbRemains { for g in pending { section += teardown(groups[g], in: &tables[name]!) } }
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
                if mode == .setup && FirewallBatch.tag(of: spec) == nil && rules.contains(rule) { continue }
                tables[name]?.chains[chain] = first ? [rule] + rules : rules + [rule]
                section.append(text)
            case .delete(let chain, let spec):
                let rule = FirewallBatch.normalized(spec)
                if mode == .teardown, let g = groupIndex(table: name, chain: chain, spec: rule) {
                    if !pending.contains(g) { pending.append(g) }
                    continue
                }
                guard let i = tables[name]?.chains[chain]?.firstIndex(of: rule) else { continue }
                tables[name]?.chains[chain]?.remove(at: i)
                section.append("-D \(chain) \(spec)")
            case .deleteChain(let chain):
                if mode == .teardown, let g = groupIndex(table: name, chain: chain, spec: nil) {
                    if !pending.contains(g) { pending.append(g) }
                    continue
                }
                guard tables[name]?.chains[chain] != nil else { continue }
                tables[name]?.chains[chain] = nil
                section.append("-X \(chain)")
            case .comment:
                let text = FirewallBatch.trimmed(raw)
                if text == setupMarker { mode = .setup } else if text == teardownMarker { mode = .teardown }
            case .other(let text):
                section.append(text)
            }
        }
        return out.isEmpty ? "" : out.joined(separator: "\n") + "\n"
    }

    /// Whether any shared chain still holds a `plumb:` rule once the batch's deletions of tagged rules are done.
    /// The groups go together: while Plumb has a network in the namespace, all its shared chains stay (a network
    /// without published ports still gets PLUMB-DNAT, as at its creation).
    func plumbRulesRemain(after batch: String, in tables: [String: Table]) -> Bool {
        var tables = tables, name = ""
        for raw in batch.split(separator: "\n") {
            switch FirewallBatch.parse(raw) {
            case .table(let t): name = t
            case .delete(let chain, let spec) where FirewallBatch.tag(of: spec) != nil:
                let rule = FirewallBatch.normalized(spec)
                if let i = tables[name]?.chains[chain]?.firstIndex(of: rule) { tables[name]?.chains[chain]?.remove(at: i) }
            default: continue
            }
        }
        return groups.contains { g in
            g.chains.contains { c in (tables[g.table]?.chains[c] ?? []).contains { FirewallBatch.tag(of: $0) != nil } }
        }
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
