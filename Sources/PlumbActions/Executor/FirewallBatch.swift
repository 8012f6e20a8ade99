import Foundation

/// The lines of an iptables-restore batch, as far as Plumb reads them back: enough to decide at apply time which
/// of them the kernel still needs (`FirewallReconciler`).
enum FirewallBatch {
    enum Line: Equatable {
        case table(String)
        case commit
        /// `:NAME POLICY [p:b]`; policy `-` for a user chain.
        case declare(chain: String, policy: String)
        /// `-A CHAIN SPEC`, or `-I CHAIN [N] SPEC` (`first`: inserted at the top).
        case add(chain: String, spec: String, first: Bool, text: String)
        /// `-D CHAIN SPEC`.
        case delete(chain: String, spec: String)
        /// `-X CHAIN`.
        case deleteChain(String)
        case comment
        /// Anything else (`-F`, `-P`, `-D CHAIN N`, ...): passed through untouched.
        case other(String)
    }

    static func parse(_ raw: Substring) -> Line {
        let line = raw.trimmingCharacters(in: .whitespaces)
        if line.isEmpty || line.hasPrefix("#") { return .comment }
        if line == "COMMIT" { return .commit }
        if line.hasPrefix("*") { return .table(String(line.dropFirst())) }
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if line.hasPrefix(":"), words.count >= 2 { return .declare(chain: String(words[0].dropFirst()), policy: words[1]) }
        guard words.count >= 2 else { return .other(line) }
        let chain = words[1], rest = words.dropFirst(2)
        switch words[0] {
        case "-A" where !rest.isEmpty:
            return .add(chain: chain, spec: rest.joined(separator: " "), first: false, text: line)
        case "-I" where !rest.isEmpty:
            if let n = Int(rest.first!) {
                let spec = rest.dropFirst().joined(separator: " ")
                return spec.isEmpty ? .other(line) : .add(chain: chain, spec: spec, first: n == 1, text: line)
            }
            return .add(chain: chain, spec: rest.joined(separator: " "), first: true, text: line)
        case "-D" where !rest.isEmpty && !(rest.count == 1 && Int(rest.first!) != nil):
            return .delete(chain: chain, spec: rest.joined(separator: " "))
        case "-X" where rest.isEmpty:
            return .deleteChain(chain)
        default:
            return .other(line)
        }
    }

    /// The Plumb tag of a rule (`plumb:NET` or `plumb:NET:KEY`): its comment, when that starts with `plumb:`.
    static func tag(of rule: String) -> String? {
        guard let r = rule.range(of: "--comment ") else { return nil }
        var rest = rule[r.upperBound...]
        let comment: Substring
        if rest.first == "\"" {
            rest = rest.dropFirst()
            comment = rest.prefix { $0 != "\"" }
        } else {
            comment = rest.prefix { $0 != " " }
        }
        return comment.hasPrefix("plumb:") ? String(comment) : nil
    }

    /// The chain a rule jumps or goes to (`-j X`, `-g X`).
    static func target(of rule: String) -> String? {
        let words = rule.split(separator: " ")
        guard let i = words.lastIndex(where: { $0 == "-j" || $0 == "-g" }), i + 1 < words.count else { return nil }
        return String(words[i + 1])
    }

    /// A rule's text with runs of spaces made one, so a planned spec compares equal to iptables-save's line.
    static func normalized(_ spec: String) -> String {
        spec.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
