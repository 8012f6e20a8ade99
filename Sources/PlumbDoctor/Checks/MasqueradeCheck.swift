import PlumbModel

/// 2. A bridged IPv4 subnet that routes out of its namespace (endpoints use the bridge as gateway, and the
/// namespace has a default route out) without a MASQUERADE/SNAT rule that covers it: replies from outside
/// cannot find their way back to a private source address.
enum MasqueradeCheck {
    static let id = "no-masquerade", number = 2

    static func covers(_ t: RuleTokens, subnet: CIDR, bridge: String) -> Bool {
        guard t.target == "MASQUERADE" || t.target == "SNAT" else { return false }
        if t.matchesOut(bridge) { return false }  // traffic into the bridge, not egress
        guard let s = t.source else { return true }
        guard let src = CIDR(s.value) else { return false }
        return s.negated ? !src.overlaps(subnet) : src.contains(subnet) || subnet.contains(src)
    }

    static func run(_ ctx: DoctorContext) -> [Finding] {
        var out: [Finding] = []
        for b in ctx.bridges where !b.isInternal(family: "ipv4") {
            let uplinks = b.ns.defaultRoutes(.ipv4).filter { $0.dev != b.bridge.name }
            guard !uplinks.isEmpty else { continue }
            let rules = b.ns.firewall.table("ipv4", "nat")?.chains.flatMap { c in c.rules.map { (c.name, $0) } } ?? []
            for gw in b.gateways where gw.isV4 {
                guard !b.gatewayUsers(gw).isEmpty else { continue }
                let subnet = gw.network
                if rules.contains(where: { covers(RuleTokens($0.1.rule), subnet: subnet, bridge: b.bridge.name) }) { continue }
                let fid = DoctorContext.id(id, b.ns, subnet.description)
                let spec = "-s \(subnet) ! -o \(b.bridge.name) -m comment --comment \"plumb-doctor:\(id)\" -j MASQUERADE"
                let fix = Plan(operation: "doctor fix \(fid)", steps: [.firewall(
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
}
