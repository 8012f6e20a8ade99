import PlumbModel

/// 10. A resolv.conf pointing at a loopback resolver that cannot answer in its namespace: 127.0.0.53 with no
/// stub listening there, or an embedded-DNS address (Docker's 127.0.0.11) without its DNAT rules or listener.
/// Needs `DoctorInputs.resolvers`; without it the check reports itself as not run.
enum DNSCheck {
    static let id = "dns-unreachable", number = 10

    static func run(_ ctx: DoctorContext) -> [Finding] {
        guard let resolvers = ctx.inputs.resolvers else { return [] }
        var out: [Finding] = []
        for ns in ctx.namespaces {
            guard let conf = resolvers[ns.id] else { continue }
            let nat = ns.firewall.table("ipv4", "nat")?.chains.flatMap { c in c.rules.map { (c.name, $0) } } ?? []
            for server in conf.nameservers {
                guard let a = IPPrefix(addressOrPrefix: server), a.address.isLoopback else { continue }
                let listening = conf.udp53Listeners.contains { $0 == server || $0 == "0.0.0.0" || $0 == "::" }
                let dnat = nat.filter { (_, r) in
                    let t = RuleTokens(r.rule)
                    return t.target == "DNAT" && t.destination.flatMap { IPPrefix(addressOrPrefix: $0.value) }.map { $0.contains(a) && !(t.destination!.negated) } == true
                }
                if listening || !dnat.isEmpty { continue }
                let fid = DoctorContext.id(id, ns, server)
                out.append(Finding(
                    id: fid, check: id, checkNumber: number, severity: .error,
                    title: "\(ns.displayName) resolves names via \(server), which nothing serves in its namespace",
                    subjects: [.init(namespace: ns.id, kind: .namespace)],
                    evidence: ["\(conf.source): nameserver \(server)",
                               "UDP port 53 listeners in \(ns.displayName): "
                               + (conf.udp53Listeners.isEmpty ? "none" : conf.udp53Listeners.joined(separator: ", ")),
                               "nat rules with DNAT for -d \(server): none"],
                    explanation: "\(server) is a loopback address: it means \"this namespace\", not the host. "
                        + (server == "127.0.0.53"
                           ? "systemd-resolved's stub listens there only in the host namespace, so the copied resolv.conf "
                             + "points at nothing. Point it at a resolver reachable from the container (the host's "
                             + "upstream servers, or the bridge gateway if a resolver listens there)."
                           : "An embedded DNS server needs a listener or DNAT rules inside the namespace; both are gone "
                             + "(the runtime's resolver died or its rules were flushed). Restart the container or its runtime.")))
            }
        }
        return out
    }
}
