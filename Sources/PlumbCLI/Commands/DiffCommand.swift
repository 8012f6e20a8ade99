import ArgumentParser
import Foundation
import PlumbModel

/// `plumb diff A B`: what changed between two saved `plumb snapshot --json` files, in the same terms as the
/// TUI's event log.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "Show what changed between two `plumb snapshot --json` files.",
        discussion: "Exit code 0 when nothing changed, 1 when something did (as diff(1) does), 64 when a file is not a snapshot.")

    @Argument(help: "The earlier snapshot file.", completion: .file(extensions: ["json"])) var before: String
    @Argument(help: "The later snapshot file.", completion: .file(extensions: ["json"])) var after: String
    @Flag(name: .long, help: "Print the events as JSON.") var json = false
    @Flag(name: .long, help: "Indent the JSON (with --json); the default is one line, like `ip -j`.")
    var pretty = false

    func run() throws {
        let a = try load(before), b = try load(after)
        let events = SnapshotDiff.events(from: a, to: b)
        try render(DiffOutput(events: events), as: OutputFormat(json: json, pretty: pretty))
        // As diff(1): scripts can test for change without parsing the output.
        if !events.isEmpty { throw ExitCode(PlumbExit.failure.rawValue) }
    }

    func load(_ path: String) throws -> Snapshot { try loadSnapshotFile(path) }
}

/// A saved `plumb snapshot --json` file (what `diff` compares and `map --from` draws).
func loadSnapshotFile(_ path: String) throws -> Snapshot {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CommandFailure(description: "cannot read \(path): no such file or not readable", code: PlumbExit.failure)
    }
    do {
        return try JSONDecoder().decode(Snapshot.self, from: data)
    } catch {
        throw CommandFailure(description: "\(path) is not a plumb snapshot: \(DecodingProblem.describe(error)) "
                             + "(`plumb snapshot --json > FILE` makes one)", code: PlumbExit.usage)
    }
}
