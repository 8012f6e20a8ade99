import PlumbTUI

extension DetailTab {
    /// Whether the tab shows what no kernel event announces, so the live view reads the namespaces on screen
    /// again every few intervals while it is open: neighbours (not subscribed: ARP refreshes would cost a read
    /// each), sysctls, sockets, and what the doctor judges (its findings and the published ports). Links,
    /// addresses and routes arrive as events; the firewall tab reads its counters every interval anyway; the
    /// others have feeds of their own (events, drops, conntrack) or come from process events (processes).
    public var showsPolledData: Bool {
        switch self {
        case .neighbors, .sysctls, .sockets, .findings, .ports: return true
        case .link, .firewall, .routes, .processes, .events, .drops, .conntrack: return false
        }
    }
}
