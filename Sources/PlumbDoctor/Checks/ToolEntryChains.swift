import PlumbModel

/// Where each container tool jumps into its own chains from the built-in chains: what the tools' sources
/// write (Docker's libnetwork iptables driver, the CNI portmap/firewall plugins, netavark, Plumb's
/// BridgeFirewall), not a guess from the chain's name. Only these chains get "the jump is gone, put it back"
/// as a finding with a fix. Every other tool chain is entered from another tool chain (Docker's
/// DOCKER-ISOLATION-STAGE-2, CNI's and netavark's HOSTPORT-SETMARK, per-container CNI-DN-* chains): nothing
/// jumping to one of those means its container is gone, and a jump from a built-in chain would apply it to
/// every packet (CNI-HOSTPORT-SETMARK from PREROUTING marks all local traffic for masquerading).
enum ToolEntryChains {
    struct Entry: Equatable {
        /// The built-in chain that jumps here, and the matches of that jump ("" or "-m addrtype --dst-type LOCAL ").
        var builtin: String
        var match: String
    }

    private static let local = "-m addrtype --dst-type LOCAL "

    /// table → chain → entry.
    static let entries: [String: [String: Entry]] = [
        "filter": [
            "DOCKER-USER": Entry(builtin: "FORWARD", match: ""),
            "DOCKER-FORWARD": Entry(builtin: "FORWARD", match: ""),
            "DOCKER-ISOLATION-STAGE-1": Entry(builtin: "FORWARD", match: ""),
            "DOCKER": Entry(builtin: "FORWARD", match: ""),
            "DOCKER-INGRESS": Entry(builtin: "FORWARD", match: ""),
            "CNI-FORWARD": Entry(builtin: "FORWARD", match: ""),
            "NETAVARK_FORWARD": Entry(builtin: "FORWARD", match: ""),
            "PLUMB-FORWARD": Entry(builtin: "FORWARD", match: ""),
        ],
        "nat": [
            "DOCKER": Entry(builtin: "PREROUTING", match: local),
            "DOCKER-INGRESS": Entry(builtin: "PREROUTING", match: local),
            "CNI-HOSTPORT-DNAT": Entry(builtin: "PREROUTING", match: local),
            "NETAVARK-HOSTPORT-DNAT": Entry(builtin: "PREROUTING", match: local),
            "PLUMB-DNAT": Entry(builtin: "PREROUTING", match: local),
            "CNI-HOSTPORT-MASQ": Entry(builtin: "POSTROUTING", match: ""),
            "NETAVARK-HOSTPORT-MASQ": Entry(builtin: "POSTROUTING", match: ""),
            "PLUMB-POSTROUTING": Entry(builtin: "POSTROUTING", match: ""),
        ],
    ]

    static func entry(table: String, chain: String) -> Entry? { entries[table]?[chain] }
}

extension FirewallTable {
    /// The chains some packet can reach: the built-in chains and, transitively, every chain a rule of a
    /// reachable chain jumps or goes to. A chain only jumped to from unreachable chains is unreachable too.
    var reachableChains: Set<String> {
        var seen: Set<String> = [], queue = chains.filter(\.isBuiltin).map(\.name)
        while let name = queue.popLast() {
            guard seen.insert(name).inserted, let c = chain(name) else { continue }
            for r in c.rules { if let t = r.target ?? RuleTokens(r.rule).target, !seen.contains(t) { queue.append(t) } }
        }
        return seen
    }
}
