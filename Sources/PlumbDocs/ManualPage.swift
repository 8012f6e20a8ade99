/// One mdoc(7) page per command: `plumb.1`, `plumb-net-create.1`, ... (`man 7 mdoc` describes the macros).
struct ManualPage {
    /// The command's full name as typed, e.g. ["plumb", "net", "create"].
    var path: [String]
    var command: CommandHelp
    /// The `.Dd` date. A constant, so regenerating unchanged commands gives the same bytes.
    static let date = "December 3, 2026"

    var fileName: String { path.joined(separator: "-") + ".1" }

    func render() -> String {
        var out = [".\\\" Generated from the command definitions by plumb-docs (make docs). Do not edit.",
                   ".Dd \(Self.date)", ".Dt \(path.joined(separator: "-").uppercased()) 1", ".Os", ".Sh NAME",
                   ".Nm \(path.joined(separator: " "))"]
        out.append(".Nd " + Self.escapeInline(command.abstract ?? path.joined(separator: " ")))
        out += synopsis()
        out += description()
        out += options()
        out += subcommandList()
        out += seeAlso()
        return out.joined(separator: "\n") + "\n"
    }

    private func synopsis() -> [String] {
        var out = [".Sh SYNOPSIS", ".Nm \(path.joined(separator: " "))"]
        if !command.visibleSubcommands.isEmpty { out.append(".Ar subcommand") }
        for argument in command.visibleArguments {
            var words = Self.usageWords(argument)
            if argument.isRepeating { words += " ..." }
            out.append(argument.isOptional ? ".Op " + words : "." + words)
        }
        return out
    }

    private func description() -> [String] {
        var out = [".Sh DESCRIPTION"]
        out += Self.paragraphs(command.abstract ?? "")
        if let discussion = command.discussion, !discussion.isEmpty { out += [".Pp"] + Self.paragraphs(discussion) }
        if let fallback = command.defaultSubcommand {
            out += [".Pp", "Without a subcommand,", ".Nm \(path.joined(separator: " "))", "runs", ".Ic \(fallback) ."]
        }
        return out
    }

    private func options() -> [String] {
        let arguments = command.visibleArguments
        guard !arguments.isEmpty else { return [] }
        var out = [".Sh OPTIONS", ".Bl -tag -width 6n"]
        for argument in arguments {
            out.append(".It " + Self.itemWords(argument))
            out += Self.paragraphs(argument.abstract ?? "")
            if let discussion = argument.discussion, !discussion.isEmpty { out += [".Pp"] + Self.paragraphs(discussion) }
            if let values = argument.allValues, !values.isEmpty {
                out.append("Values: " + Self.escapeInline(values.joined(separator: ", ")) + ".")
            }
            if let value = argument.defaultValue, !value.isEmpty {
                out.append("Default: " + Self.escapeInline(value) + ".")
            }
        }
        out.append(".El")
        return out
    }

    private func subcommandList() -> [String] {
        let subcommands = command.visibleSubcommands
        guard !subcommands.isEmpty else { return [] }
        var out = [".Sh SUBCOMMANDS", ".Bl -tag -width 6n"]
        for sub in subcommands {
            out.append(".It Ic \(sub.commandName)")
            out += Self.paragraphs(sub.abstract ?? "")
            out.append("See")
            out.append(".Xr \((path + [sub.commandName]).joined(separator: "-")) 1 .")
        }
        out.append(".El")
        return out
    }

    private func seeAlso() -> [String] {
        var related: [String] = []
        if path.count > 1 { related.append(path.dropLast().joined(separator: "-")) }
        if path.count > 2 { related.insert(path[0], at: 0) }
        guard !related.isEmpty else { return [] }
        return [".Sh SEE ALSO"] + related.enumerated().map { i, name in
            ".Xr \(name) 1" + (i < related.count - 1 ? " ," : "")
        }
    }

    // MARK: mdoc text

    /// How the argument is written in the synopsis: `Fl -json`, `Fl i Ar iface`, `Ar target`.
    static func usageWords(_ argument: ArgumentHelp) -> String {
        let value = "Ar " + escapeInline(argument.valueName ?? "value")
        switch argument.kind {
        case .positional: return value
        case .flag: return flag(preferred(argument))
        case .option: return flag(preferred(argument)) + " " + value
        }
    }

    /// The option list's item: every name, e.g. `Fl c , Fl -count Ar count`.
    static func itemWords(_ argument: ArgumentHelp) -> String {
        let value = "Ar " + escapeInline(argument.valueName ?? "value")
        guard argument.kind != .positional else { return value }
        let names = (argument.names ?? []).map(flag).joined(separator: " , ")
        return argument.kind == .option ? names + " " + value : names
    }

    private static func preferred(_ argument: ArgumentHelp) -> ArgumentHelp.Name {
        let names = argument.names ?? []
        return names.first { $0.kind == .long } ?? names.first ?? .init(kind: .long, name: argument.valueName ?? "")
    }

    /// `Fl` adds one dash: a long name `--json` is written `Fl -json`.
    private static func flag(_ name: ArgumentHelp.Name) -> String {
        switch name.kind {
        case .long: return "Fl -" + escapeInline(name.name)
        case .short, .longWithSingleDash: return "Fl " + escapeInline(name.name)
        }
    }

    /// Text as mdoc lines: one sentence-ish line per source line, blank lines as paragraph breaks.
    static func paragraphs(_ text: String) -> [String] {
        var out: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingSpaces()
            if trimmed.isEmpty {
                if let last = out.last, last != ".Pp" { out.append(".Pp") }
                continue
            }
            out.append(escapeLine(trimmed))
        }
        while out.last == ".Pp" { out.removeLast() }
        return out
    }

    /// A text line: backslashes escaped, and a leading `.` or `'` kept from being read as a macro.
    static func escapeLine(_ text: String) -> String {
        let escaped = escapeBackslashes(text)
        return escaped.hasPrefix(".") || escaped.hasPrefix("'") ? "\\&" + escaped : escaped
    }

    /// Text after a macro: mdoc would take words such as `Ar` or a lone `|` as macros or delimiters.
    static func escapeInline(_ text: String) -> String {
        text.split(separator: " ", omittingEmptySubsequences: false).map { word -> String in
            let w = escapeBackslashes(String(word))
            let isMacroLike = w.count == 2 && w.first!.isUppercase && w.last!.isLowercase
            let isDelimiter = ["|", "(", ")", "[", "]", ".", ",", ";", ":", "?", "!"].contains(w)
            return isMacroLike || isDelimiter ? "\\&" + w : w
        }.joined(separator: " ")
    }

    private static func escapeBackslashes(_ text: String) -> String {
        var out = ""
        for c in text { if c == "\\" { out += "\\e" } else { out.append(c) } }
        return out
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
