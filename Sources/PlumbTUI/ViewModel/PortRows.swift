import PlumbModel

/// The Ports tab's rows: every published port as the live loop found it, in the order `plumb ports` lists them;
/// `/` narrows them by any text they show.
enum PortRows {
    static func build(_ ports: [PublishedPort], filter: String) -> [PublishedPort] {
        let f = Filter(filter)
        guard !f.isEmpty else { return ports }
        return ports.filter { p in
            f.hit(p.hostEndpoint) || f.hit(p.targetEndpoint) || f.hit(p.targetName ?? "") || f.hit(p.owner)
                || f.hit(p.chain ?? "")
        }
    }

    /// REACHED: the trace's evaluator on a new connection from outside ("yes", "NO", "?"; "-" for a
    /// docker-proxy-only mapping, which no rule translates).
    static func reached(_ p: PublishedPort) -> String {
        guard p.chain != nil else { return "-" }
        return p.reachesTarget.map { $0 ? "yes" : "NO" } ?? "?"
    }

    /// LISTENER: who answers at the target port.
    static func listener(_ p: PublishedPort) -> String {
        switch p.listener {
        case .none: return "nobody"
        case .wildcard: return "any address"
        case .address: return "its address"
        case .loopback: return "loopback only"
        case .other: return "another address"
        case .unknown: return "not read"
        }
    }

    /// Whether the row shows a problem (the doctor's check 14 reports the same).
    static func isBroken(_ p: PublishedPort) -> Bool {
        p.reachesTarget == false || p.listener == .none || p.listener == .loopback
    }
}
