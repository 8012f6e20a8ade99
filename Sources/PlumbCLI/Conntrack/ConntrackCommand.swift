import ArgumentParser
import PlumbKernel
import PlumbModel

/// `plumb conntrack`: the connection tracking table of a namespace (`list`, the default), its live events
/// (`--watch`), and deleting entries (`delete`).
struct ConntrackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conntrack",
        abstract: "Show, watch and delete the connection tracking (conntrack) entries of a namespace.",
        subcommands: [ConntrackListCommand.self, ConntrackDeleteCommand.self],
        defaultSubcommand: ConntrackListCommand.self)
}

struct ConntrackListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List a namespace's conntrack entries: tuples, NAT, state, mark, zone, timeout, counters.",
        discussion: """
            Ends with a summary line: the entries shown, the entries in the table and nf_conntrack_max. \
            Counters appear when accounting is on (sysctl net.netfilter.nf_conntrack_acct=1 in the namespace).
            """,
        aliases: ["ls"])

    @Argument(help: "The namespace (id, ip-netns name, container, pid:N or host; default host).", completion: CompletionSources.targets)
    var target: String?

    @OptionGroup var filterOptions: ConntrackFilterOptions

    @Flag(name: .long, help: "Print live events (new, update, destroy) until interrupted; with --json, one JSON object per line.")
    var watch = false

    @Option(name: .long, help: "With --watch: stop after this many events.")
    var maxEvents: Int?

    @Flag(name: .long, help: "Print JSON: {namespace, name, usage, shown, entries}.")
    var json = false

    @Flag(name: .long, help: "Indent the JSON.")
    var pretty = false

    func run() throws {
        try requirePrivileges()
        let filter = try filterOptions.filter()
        if maxEvents != nil && !watch {
            throw CommandFailure(description: "--max-events goes with --watch", code: PlumbExit.usage)
        }
        if let maxEvents, maxEvents < 1 {
            throw CommandFailure("--max-events \(maxEvents): give at least 1 event (or leave it out to watch until interrupted)", .invalidInput)
        }
        let ns = try ConntrackNamespace.resolve(target)
        if watch {
            try ConntrackWatch(namespace: ns, filter: filter, json: json, maxEvents: maxEvents).run()
            return
        }
        let socket = try ns.open()
        let listing: ConntrackListing
        do {
            let usage = try socket.usage()
            let entries = try socket.entries(reserve: usage.count + usage.count / 8)
            listing = ConntrackListing(namespace: ns.id, name: ns.name, usage: usage,
                                       entries: filter.isEmpty ? entries : entries.filter(filter.matches))
        } catch {
            throw ConntrackNamespace.failure(error, in: ns.name)
        }
        if json {
            try render(listing, as: .json(pretty: pretty))
        } else {
            listing.writeText(to: 1)
        }
    }
}
