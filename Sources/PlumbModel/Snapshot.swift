/// One complete picture of the host's networking, as read at one moment. Everything else in Plumb reads this.
/// Its JSON form (`plumb snapshot --json`) is a public contract: see the README's schema section.
public struct Snapshot: Codable, Sendable, Equatable {
    public var schemaVersion: Int = 1
    /// Seconds since the epoch when reading started.
    public var takenAt: Double
    /// Namespaces, host first, then by id.
    public var namespaces: [Namespace]
    /// Every process seen (pid, comm, cmdline, uid, namespace).
    public var processes: [ProcessRecord]
    /// How discovery went: counts of what was read, skipped or vanished.
    public var discovery: DiscoveryStats
    /// Degraded features and partial failures, in words a user can act on.
    public var notes: [String]
    /// Every way a host port reaches a namespace (DNAT rules nat PREROUTING reaches, docker-proxy), with its
    /// target and listener; nil when not computed (it needs the firewall, and the trace's evaluator).
    public var publishedPorts: [PublishedPort]?
    /// The networks container runtimes defined (Docker's, Podman's, CNI configs), read from their files; nil
    /// when containers were not attributed. The map names bridges after them.
    public var runtimeNetworks: [RuntimeNetwork]?

    public init(takenAt: Double, namespaces: [Namespace], processes: [ProcessRecord],
                discovery: DiscoveryStats, notes: [String] = []) {
        self.takenAt = takenAt
        self.namespaces = namespaces
        self.processes = processes
        self.discovery = discovery
        self.notes = notes
    }

    public var host: Namespace? { namespaces.first(where: \.isHost) }

    public func namespace(id: UInt64) -> Namespace? { namespaces.first(where: { $0.id == id }) }
}

public struct DiscoveryStats: Codable, Sendable, Equatable {
    public var processesScanned = 0
    public var threadsScanned = 0
    /// Processes that exited while being read.
    public var processesVanished = 0
    /// Processes whose namespace links could not be read (EACCES, e.g. PID 1 on some machines).
    public var processesUnreadable = 0
    public var fdsScanned = 0
    public var mountTablesScanned = 0
    /// Namespaces found that vanished before their links could be read.
    public var namespacesVanished = 0
    /// Wall time of each phase, milliseconds.
    public var discoveryMillis = 0.0
    public var netlinkMillis = 0.0
    public var firewallMillis = 0.0
    /// Resolving veth peers and link parents across namespaces (RTM_GETNSID).
    public var wiringMillis = 0.0

    public init() {}
}

/// The note about processes whose namespace link could not be read (EACCES, e.g. PID 1 on some machines). It
/// names them; the TUI shows it once rather than on every frame, since nothing can be done about it.
public enum UnreadableProcessesNote {
    static let marker = "could not be read (EACCES)"

    /// "the network namespace of pid 1 (systemd) could not be read (EACCES): it is counted but in no namespace".
    public static func text(_ unreadable: [ProcessRecord], count: Int) -> String {
        var who = unreadable.prefix(3).map { $0.comm.isEmpty ? "pid \($0.pid)" : "pid \($0.pid) (\($0.comm))" }
        if count > who.count { who.append("\(count - who.count) more") }
        let subject = who.isEmpty ? "\(count) \(count == 1 ? "process" : "processes")" : who.joined(separator: ", ")
        return "the network namespace of \(subject) \(marker): "
            + (count == 1 ? "it is counted but placed in no namespace" : "they are counted but placed in no namespace")
    }

    public static func matches(_ note: String) -> Bool { note.contains(marker) }
}
