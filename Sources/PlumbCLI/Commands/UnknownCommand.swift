import ArgumentParser

/// `plumb snapshots` names no command. Without this check the word fell through to the default subcommand
/// (the TUI) and the user read the TUI's usage; now it is one line naming the closest command.
enum UnknownCommand {
    /// Groups whose words are checked too: their default subcommand (if any) takes no positional argument, so
    /// a word that names none of their subcommands is a typo. (`conntrack NS` takes one: not checked.)
    static let groups: [String: any ParsableCommand.Type] = [
        "ns": NamespaceCommand.self, "net": NetCommand.self, "lab": LabCommand.self,
    ]

    /// The failure for `arguments` (without the program name) when a command word is unknown, else nil.
    static func check(_ arguments: [String]) -> CommandFailure? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        let top = names(of: PlumbCommand.self) + ["help"]
        guard top.contains(first) else { return failure(first, among: top, prefix: "plumb") }
        if let group = groups[first], arguments.count > 1, !arguments[1].hasPrefix("-") {
            let subs = names(of: group) + ["help"]
            if !subs.contains(arguments[1]) { return failure(arguments[1], among: subs, prefix: "plumb \(first)") }
        }
        return nil
    }

    static func names(of command: any ParsableCommand.Type) -> [String] {
        command.configuration.subcommands.flatMap { sub in
            [sub.configuration.commandName ?? ""] + sub.configuration.aliases
        }.filter { !$0.isEmpty }
    }

    static func failure(_ word: String, among names: [String], prefix: String) -> CommandFailure {
        let hint = suggestion(for: word, among: names).map { " — did you mean '\($0)'?" } ?? ""
        return CommandFailure(description: "unknown command '\(word)'\(hint) (`\(prefix) --help` lists the commands)",
                              code: PlumbExit.usage)
    }

    /// The closest name within two edits (or one the word starts, or that starts the word), if any.
    static func suggestion(for word: String, among names: [String]) -> String? {
        let scored = names.map { ($0, distance(word.lowercased(), $0)) }.filter { $0.1 <= 2 }
        if let best = scored.min(by: { $0.1 < $1.1 }) { return best.0 }
        return names.first { word.hasPrefix($0) || ($0.hasPrefix(word) && word.count >= 2) }
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty || y.isEmpty { return max(x.count, y.count) }
        var row = Array(0...y.count)
        for i in 1...x.count {
            var previous = row[0]
            row[0] = i
            for j in 1...y.count {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[y.count]
    }
}
