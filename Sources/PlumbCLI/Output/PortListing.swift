import PlumbModel

/// `plumb ports`: one row per published port (host endpoint → target), who made it, whether a connection
/// from outside reaches the target (the trace's evaluator), and what listens there. JSON: the PublishedPort
/// values.
struct PortListing: CommandOutput {
    var ports: [PublishedPort]
    /// Namespace id → display name, for the "Host" column.
    var names: [UInt64: String]

    var json: [PublishedPort] { ports }

    func text() -> String {
        if ports.isEmpty { return "no published ports\n" }
        let rows = ports.map { p -> [String] in
            [names[p.namespace] ?? String(p.namespace), p.hostEndpoint, p.targetEndpoint, p.targetName ?? "-", p.owner,
             p.reachesTarget.map { $0 ? "yes" : "NO" } ?? "?", Self.listener(p)]
        }
        return TextTable.render(header: ["Host", "Published", "Target", "Namespace", "By", "Reaches", "Listener"], rows: rows)
    }

    /// "wildcard 0.0.0.0:80", "NONE", "loopback only 127.0.0.1:80", "?" (not read).
    static func listener(_ p: PublishedPort) -> String {
        let at = p.listenerAddresses.joined(separator: ",")
        switch p.listener {
        case .none: return "NONE"
        case .unknown: return "?"
        case .loopback: return "loopback only \(at)"
        case .wildcard, .address: return "\(p.listener.rawValue) \(at)"
        case .other: return "other address \(at)"
        }
    }
}
