import ArgumentParser
import PlumbApp
import PlumbKernel
import PlumbModel
import PlumbTrace

/// `plumb ports`: every way a host port reaches a namespace — Docker's DNAT rules and docker-proxy, CNI
/// portmap, netavark, Plumb's networks, kube-proxy, hand-written DNAT — with the target namespace, whether a
/// new connection from outside gets there, and what listens behind it.
struct PortsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ports",
        abstract: "List published ports: host address:port → namespace address:port, who made it, and what listens there.",
        discussion: """
            Reads the nat tables of every namespace (DNAT rules that nat PREROUTING reaches) and docker-proxy \
            processes. "Reaches" is the trace's netfilter evaluator on a new connection from outside (yes, NO, \
            or ? when a rule it cannot read decides); "Listener" comes from sock_diag in the target namespace: \
            wildcard, address, loopback only, other address, NONE, or ? (not read).
            """)

    @Argument(help: "Only ports published in this namespace (id, ip-netns name, container name/id, pid:N or host).", completion: CompletionSources.targets)
    var target: String?

    @Flag(name: .long, help: "Print JSON: an array of published ports (see docs/json.md).")
    var json = false

    @Flag(name: .long, help: "Indent the JSON.")
    var pretty = false

    func run() throws {
        try requirePrivileges()
        let snap = SnapshotReader(options: SnapshotOptions()).read()
        var scope: Set<UInt64>?
        if let target { scope = [try resolveTarget(target, in: snap).id] }
        let ports = PublishedPorts.find(in: snap, scope: scope)
        let names = Dictionary(snap.namespaces.map { ($0.id, $0.displayName) }, uniquingKeysWith: { a, _ in a })
        try render(PortListing(ports: ports, names: names), as: OutputFormat(json: json, pretty: pretty))
    }
}

/// The published ports of a snapshot with their listeners read: what `plumb ports` and `plumb snapshot` show.
enum PublishedPorts {
    static func find(in snap: Snapshot, scope: Set<UInt64>? = nil) -> [PublishedPort] {
        // Found once: whose listeners to read, then what listens behind each.
        let ports = PublishedPortFinder.find(snap, scope: scope)
        return PublishedPortFinder.classified(ports, listeners: Diagnosis.listeners(of: Set(ports.compactMap(\.targetNamespace)), in: snap))
    }
}
