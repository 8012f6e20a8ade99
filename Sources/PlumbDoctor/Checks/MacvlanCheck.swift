import PlumbModel

/// 11. macvlan host isolation: an endpoint on a macvlan whose parent carries the host's own address in the same
/// subnet cannot talk to that host (the parent does not hand frames between itself and its macvlans) unless a
/// host-side macvlan "shim" on the same parent exists. By design, so info; the fix creates the shim.
enum MacvlanCheck {
    static let id = "macvlan-isolation", number = 11

    static func run(_ ctx: DoctorContext) -> [Finding] {
        var out: [Finding] = []
        for ns in ctx.namespaces {
            for l in ns.links where l.kind == .macvlan || l.kind == .macvtap {
                guard let (pns, parent) = ctx.resolve(l.parent), pns.id != ns.id else { continue }
                let mine = l.addresses.filter { $0.isIPv4 && !$0.address.isLinkLocal }
                guard let addr = mine.first,
                      let hostAddr = parent.addresses.first(where: { $0.isIPv4 && $0.canonical.contains(addr) })
                else { continue }
                // A shim: a macvlan on the same parent in the parent's namespace.
                let shim = pns.links.first { $0.kind == .macvlan && $0.parent?.index == parent.index
                    && ($0.parent?.namespace == nil || $0.parent?.namespace == pns.id) && !$0.addresses.isEmpty }
                if shim != nil { continue }
                let shimName = "plumbshim\(parent.index)"
                let used = Set(pns.links.flatMap { $0.addresses.map(\.address) }
                               + ctx.namespaces.flatMap { $0.links.flatMap { $0.addresses.map(\.address) } })
                let shimAddr = freeAddress(in: hostAddr.canonical, avoiding: used)
                let fid = DoctorContext.id(id, ns, l.name)
                var steps: [PlanStep] = []
                if let shimAddr {
                    let at = ctx.ref(pns)
                    steps = [.createMacvlan(name: shimName, parent: parent.name, mode: "bridge", mtu: nil, in: at, moveTo: at),
                             .addAddress(cidr: IPPrefix(unchecked: shimAddr, length: 32), link: shimName, in: at),
                             .setLinkState(link: shimName, up: true, in: at),
                             .addRoute(dst: .prefix(IPPrefix(unchecked: addr.address, length: 32)), gateway: nil, link: shimName, in: at)]
                }
                out.append(Finding(
                    id: fid, check: id, checkNumber: number, severity: .info,
                    title: "\(ns.displayName)'s macvlan \(l.name) cannot reach its host \(pns.displayName) via \(parent.name)",
                    subjects: [.init(namespace: ns.id, kind: .link, name: l.name), .init(namespace: pns.id, kind: .link, name: parent.name)],
                    evidence: [l.evidence(in: ns) + " mode \(l.macvlanMode ?? "?")", parent.evidence(in: pns)],
                    explanation: "macvlan endpoints share \(parent.name)'s wire but the kernel never passes frames between "
                        + "a macvlan and its own parent, so \(ns.displayName) reaches the whole subnet \(hostAddr.canonical) "
                        + "except the host at \(hostAddr.address). The usual fix is a macvlan on the host side too (a "
                        + "\"shim\") with a route to the endpoint through it.",
                    fix: steps.isEmpty ? nil : Plan(operation: .doctorFix(findingID: fid), steps: steps)))
            }
        }
        return out
    }

    /// The highest host address of `net` nobody uses (shims conventionally sit at the top of the range).
    static func freeAddress(in net: IPPrefix, avoiding used: Set<IPAddress>) -> IPAddress? {
        guard net.isIPv4, net.length <= 30 else { return nil }
        var a = net.lastHost
        while a >= net.firstHost {
            if !used.contains(a) { return a }
            guard let p = a.previous else { break }
            a = p
        }
        return nil
    }
}
