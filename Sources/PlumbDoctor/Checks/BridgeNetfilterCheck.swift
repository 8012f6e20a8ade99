import PlumbModel

/// 5. br_netfilter off (or bridge-nf-call-iptables 0) in a namespace that publishes a port of a container to
/// the other containers of the same bridge: the DNATed request is routed, but the reply goes back across the
/// bridge without passing conntrack, so it is never un-NATed and the client drops it.
enum BridgeNetfilterCheck {
    static let id = "bridge-nf-off", number = 5

    static func run(_ ctx: DoctorContext) -> [Finding] {
        var out: [Finding] = []
        for b in ctx.bridges where b.endpoints.count >= 2 {
            let v4 = b.ns.sysctls.bridgeNfCallIptables
            if v4 == true { continue }
            // Published ports: DNAT to an address of one of this bridge's endpoints.
            let targets = b.endpoints.flatMap { e in e.link.addresses.filter(\.isIPv4).map { ($0.address, e) } }
            let nat = b.ns.firewall.table("ipv4", "nat")?.chains.flatMap { c in c.rules.map { (c.name, $0) } } ?? []
            let published = nat.compactMap { (chain, r) -> (String, FirewallRule, BridgeView.Endpoint)? in
                let t = RuleTokens(r.rule)
                guard t.target == "DNAT", let to = t.toDestination else { return nil }
                let host = to.hasPrefix("[") ? String(to.dropFirst().prefix { $0 != "]" }) : String(to.prefix { $0 != ":" })
                let hostIP = IPAddress(host)
                return targets.first { $0.0 == hostIP }.map { (chain, r, $0.1) }
            }
            guard let first = published.first else { continue }
            let loaded = v4 != nil || ctx.inputs.brNetfilterLoaded == true
            let fid = DoctorContext.id(id, b.ns, b.bridge.name)
            let fix: Plan? = v4 == false
                ? Plan(operation: .doctorFix(findingID: fid), steps: [.setSysctl(key: "net/bridge/bridge-nf-call-iptables",
                                                                           value: "1", previous: "0", in: ctx.ref(b.ns))])
                : nil
            out.append(Finding(
                id: fid, check: id, checkNumber: number, severity: .warning,
                title: loaded ? "bridge-nf-call-iptables is 0 in \(b.ns.displayName) while \(b.bridge.name) publishes ports"
                              : "br_netfilter is not loaded while \(b.bridge.name) publishes ports",
                subjects: [.init(namespace: b.ns.id, kind: .link, name: b.bridge.name),
                           .init(namespace: b.ns.id, kind: .sysctl, name: "net/bridge/bridge-nf-call-iptables")],
                evidence: ["\(b.ns.displayName) [\(b.ns.id)]: net.bridge.bridge-nf-call-iptables = "
                           + (v4.map { $0 ? "1" : "0" } ?? "absent (br_netfilter not loaded)")]
                    + published.prefix(4).map { "-A \($0.0) \($0.1.rule)  (to \($0.2.ns.displayName) on \(b.bridge.name))" },
                explanation: "\(first.2.ns.displayName) publishes a port that its neighbours on \(b.bridge.name) reach "
                    + "through the host's address. The request is DNATed, but the reply travels straight across the "
                    + "bridge; without br_netfilter handing bridged frames to iptables it is never translated back, so "
                    + "the client sees an answer from an address it did not talk to and drops it."
                    + (loaded ? "" : " Load it with `modprobe br_netfilter` (then this check offers the sysctl)."),
                fix: fix))
        }
        return out
    }
}
