import ArgumentParser
import PlumbKernel
import PlumbModel

/// `plumb fw`: the iptables/nftables rules of every namespace (or one), with counters — without reading links
/// and routes, so it is the quick way to answer "what does the firewall do, everywhere".
struct FirewallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fw",
        abstract: "Show the firewall (iptables and nftables) of every namespace, with counters.")

    @Argument(help: "Only this namespace (id, ip-netns name, container, pid:N or host).", completion: CompletionSources.targets)
    var target: String?

    @Flag(name: .long, help: "Print JSON: [{namespace, name, firewall}].")
    var json = false

    @Flag(name: .long, help: "Indent the JSON.")
    var pretty = false

    @Flag(name: .long, help: "Text: also list namespaces with an empty firewall.")
    var all = false

    func run() throws {
        try requirePrivileges()
        var options = SnapshotOptions()
        options.netlink = false
        options.scanFds = false
        options.processDetails = false
        let reader = SnapshotReader(options: options)
        var snap = target.map { reader.read(target: $0) } ?? reader.read()
        if let target { snap.namespaces = [try resolveTarget(target, in: snap)] }
        let rows = snap.namespaces.map { FirewallRow(namespace: $0.id, name: $0.displayName, firewall: $0.firewall) }
        try render(FirewallListing(rows: rows, showEmpty: all || target != nil), as: OutputFormat(json: json, pretty: pretty))
    }
}

/// `plumb fw`: each namespace's firewall. The text leaves out empty firewalls unless asked (`--all`, or one
/// namespace named); the JSON has every row.
struct FirewallListing: CommandOutput {
    var rows: [FirewallRow]
    var showEmpty: Bool

    var json: [FirewallRow] { rows }
    func text() -> String {
        var text = ""
        for r in rows where showEmpty || !r.firewall.tables.isEmpty || !r.firewall.notes.isEmpty {
            text += "\(r.name)  net:[\(r.namespace)]\n" + SnapshotTextRenderer().firewallText(r.firewall)
        }
        return text.isEmpty ? "no namespace has firewall rules\n" : text
    }
}

struct FirewallRow: Encodable {
    var namespace: UInt64
    var name: String
    var firewall: Firewall
}
