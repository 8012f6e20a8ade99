import PlumbModel

/// 12. Hairpin mode off on the bridge port of a container whose own published port is DNATed back to it from
/// its bridge: the request must leave by the port it came in, which a bridge refuses without hairpin mode.
/// Setups that keep bridge traffic out of the DNAT (Docker's `-i docker0 -j RETURN` with its userland proxy)
/// do not need it.
enum HairpinCheck {
    static let id = "hairpin-off", number = 12

    static func run(_ ctx: DoctorContext) -> [Finding] {
        var out: [Finding] = []
        for b in ctx.bridges {
            guard let nat = b.ns.firewall.table("ipv4", "nat") else { continue }
            for e in b.endpoints where e.port.bridgePort?.hairpin == false {
                let addrs = Set(e.link.addresses.compactMap { CIDR($0) }.filter(\.isV4).map(\.address))
                for c in nat.chains {
                    // Traffic from the bridge skips this chain: no hairpin needed.
                    if c.rules.contains(where: { let t = RuleTokens($0.rule); return t.target == "RETURN" && t.matchesIn(b.bridge.name) }) { continue }
                    guard let r = c.rules.first(where: { r in
                        let t = RuleTokens(r.rule)
                        guard t.target == "DNAT", let to = t.toDestination else { return false }
                        if let i = t.inIface, !i.negated { return false }  // only from outside
                        return addrs.contains(String(to.prefix { $0 != ":" }))
                    }) else { continue }
                    let fid = DoctorContext.id(id, b.ns, e.port.name)
                    out.append(Finding(
                        id: fid, check: id, checkNumber: number, severity: .warning,
                        title: "\(e.ns.displayName) cannot reach its own published port: hairpin is off on \(e.port.name)",
                        subjects: [.init(namespace: b.ns.id, kind: "link", name: e.port.name),
                                   .init(namespace: e.ns.id, kind: "link", name: e.link.name)],
                        evidence: [e.port.evidence(in: b.ns, master: b.bridge) + " hairpin off", "-A \(c.name) \(r.rule)"],
                        explanation: "When \(e.ns.displayName) connects to the host's published port, the DNAT sends the "
                            + "packet back to \(e.ns.displayName) itself, out of the bridge port it came in by. A bridge "
                            + "only does that for ports in hairpin mode, so the connection times out.",
                        fix: Plan(operation: "doctor fix \(fid)", steps: [.setHairpinMode(link: e.port.name, on: true, in: ctx.ref(b.ns))])))
                    break
                }
            }
        }
        return out
    }
}
