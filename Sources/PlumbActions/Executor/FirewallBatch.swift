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
        let line = trimmed(raw)
        if line.isEmpty || line.hasPrefix("#") { return .comment }
        if line == "COMMIT" { return .commit }
        if line.hasPrefix("*") { return .table(String(line.dropFirst())) }
        let words = spaceSeparated(line).map(String.init)
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
        guard let start = endOfFirst("--comment ", in: rule) else { return nil }
        var rest = rule[start...]
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
        // Most lines (every one iptables-save prints) are normalized already: no copy then.
        var previous: UInt8 = 0x20, clean = true
        for b in spec.utf8 {
            if b == 0x20 && previous == 0x20 { clean = false; break }
            previous = b
        }
        if clean && previous != 0x20 { return spec }
        return spaceSeparated(Substring(spec)).joined(separator: " ")
    }

    // The batches and iptables-save lines are ASCII, and are read here byte-wise: Foundation's trimming and
    // Character-wise splitting were most of an apply's own CPU time (about 5 ms per reconcile of a 20-endpoint
    // connect). Text with other bytes takes the Character-wise path, so the results are the same for any input.

    /// `raw` without leading and trailing spaces and tabs (`.whitespaces`).
    static func trimmed(_ raw: Substring) -> String {
        let bytes = raw.utf8
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return raw.trimmingCharacters(in: .whitespaces) }
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let first = bytes.firstIndex(where: { !blank($0) }), let last = bytes.lastIndex(where: { !blank($0) }) else { return "" }
        return String(raw[first...last])
    }

    /// The words of `line` between single spaces (empty words dropped), as `split(separator: " ")` gives them.
    static func spaceSeparated(_ line: Substring) -> [Substring] {
        guard line.utf8.allSatisfy({ $0 < 0x80 }) else { return line.split(separator: " ", omittingEmptySubsequences: true) }
        return line.utf8.split(separator: 0x20, omittingEmptySubsequences: true).map { Substring($0) }
    }

    static func spaceSeparated(_ line: String) -> [Substring] { spaceSeparated(Substring(line)) }

    /// The index just after the first occurrence of the ASCII `needle` in `text`.
    static func endOfFirst(_ needle: String, in text: String) -> String.Index? {
        let n = Array(needle.utf8), t = text.utf8
        guard let first = n.first else { return text.startIndex }
        var i = t.startIndex
        while let start = t[i...].firstIndex(of: first) {
            var j = start, k = 0
            while k < n.count, j < t.endIndex, t[j] == n[k] { j = t.index(after: j); k += 1 }
            if k == n.count { return j }
            i = t.index(after: start)
        }
        return nil
    }
}
