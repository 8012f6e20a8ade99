import PlumbModel

/// The batch that puts iptables tables back the way they were, from what they are now. iptables-restore commits
/// each table on its own, so a batch that fails in its second table leaves its first one applied; this undoes
/// exactly that, from the kernel itself rather than from a planned undo, and the applier then checks the result
/// against a fresh read. Pure, so it is tested without root.
enum FirewallRestore {
    /// Lines per table (in `before`'s order, then new tables), and the tables that did not exist before.
    static func batch(from now: [FirewallTable], to before: [FirewallTable]) -> (batch: String, newTables: [String]) {
        var out: [String] = []
        let old = Dictionary(before.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for table in now {
            let was = old[table.name] ?? FirewallTable(family: table.family, name: table.name, source: table.source)
            let lines = lines(from: table, to: was)
            if !lines.isEmpty { out += ["*\(table.name)"] + lines + ["COMMIT"] }
        }
        for table in before where !now.contains(where: { $0.name == table.name }) {
            let lines = lines(from: FirewallTable(family: table.family, name: table.name, source: table.source), to: table)
            if !lines.isEmpty { out += ["*\(table.name)"] + lines + ["COMMIT"] }
        }
        let newTables = now.map(\.name).filter { old[$0] == nil }
        return (out.isEmpty ? "" : out.joined(separator: "\n") + "\n", newTables)
    }

    /// Deletions first (rules that were not there, then chains that were not there), then the chains and rules
    /// that went missing, each rule inserted at its old position.
    static func lines(from now: FirewallTable, to before: FirewallTable) -> [String] {
        var deletes: [String] = [], dropChains: [String] = [], declares: [String] = [], inserts: [String] = []
        for chain in now.chains {
            let target = before.chain(chain.name)
            let (extra, missing) = diff(chain.rules.map(\.rule), target?.rules.map(\.rule) ?? [])
            deletes += extra.map { "-D \(chain.name) \($0)" }
            // A built-in chain (it has a policy) stays even when its table did not exist before: iptables cannot
            // delete it, and the applier drops the whole table once it is empty.
            if target == nil { if chain.policy == nil { dropChains.append("-X \(chain.name)") } } else {
                inserts += missing.map { "-I \(chain.name) \($0.position) \($0.rule)" }
            }
            if let policy = target?.policy, policy != chain.policy { declares.append(":\(chain.name) \(policy) [0:0]") }
        }
        for chain in before.chains where now.chain(chain.name) == nil {
            declares.append(":\(chain.name) \(chain.policy ?? "-") [0:0]")
            inserts += chain.rules.enumerated().map { "-I \(chain.name) \($0.offset + 1) \($0.element.rule)" }
        }
        return deletes + dropChains + declares + inserts
    }

    /// What to delete from `now` and insert (at 1-based positions, in ascending order) to get `before`, along
    /// their longest common subsequence: deleting the extras leaves that subsequence, and inserting the missing
    /// rules in order of their old positions rebuilds `before` exactly.
    static func diff(_ now: [String], _ before: [String]) -> (extra: [String], missing: [(position: Int, rule: String)]) {
        let n = now.count, m = before.count
        guard n * m <= 4_000_000 else {
            // Too big to align: delete what is not in `before`, add what is not in `now` at its old position.
            return (now.filter { !before.contains($0) },
                    before.enumerated().filter { !now.contains($0.element) }.map { ($0.offset + 1, $0.element) })
        }
        var lcs = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lcs[i][j] = now[i] == before[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var extra: [String] = [], missing: [(Int, String)] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n && j < m && now[i] == before[j] { i += 1; j += 1 }
            else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) { missing.append((j + 1, before[j])); j += 1 }
            else { extra.append(now[i]); i += 1 }
        }
        return (extra, missing)
    }
}
