import PlumbModel

/// 2. A bridged IPv4 subnet that routes out of its namespace (endpoints use the bridge as gateway, and the
/// namespace has a default route out) without a MASQUERADE/SNAT rule that covers it: replies from outside
/// cannot find their way back to a private source address.
enum MasqueradeCheck {
    static let id = "no-masquerade", number = 2

    static func covers(_ t: RuleTokens, subnet: IPPrefix, bridge: String) -> Bool {
        guard t.target == "MASQUERADE" || t.target == "SNAT" else { return false }
        if t.matchesOut(bridge) { return false }  // traffic into the bridge, not egress
        guard let s = t.source else { return true }
        guard let src = IPPrefix(addressOrPrefix: s.value) else { return false }
        return s.negated ? !src.overlaps(subnet) : src.contains(subnet) || subnet.contains(src)
    }

    static func run(_ ctx: DoctorContext) -> [Finding] {
        var out: [Finding] = []
        for b in ctx.bridges where !b.isInternal(family: "ipv4") {
            let uplinks = b.ns.defaultRoutes(.ipv4).filter { $0.dev != b.bridge.name }
            guard !uplinks.isEmpty else { continue }
            let rules = b.ns.firewall.table("ipv4", "nat")?.chains.flatMap { c in c.rules.map { (c.name, $0) } } ?? []
            for gw in b.gateways where gw.isIPv4 {
                guard !b.gatewayUsers(gw).isEmpty else { continue }
                let subnet = gw.canonical
                let covering = rules.filter { covers(RuleTokens($0.1.rule), subnet: subnet, bridge: b.bridge.name) }
                if !covering.isEmpty {
                    if let f = unmatched(ctx, b, subnet: subnet, covering: covering) { out.append(f) }
                    continue
                }
                let fid = DoctorContext.id(id, b.ns, subnet.description)
                let spec = "-s \(subnet) ! -o \(b.bridge.name) -m comment --comment \"plumb-doctor:\(id)\" -j MASQUERADE"
                let fix = Plan(operation: .doctorFix(findingID: fid), steps: [.firewall(
                    family: "ipv4", batch: "*nat\n-A POSTROUTING \(spec)\nCOMMIT\n",
                    undo: "*nat\n-D POSTROUTING \(spec)\nCOMMIT\n", in: ctx.ref(b.ns))])
                out.append(Finding(
                    id: fid, check: id, checkNumber: number, severity: .warning,
                    title: "Subnet \(subnet) on \(b.bridge.name) leaves \(b.ns.displayName) without masquerading",
                    subjects: [.init(namespace: b.ns.id, kind: "link", name: b.bridge.name),
                               .init(namespace: b.ns.id, kind: "chain", name: "nat/POSTROUTING")],
                    evidence: [b.bridge.evidence(in: b.ns)] + uplinks.map { "\(b.ns.displayName): \($0.evidence)" }
                        + ["nat table: no MASQUERADE or SNAT rule matches source \(subnet) (\(rules.count) nat rules read)"],
                    explanation: "Containers on \(subnet) use private addresses. Packets they send out through "
                        + "\(uplinks[0].dev ?? "the uplink") keep that source, so the other side answers an address it "
                        + "cannot route back to and connections to the outside hang.",
                    fix: fix))
            }
        }
        return out
    }

    static let unmatchedId = "masquerade-unmatched"

    /// The covering rules exist but have never matched, while FORWARD accepted traffic leaving the bridge: an
    /// earlier rule in the nat path (ACCEPT/RETURN) or a wrong `-o` keeps them from applying.
    static func unmatched(_ ctx: DoctorContext, _ b: BridgeView, subnet: IPPrefix, covering: [(String, FirewallRule)]) -> Finding? {
        guard covering.allSatisfy({ $0.1.packets == 0 }), let filter = b.ns.firewall.table("ipv4", "filter") else { return nil }
        let egress = filter.reachable(from: "FORWARD").flatMap { c in c.rules.map { (c.name, $0) } }.filter { (_, r) in
            let t = RuleTokens(r.rule)
            return t.target == "ACCEPT" && t.matchesIn(b.bridge.name) && !t.matchesOut(b.bridge.name) && !t.hasConntrackEstablished
        }
        guard let busy = egress.first(where: { $0.1.packets > 0 }) else { return nil }
        let fid = DoctorContext.id(unmatchedId, b.ns, subnet.description)
        return Finding(
            id: fid, check: unmatchedId, checkNumber: number, severity: .warning,
            title: "MASQUERADE for \(subnet) never matches while \(b.bridge.name) forwards traffic out",
            subjects: [.init(namespace: b.ns.id, kind: "link", name: b.bridge.name),
                       .init(namespace: b.ns.id, kind: "chain", name: "nat/\(covering[0].0)")],
            evidence: covering.map { "-A \($0.0) \($0.1.rule)  [\($0.1.packets) pkts]" }
                + ["-A \(busy.0) \(busy.1.rule)  [\(busy.1.packets) pkts]"],
            explanation: "Packets from \(subnet) are forwarded out (the FORWARD counter grows) but the rule meant to "
                + "masquerade them has counted nothing: a rule before it in the nat table accepts or returns them, "
                + "or its interface match is wrong. They leave with private source addresses and replies never come "
                + "back. Compare the order with `iptables -t nat -S POSTROUTING`.")
    }
}
