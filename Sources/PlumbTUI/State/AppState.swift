import PlumbMap
import PlumbModel

/// A one-line message in the status bar, until the next key.
public struct StatusMessage: Equatable, Sendable {
    public enum Level: Sendable { case info, error }
    public var level: Level
    public var text: String
    public static func info(_ t: String) -> StatusMessage { StatusMessage(level: .info, text: t) }
    public static func error(_ t: String) -> StatusMessage { StatusMessage(level: .error, text: t) }
}

public enum InputMode: Equatable, Sendable {
    case filter, command
    /// Editing the capture pane's BPF filter (Enter restarts the capture with it).
    case captureFilter
    /// Typing the file to save the captured packets to.
    case captureSave
    /// `/` on the map: a node's name or address to find.
    case mapFind
    /// `t`: where the live trace from `AppState.traceSource` goes ("10.0.0.2 80", "web 53/udp").
    case traceDestination

    /// What the status line shows before the text: each prompt says what it asks for.
    public var prompt: String {
        switch self {
        case .filter: return "filter: "
        case .mapFind: return "find on map: "
        case .command: return ":"
        case .captureFilter: return "BPF filter: "
        case .captureSave: return "save to: "
        case .traceDestination: return "live trace to: "  // the status line names the source namespace
        }
    }

    /// What the status line shows after the text: what to type and which keys finish it, so no prompt is bare.
    public var hint: String {
        switch self {
        case .filter: return "name, address or container · Enter keeps it · Esc clears"
        case .mapFind: return "name or address · Enter pans to it · Esc cancels"
        case .command: return ConsoleCommand.usage + " · Tab completes · Enter runs · Esc cancels"
        case .captureFilter: return "tcpdump syntax, empty = everything · Enter restarts the capture · Esc cancels"
        case .captureSave: return ".pcapng or .pcap · Enter saves · Esc cancels"
        case .traceDestination: return "IP or namespace [PORT or PORT/udp] (one real packet is sent) · Enter traces · Esc cancels"
        }
    }
}

/// Everything the UI remembers between frames. Selections are stored as identities (namespace id, link
/// id), not row numbers, so a refresh that adds or removes rows keeps the cursor on the same object.
public struct AppState: Equatable, Sendable {
    public var size: Size
    public var focus: Pane = .namespaces
    public var detailTab: DetailTab = .link
    public var selectedNamespace: UInt64?
    public var selectedLink: LinkID?
    /// Selected row per list tab of the details pane.
    public var detailRow: [DetailTab: Int] = [:]
    /// First visible row per scrolling area.
    public var scroll: [ScrollArea: Int] = [:]
    /// Where we were before each jump into the Firewall tab (Enter on a rule, `:chain`); Esc returns.
    public var jumpStack: [JumpOrigin] = []
    public var filter = ""
    public var input: InputMode?
    public var inputText = ""
    /// The namespace `t` traces from, while its destination is typed.
    public var traceSource: UInt64?
    public var showHelp = false
    /// The Map view, when open (`m`): it replaces the panes.
    public var mapView: MapViewState?
    public var paused = false
    /// The focused pane fills the screen.
    public var zoomed = false
    public var refreshInterval: Double
    public var message: StatusMessage?
    /// `--readonly`: keys that would change the system are refused (`ReadonlyPolicy`).
    public var readonly = false
    /// The doctor's findings on the current snapshot (the live loop runs the checks and sets them).
    public var findings: [Finding] = []
    /// Whether `findings` carry their fixes' comparisons (the live loop judges fixes only while the Doctor tab is
    /// open, where fixes are offered): `f` waits for them.
    public var findingsJudged = true
    /// A question on screen ("apply this plan?"): y/Enter performs `effect`, n/Esc drops it.
    public var confirm: Confirmation?
    /// The open capture pane, if any.
    public var capture: CapturePaneState?
    /// The Conntrack tab's newest read of the selected namespace (the live loop reads it while the tab is open).
    public var conntrack: ConntrackSample?
    /// The Ports tab: every published port with its target, reachability and listener (the live loop finds
    /// them with the doctor's inputs, as `plumb ports` does).
    public var ports: [PublishedPort] = []
    /// Why the Conntrack tab has no table (conntrack missing, the namespace gone), when it has none.
    public var conntrackNote: String?
    /// The drops of the last seconds (the live loop reads the drops feed); nil when drops are not watched.
    public var drops: DropActivity?
    /// The note naming processes whose namespace is unreadable was shown (once: nothing can be done about it,
    /// so it does not take the status bar on every frame).
    public var toldUnreadableProcesses = false
    /// Counts the snapshots `update(snapshot:)` was given: what the Map view's cache is keyed on.
    public var snapshotGeneration: UInt64 = 0
    /// The snapshot source's content version of the last snapshot (nil: unknown): snapshots with the same
    /// version differ only in their counters and time (`LiveModel.contentVersion`).
    public var snapshotContent: UInt64?
    /// With a cluster store: the other hosts' VTEPs and endpoints of the cluster overlays (the Map view draws
    /// them); nil without a store, or until the store was first read.
    public var cluster: MapClusterView?
    /// The last capture's BPF filter: a new capture (on a link or a whole namespace) starts with it.
    public var captureFilterMemory = ""
    /// The Processes tab shows kernel threads, the Neighbours tab noarp and multicast entries (`a` toggles).
    public var showAllRows = false
    /// The Processes tab's sort column (`o` cycles).
    public var processSort: ProcessSort = .pid
    /// What the panes made from the snapshot's content, kept while `snapshotContent` stays the same.
    public var paneCache = PaneCache()

    public init(size: Size = Size(width: 80, height: 24), refreshInterval: Double = 2) {
        self.size = size
        self.refreshInterval = refreshInterval
    }

    public var layout: Layout { Layout(size: size, zoomed: zoomed ? focus : nil, capture: capture != nil) }

    func selectedRow(_ tab: DetailTab) -> Int { detailRow[tab] ?? 0 }
}

/// The rows every pane shows for a state and snapshot, computed once: the reducer moves over them and
/// the views draw them.
struct PaneRows {
    let index: SnapshotIndex
    let namespaces: [Namespace]
    let namespace: Namespace?
    let topology: [TopologyRow]
    /// The Doctor tab's findings, as shown (sorted, filtered).
    let findings: [Finding]
    let badges: FindingRows.Badges
    /// The Processes and Neighbours tabs' options (`a`, `o`).
    let showAllRows: Bool
    let processSort: ProcessSort
    /// The Conntrack tab's rows (busiest first, at most `ConntrackRows.shown`).
    let conntrack: [ConntrackEntry]
    /// The Drops tab's rows: per namespace × reason × location, busiest first.
    let drops: [DropSummary.Group]
    /// The Ports tab's rows (filtered).
    let ports: [PublishedPort]

    /// The namespace list's position of `namespace` (the selection's row).
    let namespaceIndex: Int?
    /// The snapshot's content in `PaneCache` (nil: nothing is kept): the views keep their column widths under it.
    let content: PaneCache.Content?

    /// What depends on the snapshot's content alone (lookups, the namespace list's positions, the topology tree)
    /// comes from `state.paneCache` while the content version is the same (or, unfiltered, the shape); the
    /// namespaces and links themselves, and so their counters and states, always from `snapshot`.
    init(_ state: AppState, _ snapshot: Snapshot) {
        let cache = state.paneCache
        let content = cache.content(version: state.snapshotContent, of: snapshot)
        self.content = content
        // Kept across contents of the same shape (`PaneCache.Level`): the lookups, and without a filter the list's
        // positions and the tree (a filter matches addresses, which change with a link's state).
        let level: PaneCache.Level = state.filter.isEmpty ? .shape : .content
        let lookups = cache.value(.lookups, content: content, level: .shape, key: 0) { SnapshotIndex.Lookups(snapshot) }
        let index = SnapshotIndex(snapshot, lookups: lookups)
        self.index = index
        let positions = cache.value(.namespaceList, content: content, level: level, key: state.filter) {
            NamespaceRows.positions(snapshot, filter: state.filter, index: index)
        }
        let list = NamespaceRows.rows(snapshot, positions: positions)
        namespaces = list
        // By index: `first(where:)` hands each namespace to its closure as a copy.
        let at = list.withUnsafeBufferPointer { all -> Int? in
            guard !all.isEmpty else { return nil }
            guard let id = state.selectedNamespace else { return 0 }
            return all.indices.first { all[$0].id == id } ?? 0
        }
        namespaceIndex = at
        let ns = at.map { list[$0] }
        namespace = ns
        topology = ns.map { ns in
            cache.value(.topology, content: content, level: level,
                        key: TopologyKey(namespace: ns.id, filter: state.filter)) {
                TopologyRows.build(ns, index: index, filter: state.filter)
            }
        } ?? []
        findings = FindingRows.build(state.findings, filter: state.filter)
        badges = FindingRows.Badges(state.findings)
        showAllRows = state.showAllRows
        processSort = state.processSort
        // Built only while its tab is open: a big table is sorted by rate here.
        conntrack = state.detailTab == .conntrack
            ? state.conntrack.flatMap { $0.namespace == ns?.id ? ConntrackRows.build($0) : nil } ?? []
            : []
        drops = state.drops?.summary.groups ?? []
        ports = PortRows.build(state.ports, filter: state.filter)
    }

    /// What a namespace's topology tree is kept for, besides the content.
    struct TopologyKey: Hashable, Sendable {
        var namespace: UInt64
        var filter: String
    }

    /// By index: `firstIndex(where:)` hands each row (and its link) to its closure as a copy.
    func topologyIndex(_ id: LinkID?) -> Int? {
        guard let id else { return nil }
        return topology.withUnsafeBufferPointer { rows in rows.indices.first { rows[$0].id == id } }
    }

    func firewall(previous: Snapshot?) -> [FirewallRow] {
        guard let ns = namespace else { return [] }
        return FirewallRows.build(ns.firewall, previous: previous?.namespace(id: ns.id)?.firewall)
    }

    /// Number of rows of a details tab (0 for the link tab, which is not a list).
    func detailCount(_ tab: DetailTab) -> Int {
        guard let ns = namespace else { return 0 }
        switch tab {
        case .link: return 0
        case .firewall: return firewall(previous: nil).count
        case .routes: return ns.routes.count
        case .neighbors: return DetailRows.neighbors(ns, all: showAllRows).count
        case .sysctls: return DetailRows.sysctls(ns).count
        case .processes: return DetailRows.processes(ns, in: index.snapshot, all: showAllRows, sort: processSort).count
        case .sockets: return DetailRows.sockets(ns).count
        case .events: return 0  // a log, not a selectable list: the newest events are shown first
        case .findings: return findings.count
        case .conntrack: return conntrack.count
        case .drops: return drops.count
        case .ports: return ports.count
        }
    }
}
