import PlumbModel
import PlumbTrace

/// An iptables-restore batch (as a fix's plan carries it) applied to a snapshot's firewall in memory, so the
/// evaluator can walk the rules as they would be after the fix. Understands what Plumb's plans write: `*table`,
/// `:CHAIN POLICY`, `-N`, `-X`, `-F`, `-P`, `-A`, `-I CHAIN [N]`, `-D CHAIN RULE|N`, `COMMIT`. A line it does not
/// understand makes the result nil: the comparison then says the step is not modelled instead of guessing.
enum FirewallBatch {
    static func apply(_ batch: String, family: String, to firewall: Firewall) -> Firewall? {
        var fw = firewall
        var table: Int?
        for raw in batch.split(separator: "\n") {
            let line = trimmed(raw)
            if line.isEmpty || line.hasPrefix("#") || line == "COMMIT" { continue }
            if line.hasPrefix("*") {
                let name = String(line.dropFirst())
                if let i = fw.tables.firstIndex(where: { $0.source == "iptables" && $0.family == family && $0.name == name }) {
                    table = i
                } else {
                    fw.tables.append(FirewallTable(family: family, name: name, source: "iptables", chains: builtins(name)))
                    table = fw.tables.count - 1
                }
                continue
            }
            guard let t = table else { return nil }
            if line.hasPrefix(":") {
                let words = line.dropFirst().split(separator: " ")
                guard let name = words.first.map(String.init) else { return nil }
                let policy = words.count > 1 && words[1] != "-" ? String(words[1]) : nil
                if let c = fw.tables[t].chains.firstIndex(where: { $0.name == name }) {
                    if let policy { fw.tables[t].chains[c].policy = policy }
                } else {
                    fw.tables[t].chains.append(FirewallChain(name: name, policy: policy))
                }
                continue
            }
            guard apply(command: line, to: &fw.tables[t]) else { return nil }
        }
        return fw
    }

    /// One `-X CHAIN …` line; false when not understood.
    private static func apply(command line: String, to table: inout FirewallTable) -> Bool {
        let words = line.split(separator: " ", maxSplits: 2).map(String.init)
        guard words.count >= 2 else { return false }
        let (op, chain) = (words[0], words[1])
        var rest = words.count > 2 ? words[2] : ""
        let index = table.chains.firstIndex { $0.name == chain }
        switch op {
        case "-N":
            if index == nil { table.chains.append(FirewallChain(name: chain)) }
            return true
        case "-X":
            table.chains.removeAll { $0.name == chain }
            return true
        case "-F":
            if let i = index { table.chains[i].rules = [] }
            return true
        case "-P":
            guard let i = index, !rest.isEmpty else { return false }
            table.chains[i].policy = rest
            return true
        case "-A", "-I":
            guard let i = index else { return false }
            var at = op == "-A" ? table.chains[i].rules.count : 0
            if op == "-I", let first = rest.split(separator: " ").first, let n = Int(first) {
                at = max(0, min(n - 1, table.chains[i].rules.count))
                rest = trimmed(rest.dropFirst(first.count))
            }
            table.chains[i].rules.insert(rule(rest), at: at)
            return true
        case "-D":
            guard let i = index else { return false }
            if let n = Int(rest) {
                guard n >= 1, n <= table.chains[i].rules.count else { return false }
                table.chains[i].rules.remove(at: n - 1)
                return true
            }
            let wanted = IptablesRuleParser.parse(rest)
            guard let r = table.chains[i].rules.firstIndex(where: {
                guard $0.rule != rest else { return true }
                let have = IptablesRuleParser.parse($0.rule)
                return have.matches == wanted.matches && have.target == wanted.target
            }) else { return false }
            table.chains[i].rules.remove(at: r)
            return true
        default:
            return false
        }
    }

    static func trimmed<S: StringProtocol>(_ s: S) -> String {
        String(s.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }

    static func rule(_ text: String) -> FirewallRule {
        var target: String?
        switch IptablesRuleParser.parse(text).target {
        case .jump(let n)?, .goto(let n)?: target = n
        case let t?: target = t.name
        case nil: target = nil
        }
        return FirewallRule(rule: text, target: target)
    }

    static func builtins(_ table: String) -> [FirewallChain] {
        let names: [String]
        switch table {
        case "nat": names = ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"]
        case "mangle": names = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"]
        case "raw": names = ["PREROUTING", "OUTPUT"]
        default: names = ["INPUT", "FORWARD", "OUTPUT"]
        }
        return names.map { FirewallChain(name: $0, policy: "ACCEPT") }
    }
}
