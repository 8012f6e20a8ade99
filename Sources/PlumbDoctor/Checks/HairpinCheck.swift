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
            let nat = ctx.rules(b.ns, "ipv4", "nat")
            // Chains where traffic from this bridge returns before any DNAT: no hairpin needed there.
            let skipped = Set(nat.filter { $0.tokens.target == "RETURN" && $0.tokens.matchesIn(b.bridge.name) }.map(\.chain))
            let dnats = nat.filter { r in
                guard !skipped.contains(r.chain), r.tokens.target == "DNAT", r.tokens.toDestination != nil else { return false }
                if let i = r.tokens.inIface, !i.negated { return false }  // only from outside
                return true
            }
            if dnats.isEmpty { continue }
            for e in b.endpoints where e.port.bridgePort?.hairpin == false {
                let addrs = Set(e.link.addresses.filter(\.isIPv4).map(\.address))
                guard let r = dnats.first(where: { IPAddress($0.tokens.toDestination!.prefix { $0 != ":" }).map(addrs.contains) == true }) else { continue }
                let fid = DoctorContext.id(id, b.ns, e.port.name)
                out.append(Finding(
                    id: fid, check: id, checkNumber: number, severity: .warning,
                    title: "\(e.ns.displayName) cannot reach its own published port: hairpin is off on \(e.port.name)",
                    subjects: [.init(namespace: b.ns.id, kind: .link, name: e.port.name),
                               .init(namespace: e.ns.id, kind: .link, name: e.link.name)],
                    evidence: [e.port.evidence(in: b.ns, master: b.bridge) + " hairpin off", "-A \(r.chain) \(r.rule.rule)"],
                    explanation: "When \(e.ns.displayName) connects to the host's published port, the DNAT sends the "
                        + "packet back to \(e.ns.displayName) itself, out of the bridge port it came in by. A bridge "
                        + "only does that for ports in hairpin mode, so the connection times out.",
                    fix: Plan(operation: .doctorFix(findingID: fid), steps: [.setHairpinMode(link: e.port.name, on: true, in: ctx.ref(b.ns))])))
            }
        }
        return out
    }
}
