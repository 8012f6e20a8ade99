import PlumbModel

/// 15. A route in a bridge's namespace that takes part of the bridge's container subnet away from it: more
/// specific than the bridge's connected route and not through the bridge (via another device, or
/// unreachable, blackhole, prohibit), or as specific with a lower metric. Packets for those container
/// addresses — replies to them included — go there instead of to the containers. `plumb trace` shows the
/// same as a route decision; the doctor finds it without being asked.
enum RouteShadowCheck {
    static let id = "route-shadow", number = 15

    static func run(_ ctx: DoctorContext) -> [Finding] {
        var out: [Finding] = []
        for b in ctx.bridges {
            let connected = b.ns.routes.filter { $0.table == 254 && $0.dev == b.bridge.name && $0.type == "unicast" && $0.gateway == nil }
            for gw in b.gateways {
                let subnet = gw.canonical
                guard let own = connected.first(where: { $0.dst?.canonical == subnet }) else { continue }
                // The main table and the local table are where the kernel looks first for every packet here.
                for r in b.ns.routes where (r.table == 254) && r.family == own.family && r != own {
                    guard let p = r.dst?.canonical, subnet.contains(p.address) else { continue }
                    let through = r.dev == b.bridge.name && r.type == "unicast"
                    // Another link's connected route (an address whose subnet overlaps): check 7's subnet-overlap.
                    let connectedElsewhere = r.protocolName == "kernel" && r.gateway == nil && r.type == "unicast"
                    if through || connectedElsewhere { continue }
                    let moreSpecific = p.length > subnet.length
                    let sameButPreferred = p.length == subnet.length && (r.metric ?? 0) < (own.metric ?? 0)
                    guard moreSpecific || sameButPreferred else { continue }
                    let how = r.type == "unicast" ? "via \(r.gateway.map { "\($0) " } ?? "")dev \(r.dev ?? "?")" : r.type
                    let fid = DoctorContext.id(id, b.ns, "\(b.bridge.name):\(p)")
                    // A plain unicast route can be deleted and put back exactly; other types are left to the user.
                    let unique = b.ns.routes.filter { $0.table == 254 && $0.dst == r.dst }.count == 1
                    let fix: Plan? = r.type == "unicast" && unique
                        ? Plan(operation: .doctorFix(findingID: fid), steps: [.deleteRoute(dst: RouteDestination(r.dst), gateway: r.gateway, link: r.dev, in: ctx.ref(b.ns))])
                        : nil
                    let victims = b.endpoints.flatMap { e in e.link.addresses.filter { p.contains($0.address) }.map { "\($0.address) (\(e.ns.displayName))" } }
                    out.append(Finding(
                        id: fid, check: id, checkNumber: number, severity: .warning,
                        title: "Route \(r.destinationText) \(how) in \(b.ns.displayName) shadows part of \(subnet) on \(b.bridge.name)",
                        subjects: [.init(namespace: b.ns.id, kind: .route, name: r.destinationText),
                                   .init(namespace: b.ns.id, kind: .link, name: b.bridge.name)],
                        evidence: ["\(b.ns.displayName): \(own.evidence) (the bridge's connected route)",
                                   "\(b.ns.displayName): \(r.type == "unicast" ? "" : r.type + " ")\(r.evidence)"
                                   + (r.metric.map { " metric \($0)" } ?? "")]
                            + (victims.isEmpty ? [] : ["containers behind it: " + victims.prefix(8).joined(separator: ", ")]),
                        explanation: "The kernel picks the most specific route (then the lowest metric). For addresses in "
                            + "\(p) that is this route, not \(b.bridge.name): packets to those containers, and the replies "
                            + "to their connections, go \(r.type == "unicast" ? "out of \(r.dev ?? "another device")" : "nowhere (\(r.type))"). "
                            + "Remove it, or move the containers to a subnet it does not cover."
                            + (fix == nil ? " Delete it with `ip route del \(r.type == "unicast" ? "" : r.type + " ")\(r.destinationText)`." : ""),
                        fix: fix))
                }
            }
        }
        return out
    }
}
