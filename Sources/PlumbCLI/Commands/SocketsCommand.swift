import ArgumentParser
import PlumbKernel
import PlumbModel

/// `plumb ss`: the sockets of every namespace (or one) over sock_diag, like `ss -tuanp` run in each, with the
/// namespace and container of each socket and the processes that hold it.
struct SocketsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ss",
        abstract: "Show the TCP, UDP, raw and unix sockets of every namespace, with their owning processes.",
        discussion: """
            Without a protocol flag every protocol is shown. TCP connections carry RTT, retransmits and the \
            congestion window (tcp_info); owners come from a walk of /proc/PID/fd.
            """)

    @Argument(help: "Only this namespace (id, ip-netns name, container, pid:N or host).", completion: CompletionSources.targets)
    var target: String?

    @Flag(name: [.customShort("l"), .long], help: "Only listeners: LISTEN, and unconnected UDP and raw sockets.")
    var listening = false

    @Flag(name: [.customShort("t"), .long], help: "TCP sockets.")
    var tcp = false

    @Flag(name: [.customShort("u"), .long], help: "UDP sockets.")
    var udp = false

    @Flag(name: [.customShort("w"), .long], help: "Raw sockets.")
    var raw = false

    @Flag(name: [.customShort("x"), .long], help: "Unix sockets (stream, datagram and seqpacket).")
    var unix = false

    @Flag(name: .long, help: "Print JSON: [{namespace, name, containers, sockets, notes}].")
    var json = false

    @Flag(name: .long, help: "Indent the JSON.")
    var pretty = false

    var selection: SocketSelection {
        var protocols = Set<SocketProtocol>()
        if tcp { protocols.insert(.tcp) }
        if udp { protocols.insert(.udp) }
        if raw { protocols.insert(.raw) }
        if unix { protocols.formUnion([.unixStream, .unixDatagram, .unixSeqpacket]) }
        return SocketSelection(protocols: protocols.isEmpty ? Set(SocketProtocol.allCases) : protocols,
                               listeningOnly: listening)
    }

    func run() throws {
        // Without root, sock_diag still answers for this user's own namespaces (as `ss` does): show those.
        noteMissingPrivileges()
        var options = SnapshotOptions()
        // Links, routes and firewalls are not shown: only discovery (with the fd walk for owners), the sockets
        // and container attribution are read.
        options.netlink = false
        options.firewall = false
        options.sockets = true
        options.socketSelection = selection
        let reader = SnapshotReader(options: options)
        var snap = target.map { reader.read(target: $0) } ?? reader.read()
        if let target { snap.namespaces = [try resolveTarget(target, in: snap)] }
        let rows = snap.namespaces.map {
            SocketNamespaceRow(namespace: $0.id, name: $0.displayName, containers: $0.containers.map(\.name),
                               sockets: $0.sockets ?? [], notes: $0.notes)
        }
        try render(SocketListing(rows: rows), as: OutputFormat(json: json, pretty: pretty))
    }
}
