import PlumbModel

/// 8. Broken wiring: a veth end down while its peer is up, a bridge down with ports, a container's veth peer
/// left out of the bridge its subnet lives on, a bridge without the gateway address its endpoints route via,
/// a veth whose peer's namespace cannot be found. Links that are down at both ends are down by design.
enum WiringCheck {
    static let id = "wiring", number = 8

    static func run(_ ctx: DoctorContext) -> [Finding] {
        vethDown(ctx) + bridgeDown(ctx) + notEnslaved(ctx) + missingGateway(ctx) + lostPeer(ctx)
    }

    static func finding(_ ctx: DoctorContext, _ kind: String, _ ns: Namespace, _ object: String, severity: Finding.Severity = .error,
                        title: String, subjects: [Finding.Subject], evidence: [String], explanation: String,
                        steps: [PlanStep]) -> Finding {
        let fid = DoctorContext.id("\(id)-\(kind)", ns, object)
        return Finding(id: fid, check: "\(id)-\(kind)", checkNumber: number, severity: severity, title: title,
                       subjects: subjects, evidence: evidence, explanation: explanation,
                       fix: steps.isEmpty ? nil : Plan(operation: .doctorFix(findingID: fid), steps: steps))
    }

    static func vethDown(_ ctx: DoctorContext) -> [Finding] {
        var out: [Finding] = []
        for ns in ctx.namespaces {
            for l in ns.links where l.kind == .veth && !l.isUp {
                guard let (pns, p) = ctx.resolve(l.peer), p.isUp else { continue }
                out.append(finding(ctx, "down", ns, l.name,
                    title: "veth \(l.name) in \(ns.displayName) is down while its peer \(p.name) is up",
                    subjects: [.init(namespace: ns.id, kind: .link, name: l.name), .init(namespace: pns.id, kind: .link, name: p.name)],
                    evidence: [l.evidence(in: ns), p.evidence(in: pns)],
                    explanation: "A veth pair carries traffic only when both ends are up. \(p.name) is up and waiting, but "
                        + "\(l.name) is administratively down, so nothing passes in either direction.",
                    steps: [.setLinkState(link: l.name, up: true, in: ctx.ref(ns))]))
            }
        }
        return out
    }

    static func bridgeDown(_ ctx: DoctorContext) -> [Finding] {
        ctx.bridges.filter { !$0.bridge.isUp && $0.endpoints.contains { $0.link.isUp } }.map { b in
            finding(ctx, "bridge-down", b.ns, b.bridge.name,
                title: "bridge \(b.bridge.name) in \(b.ns.displayName) is down with \(counted(b.endpoints.count, "endpoint"))",
                subjects: [.init(namespace: b.ns.id, kind: .link, name: b.bridge.name)],
                evidence: [b.bridge.evidence(in: b.ns)] + b.endpoints.prefix(4).map { $0.link.evidence(in: $0.ns) },
                explanation: "A bridge that is down forwards nothing between its ports and its own address is unusable, "
                    + "so every container on it is cut off.",
                steps: [.setLinkState(link: b.bridge.name, up: true, in: ctx.ref(b.ns))])
        }
    }

    /// A veth with no master and no address in a namespace with bridges, whose peer has an address in one of
    /// those bridges' subnets: it was meant to be a port of that bridge.
    static func notEnslaved(_ ctx: DoctorContext) -> [Finding] {
        var out: [Finding] = []
        let byNs = Dictionary(grouping: ctx.bridges, by: { $0.ns.id })
        for ns in ctx.namespaces {
            guard let bridges = byNs[ns.id] else { continue }
            for l in ns.links where l.kind == .veth && l.master == nil && l.addresses.allSatisfy(\.address.isLinkLocal) {
                guard let (pns, p) = ctx.resolve(l.peer), pns.id != ns.id else { continue }
                let addrs = p.addresses.filter { !$0.address.isLinkLocal }
                guard let b = bridges.first(where: { b in b.gateways.contains { g in addrs.contains { g.canonical.contains($0) } } })
                else { continue }
                out.append(finding(ctx, "no-master", ns, l.name,
                    title: "\(l.name) (peer of \(pns.displayName)'s \(p.name)) is not a port of \(b.bridge.name)",
                    subjects: [.init(namespace: ns.id, kind: .link, name: l.name), .init(namespace: ns.id, kind: .link, name: b.bridge.name),
                               .init(namespace: pns.id, kind: .link, name: p.name)],
                    evidence: [l.evidence(in: ns), p.evidence(in: pns), b.bridge.evidence(in: b.ns)],
                    explanation: "\(pns.displayName) has an address in \(b.bridge.name)'s subnet, but the host end of its "
                        + "veth is not enslaved to the bridge, so its frames arrive on a link that leads nowhere.",
                    steps: [.setLinkMaster(link: l.name, master: b.bridge.name, previous: nil, in: ctx.ref(ns))]))
            }
        }
        return out
    }

    /// Endpoints route via an address in the bridge's subnet that nobody in the bridge's namespace owns.
    static func missingGateway(_ ctx: DoctorContext) -> [Finding] {
        var out: [Finding] = []
        for b in ctx.bridges {
            guard !b.endpoints.isEmpty else { continue }
            let owned = Set(ctx.addresses(b.ns).map(\.cidr.address))
            var wanted: [String: (IPPrefix, [BridgeView.Endpoint])] = [:]
            for e in b.endpoints {
                let addrs = e.link.addresses.filter { !$0.address.isLinkLocal }
                for r in e.ns.routes where r.isDefault && r.table == 254 && r.dev == e.link.name {
                    guard let g = r.gateway.map(IPPrefix.init(host:)), !owned.contains(g.address),
                          let mine = addrs.first(where: { $0.canonical.contains(g) }) else { continue }
                    wanted[g.address.description, default: (IPPrefix(unchecked: g.address, length: mine.length), [])].1.append(e)
                }
            }
            for (gw, (cidr, es)) in wanted.sorted(by: { $0.key < $1.key }) {
                out.append(finding(ctx, "no-gateway", b.ns, "\(b.bridge.name):\(gw)",
                    title: "bridge \(b.bridge.name) lacks the gateway address \(gw) its endpoints route via",
                    subjects: [.init(namespace: b.ns.id, kind: .link, name: b.bridge.name)]
                        + es.map { .init(namespace: $0.ns.id, kind: .route, name: "default") },
                    evidence: [b.bridge.evidence(in: b.ns)]
                        + es.prefix(4).map { e in "\(e.ns.displayName) [\(e.ns.id)]: default via \(gw) dev \(e.link.name)" },
                    explanation: "\(counted(es.count, "endpoint")) \(es.count == 1 ? "sends" : "send") everything off-subnet to \(gw), but no link in "
                        + "\(b.ns.displayName) has that address: ARP for it goes unanswered and all traffic beyond the "
                        + "bridge fails.",
                    steps: [.addAddress(cidr: cidr, link: b.bridge.name, in: ctx.ref(b.ns))]))
            }
        }
        return out
    }

    static func lostPeer(_ ctx: DoctorContext) -> [Finding] {
        var out: [Finding] = []
        for ns in ctx.namespaces {
            for l in ns.links where l.kind == .veth {
                guard let p = l.peer, p.namespace == nil || ctx.namespace(p.namespace) == nil else { continue }
                out.append(finding(ctx, "lost-peer", ns, l.name, severity: .info,
                    title: "veth \(l.name) in \(ns.displayName): its peer's namespace is not visible",
                    subjects: [.init(namespace: ns.id, kind: .link, name: l.name)],
                    evidence: [l.evidence(in: ns) + " peer ifindex \(p.index) in an unknown namespace"],
                    explanation: "The other end lives in a namespace Plumb cannot see (gone and about to take this veth "
                        + "with it, or owned by another user namespace, e.g. rootless containers).",
                    steps: []))
            }
        }
        return out
    }
}
