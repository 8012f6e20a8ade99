import PlumbModel
import PlumbTrace

/// The few matches of an iptables-save rule the checks look at (-s -d -i -o -j, DNAT's --to-destination),
/// with their negation: a summary of the rule as `IptablesRuleParser` (the trace's parser) reads it. The
/// doctor only asks "is there an ACCEPT for this bridge", "is this subnet masqueraded", "which chain jumps
/// where"; `plumb trace` evaluates the whole rule.
struct RuleTokens {
    struct Match { var value: String; var negated: Bool }
    var source: Match?
    var destination: Match?
    var inIface: Match?
    var outIface: Match?
    var target: String?
    var toDestination: String?
    /// Whether the rule has matches beyond -s/-d/-i/-o (a comment excluded).
    var hasOtherMatches = false
    var hasConntrackEstablished = false

    init(_ rule: String) {
        let parsed = IptablesRuleParser.parse(rule)
        for m in parsed.matches {
            switch m {
            case .source(let p, let n): source = Match(value: p.description, negated: n)
            case .destination(let p, let n): destination = Match(value: p.description, negated: n)
            case .inInterface(let i, let n): inIface = Match(value: i, negated: n)
            case .outInterface(let i, let n): outIface = Match(value: i, negated: n)
            case .connectionState(let states, _):
                if states.contains("ESTABLISHED") { hasConntrackEstablished = true }
                hasOtherMatches = true
            case .comment: break
            default: hasOtherMatches = true
            }
        }
        target = parsed.target?.name
        if case .dnat(let to) = parsed.target { toDestination = to }
    }

    /// Whether an interface match (`-i br0`, `-i br+`) matches `name`.
    static func iface(_ pattern: String, matches name: String) -> Bool {
        pattern.hasSuffix("+") ? name.hasPrefix(pattern.dropLast()) : pattern == name
    }

    /// An un-negated interface match on `name`.
    func matchesIn(_ name: String) -> Bool { inIface.map { !$0.negated && RuleTokens.iface($0.value, matches: name) } ?? false }
    func matchesOut(_ name: String) -> Bool { outIface.map { !$0.negated && RuleTokens.iface($0.value, matches: name) } ?? false }
}

extension FirewallTable {
    /// The chains reachable from `start` through jumps (start included), for "is there an accept path".
    func reachable(from start: String) -> [FirewallChain] {
        var seen: Set<String> = [], queue = [start], out: [FirewallChain] = []
        while let name = queue.popLast() {
            guard !seen.contains(name), let c = chain(name) else { continue }
            seen.insert(name)
            out.append(c)
            for r in c.rules { if let t = r.target ?? RuleTokens(r.rule).target { queue.append(t) } }
        }
        return out
    }

    /// Names of chains some rule of this table jumps or goes to.
    var referencedChains: Set<String> {
        var s: Set<String> = []
        for c in chains { for r in c.rules { if let t = r.target ?? RuleTokens(r.rule).target { s.insert(t) } } }
        return s
    }
}

extension Firewall {
    /// The iptables-managed table of a family ("ipv4"/"ipv6") and name.
    func table(_ family: String, _ name: String) -> FirewallTable? {
        tables.first { $0.family == family && $0.name == name && $0.source == "iptables" }
    }
}
