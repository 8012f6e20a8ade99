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
            try render(NamespaceListing(rows: snap.namespaces.map { NamespaceRow($0, at: snap.takenAt) }), as: read.format)
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
    /// The owning user namespace, when it is not the host's (rootless containers).
    var owner: NamespaceOwner?
    /// Why no container was named, and the best evidence of who made it.
    var why: Unattributed?
    /// How long a likely leak has been held so, in seconds (`Namespace.heldFor`); absent when `leak` is, or
    /// when its holder's time could not be read.
    var leakAge: Int?
    /// The user-mode network helper (slirp4netns, pasta) serving it, when one does.
    var helper: NetworkHelper?

    init(_ ns: Namespace, at now: Double) {
        id = ns.id
        isHost = ns.isHost
        name = ns.displayName
        names = ns.names
        containers = ns.containers
        heldBy = Array(Set(ns.heldBy.map(\.kind.rawValue))).sorted()
        orphan = ns.isOrphan
        processes = ns.pids.count
        links = ns.links.count
        leak = ns.leakReason(at: now)
        owner = ns.owner
        why = ns.why
        leakAge = ns.isLikelyLeak ? ns.heldFor(at: now) : nil
        helper = ns.helper
    }

    static func table(_ rows: [NamespaceRow]) -> String {
        // The OWNER column appears only when some namespace is owned by another user namespace (rootless).
        let owners = rows.contains { $0.owner != nil }
        let header = ["NSID", "NAME", "CONTAINER"] + (owners ? ["OWNER"] : []) + ["HELD BY", "PROCS", "LINKS"]
        let body = rows.map { r -> [String] in
            var cells = [String(r.id), r.name, containerCell(r)]
            if owners { cells.append(ownerCell(r.owner)) }
            let note = r.leak.map { " (LEAK? \($0))" } ?? (r.orphan ? " (named, no process)" : "")
            cells += [r.heldBy.joined(separator: ",") + note, String(r.processes), String(r.links)]
            return cells
        }
        return TextTable.render(header: header, rows: body)
    }

    /// "docker:web"; without a container, what made it: "(ip netns)", "(unshare)".
    static func containerCell(_ r: NamespaceRow) -> String {
        if let c = r.containers.first { return "\(c.runtime.rawValue):\(c.name)" }
        if let why = r.why { return "(\(why.maker))" }
        return "-"
    }

    /// "alice (1000)", "uid 1000", "user:[ID]"; "-" for the host's own user namespace.
    static func ownerCell(_ o: NamespaceOwner?) -> String {
        guard let o else { return "-" }
        if let user = o.user, let uid = o.uid { return "\(user) (\(uid))" }
        return o.short
    }
}
