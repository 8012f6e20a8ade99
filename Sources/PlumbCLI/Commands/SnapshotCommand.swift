import ArgumentParser
import PlumbModel
import PlumbKernel

/// `plumb snapshot`: the whole picture, as a readable tree or as the JSON contract.
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Print every network namespace with its links, addresses, routes and firewall.")

    @OptionGroup var read: ReadOptions

    @Argument(help: "Only this namespace (id, ip-netns name, container name/id, pid:N or host).", completion: CompletionSources.targets)
    var target: String?

    @Flag(name: .long, help: "Text: also show the local routing table and neighbours.")
    var all = false

    @Flag(name: .long, help: "Also read every namespace's sockets (JSON: `sockets` per namespace; see plumb ss).")
    var sockets = false

    @Flag(name: .long, help: "Print the summaries every live host's `plumb agent` published in the cluster store, merged (needs --store).")
    var cluster = false

    @OptionGroup var store: StoreOptions

    func run() throws {
        if cluster { return try ClusterSnapshot.print(store: store, format: read.format) }
        var options = read.snapshotOptions()
        options.sockets = sockets
        if noteMissingPrivileges() { options.firewall = false }  // iptables-save needs root
        let reader = SnapshotReader(options: options)
        let full = target.map { reader.read(target: $0) } ?? reader.read()
        var snap = full
        var scope: Set<UInt64>?
        if let target {
            let ns = try resolveTarget(target, in: full)
            snap.namespaces = [ns]
            snap.processes = full.processes.filter { $0.namespace == ns.id }
            scope = [ns.id]
        }
        if options.firewall { snap.publishedPorts = PublishedPorts.find(in: full, scope: scope) }
        // Peers in namespaces that were not shown are still named from the full list.
        try render(SnapshotOutput(snapshot: snap, names: full.namespaces, showAll: all), as: read.format)
    }
}
