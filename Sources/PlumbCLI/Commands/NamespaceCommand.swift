import ArgumentParser
import PlumbModel
import PlumbKernel

/// `plumb ns ...`: list, add and remove network namespaces.
struct NamespaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ns",
        abstract: "List, create and remove network namespaces.",
        subcommands: [List.self, NamespaceAdd.self, NamespaceRemove.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls", abstract: "List every network namespace, how it is held and who lives in it.",
            aliases: ["list"])

        @OptionGroup var read: ReadOptions

        func run() throws {
            // The listing shows no rules, addresses or command lines: read only what it prints.
            var options = read.snapshotOptions()
            options.firewall = false
            options.processDetails = false
            options.linksOnly = true
            noteMissingPrivileges()
            let snap = SnapshotReader(options: options).read()
            try render(NamespaceListing(rows: snap.namespaces.map(NamespaceRow.init)), as: read.format)
        }
    }
}

/// `plumb ns ls`: one row per namespace, the same fields in text and JSON.
struct NamespaceListing: CommandOutput {
    var rows: [NamespaceRow]

    var json: [NamespaceRow] { rows }
    func text() -> String { NamespaceRow.table(rows) }
}

/// One line of `plumb ns ls`.
struct NamespaceRow: Encodable {
    var id: UInt64
    var isHost: Bool
    var name: String
    var names: [String]
    var containers: [Container]
    var heldBy: [String]
    var orphan: Bool
    var processes: Int
    var links: Int
    /// Why it is likely leaked (`Namespace.leakReason`); absent for every other namespace, named ones without
    /// a process included.
    var leak: String?

    init(_ ns: Namespace) {
        id = ns.id
        isHost = ns.isHost
        name = ns.displayName
        names = ns.names
        containers = ns.containers
        heldBy = Array(Set(ns.heldBy.map(\.kind.rawValue))).sorted()
        orphan = ns.isOrphan
        processes = ns.pids.count
        links = ns.links.count
        leak = ns.leakReason
    }

    static func table(_ rows: [NamespaceRow]) -> String {
        let header = ["NSID", "NAME", "CONTAINER", "HELD BY", "PROCS", "LINKS"]
        let body = rows.map { r -> [String] in
            [String(r.id), r.name,
             r.containers.first.map { "\($0.runtime.rawValue):\($0.name)" } ?? "-",
             r.heldBy.joined(separator: ",") + (r.leak.map { " (LEAK? \($0))" } ?? (r.orphan ? " (named, no process)" : "")),
             String(r.processes), String(r.links)]
        }
        return TextTable.render(header: header, rows: body)
    }
}
