/// The `:` command line. Parsing is separate from running so it can be tested (and completed) alone.
enum ConsoleCommand: Equatable {
    case namespace(String)
    case chain(String)
    case link(String)
    case interval(Double)
    case quit, help, refresh, pause, map

    static let usage = "ns NAME, chain NAME, link NAME, map, interval SECS, refresh, pause, help, q"

    enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case unknown(String)
        case missingArgument(String)
        case badInterval(String)
        var description: String {
            switch self {
            case .empty: return "empty command (try \(ConsoleCommand.usage))"
            case .unknown(let c): return "unknown command '\(c)' (try \(ConsoleCommand.usage))"
            case .missingArgument(let c): return "':\(c)' needs an argument"
            case .badInterval(let v): return "'\(v)' is not an interval in seconds (\(RefreshInterval.limits))"
            }
        }
    }

    static func parse(_ text: String) -> Result<ConsoleCommand, ParseError> {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let verb = words.first else { return .failure(.empty) }
        let arg = words.dropFirst().joined(separator: " ")
        func needArg(_ make: (String) -> ConsoleCommand) -> Result<ConsoleCommand, ParseError> {
            arg.isEmpty ? .failure(.missingArgument(verb)) : .success(make(arg))
        }
        switch verb.lowercased() {
        case "ns", "namespace", "netns": return needArg(ConsoleCommand.namespace)
        case "chain": return needArg(ConsoleCommand.chain)
        case "link", "dev": return needArg(ConsoleCommand.link)
        case "interval", "every":
            guard !arg.isEmpty else { return .failure(.missingArgument(verb)) }
            let v = Double(arg.hasSuffix("s") ? String(arg.dropLast()) : arg)
            guard let v, RefreshInterval.range.contains(v) else { return .failure(.badInterval(arg)) }
            return .success(.interval(v))
        case "q", "quit", "exit": return .success(.quit)
        case "help", "h": return .success(.help)
        case "refresh", "r": return .success(.refresh)
        case "pause", "p": return .success(.pause)
        case "map", "m": return .success(.map)
        default: return .failure(.unknown(verb))
        }
    }
}

/// The refresh intervals the TUI accepts: the same for `--interval`, the config file and `:interval`.
public enum RefreshInterval {
    public static let range = 0.1...3600.0
    /// "0.1 to 3600 seconds", for every message that refuses a value.
    public static let limits = "0.1 to 3600 seconds"
}
