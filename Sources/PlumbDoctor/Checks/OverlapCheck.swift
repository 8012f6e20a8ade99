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
                let nets = ns.globalAddresses(v4).filter { $0.cidr.length < (v4 ? 32 : 128) }
                var reported: Set<String> = []
                for (i, a) in nets.enumerated() {
                    for b in nets[(i + 1)...] where a.link.name != b.link.name && a.cidr.network.overlaps(b.cidr.network) {
                        let pair = [a.link.name, b.link.name].sorted().joined(separator: ",")
                        guard reported.insert(pair).inserted else { continue }
                        let fid = DoctorContext.id(id, ns, pair)
                        out.append(Finding(
                            id: fid, check: id, checkNumber: number, severity: .warning,
                            title: "\(a.cidr.network) on \(a.link.name) overlaps \(b.cidr.network) on \(b.link.name) in \(ns.displayName)",
                            subjects: [.init(namespace: ns.id, kind: "link", name: a.link.name),
                                       .init(namespace: ns.id, kind: "link", name: b.link.name)],
                            evidence: [a.link.evidence(in: ns), b.link.evidence(in: ns)]
                                + ns.routes.filter { r in r.table == 254 && (r.dev == a.link.name || r.dev == b.link.name) && r.dst != "default" }
                                    .map(\.evidence),
                            explanation: "Both links claim addresses of the same range, so for a destination in the overlap "
                                + "the kernel picks one route and hosts behind the other link become unreachable. Move one "
                                + "network to a free subnet (`plumb net create --subnet ...`); Plumb cannot guess which."))
                    }
                }
            }
        }
        for b in ctx.bridges {
            var owners: [String: [BridgeView.Endpoint]] = [:]
            for e in b.endpoints {
                for a in e.link.addresses.compactMap(CIDR.init) where !a.isLinkLocal { owners[a.address, default: []].append(e) }
            }
            for a in b.gateways { owners[a.address, default: []] += [] }
            for (addr, es) in owners.sorted(by: { $0.key < $1.key }) {
                let clashWithGateway = b.gateways.contains { $0.address == addr } && !es.isEmpty
                guard es.count >= 2 || clashWithGateway else { continue }
                let fid = DoctorContext.id(duplicateId, b.ns, "\(b.bridge.name):\(addr)")
                out.append(Finding(
                    id: fid, check: duplicateId, checkNumber: number, severity: .error,
                    title: "\(addr) is used \(es.count + (clashWithGateway ? 1 : 0)) times on \(b.bridge.name)",
                    subjects: es.map { .init(namespace: $0.ns.id, kind: "link", name: $0.link.name) }
                        + [.init(namespace: b.ns.id, kind: "link", name: b.bridge.name)],
                    evidence: es.map { $0.link.evidence(in: $0.ns) } + (clashWithGateway ? [b.bridge.evidence(in: b.ns)] : []),
                    explanation: "Several hosts on one layer-2 segment answer ARP/NDP for \(addr); peers send to whichever "
                        + "answered last, so connections break at random. Give each endpoint its own address (disconnect "
                        + "and reconnect it so IPAM picks a free one)."))
            }
        }
        return out
    }
}
