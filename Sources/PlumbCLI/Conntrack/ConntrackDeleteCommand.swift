import ArgumentParser
import Foundation
import PlumbActions
import PlumbKernel
import PlumbModel

/// `plumb conntrack delete`: deletes the entries a filter selects, as a plan (one step listing every entry)
/// that `--dry-run` prints and the journal records. An empty filter would empty the whole table, which drops
/// NAT state of every live connection: it takes `--all --yes`.
struct ConntrackDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete the conntrack entries a filter selects (planned, journaled; --dry-run shows them).",
        discussion: """
            Each entry is deleted by its original tuple, zone and kernel id, so a newer connection that reuses \
            a tuple is left alone; entries that expired meanwhile are skipped. A live connection makes a new \
            entry with its next packet (through the current NAT rules), which is what deleting stale NAT \
            entries is for. Without a filter it refuses, unless given --all --yes.
            """)

    @Argument(help: "The namespace (id, ip-netns name, container, pid:N or host; default host).", completion: CompletionSources.targets)
    var target: String?

    @OptionGroup var filterOptions: ConntrackFilterOptions

    @Flag(name: .long, help: "Select every entry (needs --yes; no other filter).")
    var all = false

    @Flag(name: .long, help: "Confirm deleting every entry (with --all).")
    var yes = false

    @Flag(name: .long, help: "Print the plan (one conntrack -D line per entry) and delete nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Print the result (or the plan, with --dry-run) as JSON.")
    var json = false

    @Flag(name: .long, help: "Indent the JSON (with --json); the default is one line, like `ip -j`.")
    var pretty = false

    @Option(name: .long, help: "State directory (journal). Default: $PLUMB_STATE_DIR or /var/lib/plumb.")
    var stateDir: String?

    func run() throws {
        try requirePrivileges()
        let filter = try filterOptions.filter()
        if all && !filter.isEmpty {
            throw CommandFailure(description: "--all selects every entry: drop it, or drop the filter options", code: PlumbExit.usage)
        }
        if filter.isEmpty && !(all && yes) {
            throw CommandFailure(description: "refusing to delete every conntrack entry: give a filter (--src, --dst, --port, --proto, --nat), or --all --yes",
                                 code: PlumbExit.usage)
        }
        let ns = try ConntrackNamespace.resolve(target)
        let socket = try ns.open()
        let selected: [ConntrackEntry]
        do { selected = try socket.entries().filter(filter.matches) } catch { throw ConntrackNamespace.failure(error, in: ns.name) }
        let plan = ConntrackService.plan(deleting: selected, in: ns.handle, target: target ?? "host", filter: filter)
        let result = ConntrackDeleteResult(namespace: ns.id, name: ns.name, filter: filter.description,
                                           deleted: selected.count, dryRun: dryRun)
        if dryRun || selected.isEmpty {
            let report = ChangeReport(plans: [plan], dryRun: dryRun, result: AnyEncodable(result), summary: result.summary)
            try render(report, as: OutputFormat(json: json, pretty: pretty))
            return
        }
        let store: StateStore
        do { store = try StateStore(path: Self.statePath(stateDir)) } catch {
            throw CommandFailure(description: "cannot open the state store \(Self.statePath(stateDir)): \(error)", code: PlumbExit.failure)
        }
        try perform { try ConntrackService(store: store).apply(plan) }
        try render(ChangeReport(plans: [plan], dryRun: false, result: AnyEncodable(result), summary: result.summary),
                   as: OutputFormat(json: json, pretty: pretty))
    }

    static func statePath(_ dir: String?) -> String {
        "\(dir ?? ProcessInfo.processInfo.environment["PLUMB_STATE_DIR"] ?? "/var/lib/plumb")/state.db"
    }
}

/// What `conntrack delete` did (or, with --dry-run, would do).
struct ConntrackDeleteResult: Encodable {
    var namespace: UInt64?
    var name: String
    var filter: String
    var deleted: Int
    var dryRun: Bool

    var summary: String {
        if deleted == 0 { return "no conntrack entry in \(name) matches \(filter): nothing to delete" }
        return "\(dryRun ? "would delete" : "deleted") \(deleted) conntrack \(deleted == 1 ? "entry" : "entries") in \(name) (\(filter))"
    }
}
