/// The panes. The capture pane exists only while a capture is open (`c`); Tab visits the visible ones in
/// `tabOrder`.
public enum Pane: Int, Sendable, CaseIterable {
    case namespaces, topology, details, capture

    /// Tab order: the capture pane sits below the topology, so it comes between topology and details.
    static let tabOrder: [Pane] = [.namespaces, .topology, .capture, .details]

    var context: KeyContext {
        switch self {
        case .namespaces: return .namespaces
        case .topology: return .topology
        case .details: return .details
        case .capture: return .capture
        }
    }
}

/// The tabs of the details pane.
public enum DetailTab: Int, Sendable, CaseIterable {
    case link, firewall, routes, neighbors, sysctls, processes, sockets, events, findings, ports, drops, conntrack

    public var title: String {
        switch self {
        case .link: return "Link"
        case .firewall: return "Firewall"
        case .routes: return "Routes"
        case .neighbors: return "Neighbours"
        case .sysctls: return "Sysctls"
        case .processes: return "Processes"
        case .sockets: return "Sockets"
        case .events: return "Events"
        case .findings: return "Doctor"
        case .conntrack: return "Conntrack"
        case .drops: return "Drops"
        case .ports: return "Ports"
        }
    }

    /// For narrow terminals, where all six long titles do not fit.
    public var shortTitle: String {
        switch self {
        case .link: return "Link"
        case .firewall: return "FW"
        case .routes: return "Routes"
        case .neighbors: return "Neigh"
        case .sysctls: return "Sys"
        case .processes: return "Procs"
        case .sockets: return "Socks"
        case .events: return "Evts"
        case .findings: return "Dr"
        case .conntrack: return "CT"
        case .drops: return "Drop"
        case .ports: return "Ports"
        }
    }
}

/// Areas that scroll independently; their first visible row lives in `AppState.scroll`.
public enum ScrollArea: Hashable, Sendable {
    case namespaces, topology, details(DetailTab), help, capture
}
