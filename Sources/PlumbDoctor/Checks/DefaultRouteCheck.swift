import PlumbModel

/// 9. A container on a gateway-capable network (its bridge has an address in the container's subnet and is
/// not internal) without a default route of that family; or a default gateway whose neighbour entry FAILED.
enum DefaultRouteCheck {
    static let id = "no-default-route", number = 9
    static let neighbourId = "gateway-unreachable"

    static func run(_ ctx: DoctorContext) -> [Finding] {
        var out: [Finding] = []
        var seen: Set<String> = []
        for b in ctx.bridges {
            for gw in b.gateways {
                let family: AddressFamily = gw.isIPv4 ? .ipv4 : .ipv6
                // Internal networks (no way out by design, Docker gives their containers no default route):
                // worth knowing, not an alarm.
                let isInternal = ctx.isInternal(b, family: gw.isIPv4 ? "ipv4" : "ipv6")
                for e in b.endpoints where e.link.addresses.contains(where: { gw.canonical.contains($0) }) {
                    guard e.ns.defaultRoutes(family).isEmpty else { continue }
                    let fid = DoctorContext.id(id, e.ns, family.rawValue)
                    guard seen.insert(fid).inserted else { continue }
                    out.append(Finding(
                        id: fid, check: id, checkNumber: number, severity: isInternal ? .info : .error,
                        title: "\(e.ns.displayName) has no \(gw.isIPv4 ? "IPv4" : "IPv6") default route (gateway \(gw.address) on \(b.bridge.name))"
                            + (isInternal ? " on an internal network" : ""),
                        subjects: [.init(namespace: e.ns.id, kind: .route, name: "default"),
                                   .init(namespace: e.ns.id, kind: .link, name: e.link.name)],
                        evidence: [e.link.evidence(in: e.ns)]
                            + e.ns.routes.filter { $0.family == family && $0.table == 254 }.map { "\(e.ns.displayName): \($0.evidence)" }
                            + [b.bridge.evidence(in: b.ns)],
                        explanation: "\(e.ns.displayName) can reach its own subnet \(gw.canonical) only: there is no route for "
                            + "anything else, so other networks and the outside fail with \"Network is unreachable\", "
                            + "although its bridge offers \(gw.address) as the gateway."
                            + (isInternal ? " Its network is internal (the firewall drops what leaves the bridge), so only "
                               + "the error message changes unless the network is made external." : ""),
                        fix: Plan(operation: .doctorFix(findingID: fid), steps: [
                            .addRoute(dst: .default, gateway: gw.address, link: e.link.name, in: ctx.ref(e.ns))])))
                }
            }
        }
        // A default gateway whose neighbour entry is FAILED, for endpoints not on a bridge in view (bridged ones
        // are explained by the wiring checks: missing gateway address, links down).
        let bridged = Set(ctx.bridges.flatMap { $0.endpoints.map(\.ns.id) })
        for ns in ctx.namespaces where !bridged.contains(ns.id) && !ctx.isHost(ns) {
            for r in ns.routes where r.isDefault && r.table == 254 {
                guard let g = r.gateway,
                      let n = ns.neighbors.first(where: { $0.ip == g && $0.state.contains("failed") }) else { continue }
                let fid = DoctorContext.id(neighbourId, ns, g.description)
                out.append(Finding(
                    id: fid, check: neighbourId, checkNumber: number, severity: .error,
                    title: "\(ns.displayName)'s default gateway \(g) does not answer (neighbour FAILED)",
                    subjects: [.init(namespace: ns.id, kind: .route, name: "default")],
                    evidence: ["\(ns.displayName): \(r.evidence)", "neighbour \(n.ip) dev \(n.dev ?? "?") \(n.state.joined(separator: ","))"],
                    explanation: "The kernel asked for \(g)'s link-layer address and got no answer, so every packet to "
                        + "another network is dropped. The gateway is down, unplugged, or on another segment."))
            }
        }
        return out
    }
}
