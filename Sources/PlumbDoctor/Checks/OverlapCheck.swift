import PlumbModel

/// 7. Overlapping subnets on different links of one namespace (two networks claim the same addresses: the
/// kernel routes to one and the other is unreachable), and duplicate addresses among the endpoints of one
/// bridge (ARP answers flip between two containers).
enum OverlapCheck {
    static let id = "subnet-overlap", number = 7
    static let duplicateId = "duplicate-address"

    static func run(_ ctx: DoctorContext) -> [Finding] {
        var out: [Finding] = []
        for ns in ctx.namespaces {
            for v4 in [true, false] {
                let nets = ctx.addresses(ns).filter { $0.cidr.isIPv4 == v4 && $0.cidr.length < (v4 ? 32 : 128) }.map { ($0.link, $0.cidr, $0.cidr.canonical) }
                if nets.count < 2 { continue }
                var reported: Set<String> = []
                for (i, a) in nets.enumerated() {
                    for b in nets[(i + 1)...] where a.0.name != b.0.name && a.2.overlaps(b.2) {
                        let (al, ac, _) = a, (bl, bc, _) = b
                        let pair = [al.name, bl.name].sorted().joined(separator: ",")
                        guard reported.insert(pair).inserted else { continue }
                        let fid = DoctorContext.id(id, ns, pair)
                        out.append(Finding(
                            id: fid, check: id, checkNumber: number, severity: .warning,
                            title: "\(ac.canonical) on \(al.name) overlaps \(bc.canonical) on \(bl.name) in \(ns.displayName)",
                            subjects: [.init(namespace: ns.id, kind: .link, name: al.name),
                                       .init(namespace: ns.id, kind: .link, name: bl.name)],
                            evidence: [al.evidence(in: ns), bl.evidence(in: ns)]
                                + ns.routes.filter { r in r.table == 254 && (r.dev == al.name || r.dev == bl.name) && !r.isDefault }
                                    .map(\.evidence),
                            explanation: "Both links claim addresses of the same range, so for a destination in the overlap "
                                + "the kernel picks one route and hosts behind the other link become unreachable. Move one "
                                + "network to a free subnet (`plumb net create --subnet ...`); Plumb cannot guess which."))
                    }
                }
            }
        }
        for b in ctx.bridges {
            var owners: [IPAddress: [BridgeView.Endpoint]] = [:]
            for e in b.endpoints {
                for a in e.link.addresses where !a.address.isLinkLocal { owners[a.address, default: []].append(e) }
            }
            let gw = Set(b.gateways.map(\.address))
            for (ip, es) in owners where es.count >= 2 || (gw.contains(ip) && !es.isEmpty) {
                let addr = ip.description
                let clashWithGateway = gw.contains(ip)
                let fid = DoctorContext.id(duplicateId, b.ns, "\(b.bridge.name):\(addr)")
                out.append(Finding(
                    id: fid, check: duplicateId, checkNumber: number, severity: .error,
                    title: "\(addr) is used \(es.count + (clashWithGateway ? 1 : 0)) times on \(b.bridge.name)",
                    subjects: es.map { .init(namespace: $0.ns.id, kind: .link, name: $0.link.name) }
                        + [.init(namespace: b.ns.id, kind: .link, name: b.bridge.name)],
                    evidence: es.map { $0.link.evidence(in: $0.ns) } + (clashWithGateway ? [b.bridge.evidence(in: b.ns)] : []),
                    explanation: "Several hosts on one layer-2 segment answer ARP/NDP for \(addr); peers send to whichever "
                        + "answered last, so connections break at random. Give each endpoint its own address (disconnect "
                        + "and reconnect it so IPAM picks a free one)."))
            }
        }
        return out
    }
}
