import PlumbModel

/// 4. MTU mismatch: the two ends of a veth differ (the receiving end drops frames larger than its MTU), or an
/// endpoint's MTU exceeds what its bridge's tunnel port (VXLAN: 50 bytes of encapsulation) can carry, so large
/// packets vanish while pings of the default size still work.
enum MTUCheck {
    static let id = "mtu-mismatch", number = 4

    static func run(_ ctx: DoctorContext) -> [Finding] {
        var out: [Finding] = []
        var covered: Set<String> = []  // "ns:index" of veth ends already reported by the path rule
        for b in ctx.bridges {
            let tunnels = b.ports.filter { $0.kind.isTunnel }
            guard let path = tunnels.min(by: { $0.mtu < $1.mtu }) else { continue }
            for e in b.endpoints where e.link.mtu > path.mtu || e.port.mtu > path.mtu {
                covered.insert("\(e.ns.id):\(e.link.index)"); covered.insert("\(b.ns.id):\(e.port.index)")
                let fid = DoctorContext.id(id, e.ns, e.link.name)
                var steps: [PlanStep] = []
                if e.link.mtu > path.mtu {
                    steps.append(.setMTU(link: e.link.name, mtu: path.mtu, previous: e.link.mtu, in: ctx.ref(e.ns)))
                }
                if e.port.mtu > path.mtu {
                    steps.append(.setMTU(link: e.port.name, mtu: path.mtu, previous: e.port.mtu, in: ctx.ref(b.ns)))
                }
                out.append(Finding(
                    id: fid, check: id, checkNumber: number, severity: .error,
                    title: "\(e.ns.displayName)'s \(e.link.name) has MTU \(e.link.mtu) over a \(path.mtu)-byte \(path.kind) path",
                    subjects: [.init(namespace: e.ns.id, kind: .link, name: e.link.name),
                               .init(namespace: b.ns.id, kind: .link, name: e.port.name),
                               .init(namespace: b.ns.id, kind: .link, name: path.name)],
                    evidence: [e.link.evidence(in: e.ns), e.port.evidence(in: b.ns, master: b.bridge),
                               path.evidence(in: b.ns, master: b.bridge)],
                    explanation: "\(e.link.name) sends frames up to \(e.link.mtu) bytes, but they leave through "
                        + "\(path.name), which carries at most \(path.mtu) (the rest of the underlay's MTU is "
                        + "encapsulation). Larger frames are dropped silently: pings work, bulk TCP and big UDP stall.",
                    fix: Plan(operation: .doctorFix(findingID: fid), steps: steps)))
            }
        }
        for ns in ctx.namespaces {
            for l in ns.links where l.kind == .veth {
                guard let (pns, p) = ctx.resolve(l.peer), l.mtu != p.mtu,
                      !covered.contains("\(ns.id):\(l.index)"), !covered.contains("\(pns.id):\(p.index)") else { continue }
                // Report each pair once, from the end with the larger MTU (the one the fix lowers).
                guard l.mtu > p.mtu else { continue }
                let fid = DoctorContext.id(id, ns, l.name)
                out.append(Finding(
                    id: fid, check: id, checkNumber: number, severity: .error,
                    title: "veth \(l.name) (MTU \(l.mtu)) and its peer \(p.name) in \(pns.displayName) (MTU \(p.mtu)) differ",
                    subjects: [.init(namespace: ns.id, kind: .link, name: l.name),
                               .init(namespace: pns.id, kind: .link, name: p.name)],
                    evidence: [l.evidence(in: ns), p.evidence(in: pns)],
                    explanation: "A veth pair is one wire: a frame sent by \(l.name) is received by \(p.name), which "
                        + "drops anything larger than its own MTU \(p.mtu). Both ends must agree; the fix lowers "
                        + "\(l.name) to \(p.mtu).",
                    fix: Plan(operation: .doctorFix(findingID: fid),
                              steps: [.setMTU(link: l.name, mtu: p.mtu, previous: l.mtu, in: ctx.ref(ns))])))
            }
        }
        return out
    }
}
