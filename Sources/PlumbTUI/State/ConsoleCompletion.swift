import PlumbModel

/// Tab on the `:` line: the command word, then the name it takes (namespaces for `ns`, links for `link`,
/// chains for `chain`), as k9s completes. One match completes; several complete their common prefix and
/// are listed.
enum ConsoleCompletion {
    static let verbs = ["ns", "chain", "link", "interval", "refresh", "pause", "help", "quit"]

    /// The completed line and the candidates that still match (empty: nothing matches).
    static func complete(_ text: String, snapshot: Snapshot) -> (text: String, candidates: [String]) {
        guard let space = text.firstIndex(of: " ") else {
            return extend(text, among: verbs, prefix: "", space: true)
        }
        let verb = String(text[..<space]).lowercased()
        let word = String(text[text.index(after: space)...]).drop { $0 == " " }
        return extend(String(word), among: names(for: verb, in: snapshot), prefix: String(text[...space]), space: false)
    }

    static func names(for verb: String, in snapshot: Snapshot) -> [String] {
        var out = Set<String>()
        switch verb {
        case "ns", "namespace", "netns":
            for ns in snapshot.namespaces { out.insert(ns.displayName); ns.names.forEach { out.insert($0) } }
        case "link", "dev":
            for ns in snapshot.namespaces { ns.links.forEach { out.insert($0.name) } }
        case "chain":
            for ns in snapshot.namespaces { ns.firewall.tables.forEach { $0.chains.forEach { out.insert($0.name) } } }
        default: break
        }
        return out.sorted()
    }

    static func extend(_ word: String, among all: [String], prefix: String, space: Bool) -> (text: String, candidates: [String]) {
        let matches = all.filter { $0.hasPrefix(word) }
        guard let first = matches.first else { return (prefix + word, []) }
        if matches.count == 1 { return (prefix + first + (space ? " " : ""), matches) }
        var common = first
        for m in matches.dropFirst() { while !m.hasPrefix(common) { common.removeLast() } }
        return (prefix + common, matches)
    }
}
