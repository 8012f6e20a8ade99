import Foundation

/// The part of argument-parser's help dump (`plumb --experimental-dump-help`, ToolInfoV0) that the man pages
/// use. Decoded from the dump rather than built from the command types, so a new command, option or
/// description appears in the pages without touching this module.
struct CommandHelp: Decodable {
    var commandName: String
    var abstract: String?
    var discussion: String?
    var shouldDisplay: Bool?
    var defaultSubcommand: String?
    var arguments: [ArgumentHelp]?
    var subcommands: [CommandHelp]?

    /// The commands under this one that help lists (argument-parser adds a `help` command of its own).
    var visibleSubcommands: [CommandHelp] {
        (subcommands ?? []).filter { $0.shouldDisplay != false && $0.commandName != "help" }
    }

    /// The arguments help lists, without the `--help` flag every command has, and `--version` but on the root
    /// page (argument-parser lists it on every command).
    var visibleArguments: [ArgumentHelp] {
        (arguments ?? []).filter { $0.shouldDisplay != false && !$0.isHelpFlag && (commandName == "plumb" || !$0.isVersionFlag) }
    }

    static func decodeDump(_ json: String) throws -> CommandHelp {
        struct Dump: Decodable { var command: CommandHelp }
        return try JSONDecoder().decode(Dump.self, from: Data(json.utf8)).command
    }
}

struct ArgumentHelp: Decodable {
    enum Kind: String, Decodable { case positional, option, flag }
    struct Name: Decodable {
        enum Kind: String, Decodable { case long, short, longWithSingleDash }
        var kind: Kind
        var name: String
    }

    var kind: Kind
    var names: [Name]?
    var valueName: String?
    var abstract: String?
    var discussion: String?
    var defaultValue: String?
    var allValues: [String]?
    var isOptional: Bool
    var isRepeating: Bool
    var shouldDisplay: Bool?

    var isHelpFlag: Bool { kind == .flag && (names ?? []).contains { $0.kind == .long && $0.name == "help" } }
    var isVersionFlag: Bool { kind == .flag && (names ?? []).contains { $0.kind == .long && $0.name == "version" } }
}
