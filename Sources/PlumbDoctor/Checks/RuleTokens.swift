import PlumbModel

/// The few matches of an iptables-save rule the checks look at (-s -d -i -o -j, DNAT's --to-destination),
/// with their negation. Deliberately simple: `plumb trace` has the full evaluator; the doctor only asks
/// "is there an ACCEPT for this bridge", "is this subnet masqueraded", "which chain jumps where".
struct RuleTokens {
    struct Match { var value: String; var negated: Bool }
    var source: Match?
    var destination: Match?
    var inIface: Match?
    var outIface: Match?
    var target: String?
    var toDestination: String?
    /// Whether the rule has matches beyond -s/-d/-i/-o (protocol, conntrack state, comment excluded).
    var hasOtherMatches = false
    var hasConntrackEstablished = false

    init(_ rule: String) {
        let t = RuleTokens.split(rule)
        var i = 0, negate = false
        while i < t.count {
            let tok = t[i]
            let next = i + 1 < t.count ? t[i + 1] : nil
            switch tok {
            case "!": negate = true; i += 1; continue
            case "-s", "--source": source = next.map { Match(value: $0, negated: negate) }; i += 1
            case "-d", "--destination": destination = next.map { Match(value: $0, negated: negate) }; i += 1
            case "-i", "--in-interface": inIface = next.map { Match(value: $0, negated: negate) }; i += 1
            case "-o", "--out-interface": outIface = next.map { Match(value: $0, negated: negate) }; i += 1
            case "-j", "-g", "--jump", "--goto": target = next; i += 1
            case "--to-destination": toDestination = next; i += 1
            case "--ctstate", "--state":
                if let n = next, n.contains("ESTABLISHED") { hasConntrackEstablished = true }
                hasOtherMatches = true; i += 1
            case "--comment": i += 1
            case "-m":
                if next != "comment" { hasOtherMatches = true }
                i += 1
            case "-p", "--dport", "--sport", "--dst-type", "--src-type": hasOtherMatches = true; i += 1
            default: break
            }
            negate = false
            i += 1
        }
    }

    /// iptables-save words; double-quoted strings (comments) stay one word.
    static func split(_ s: String) -> [String] {
        var out: [String] = [], cur = "", quoted = false
        for ch in s {
            if ch == "\"" { quoted.toggle(); continue }
            if ch == " " && !quoted {
                if !cur.isEmpty { out.append(cur); cur = "" }
            } else { cur.append(ch) }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
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
