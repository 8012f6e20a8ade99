import PlumbModel
import PlumbTrace

/// 2. A bridged IPv4 subnet that routes out of its namespace (endpoints use the bridge as gateway, and the
/// namespace has a default route out) whose new connections to the outside leave untranslated: replies from
/// outside cannot find their way back to a private source address. The question "is a new connection from
/// this container to the outside masqueraded?" is answered by the trace's netfilter evaluator for each
/// container address on the subnet, so a rule only for some destinations (Docker's hairpin rule
/// `-s IP/32 -d IP/32 --dport 80 -j MASQUERADE`), an earlier ACCEPT or RETURN in the nat path, or a wrong
/// `-o` all count for what they really do.
enum MasqueradeCheck {
    static let id = "no-masquerade", number = 2
    /// An address outside every private range (TEST-NET-2), the destination of the judged connection.
    static let outside = IPAddress(ipv4: 0xC633_6407)  // 198.51.100.7

    static func run(_ ctx: DoctorContext) -> [Finding] {
        var out: [Finding] = []
        for b in ctx.bridges where !ctx.isInternal(b, family: "ipv4") {
            let uplinks = b.ns.defaultRoutes(.ipv4).filter { $0.dev != b.bridge.name }
            guard let uplink = uplinks.first?.dev else { continue }
            let judge = ctx.judge(b.ns)
            for gw in b.gateways where gw.isIPv4 {
                let users = b.gatewayUsers(gw)
                let subnet = gw.canonical
                let sources = users.flatMap { e in e.link.addresses.filter { subnet.contains($0.address) }.map { ($0.address, e) } }
                guard !sources.isEmpty else { continue }
                let verdicts = sources.map { (src, e) in
                    (src, e, judge.masqueraded(source: src, destination: outside, inInterface: b.bridge.name, outInterface: uplink))
                }
                let bare = verdicts.filter { $0.2.answer == .no }
                guard let first = bare.first else { continue }
                let fid = DoctorContext.id(id, b.ns, subnet.description)
                // Only the way out that is broken (to the uplink): traffic to other bridges keeps its source.
                let spec = "-s \(subnet) -o \(uplink) -m comment --comment \"plumb-doctor:\(id)\" -j MASQUERADE"
                let fix = Plan(operation: .doctorFix(findingID: fid), steps: [.firewall(
                    family: "ipv4", batch: "*nat\n-A POSTROUTING \(spec)\nCOMMIT\n",
                    undo: "*nat\n-D POSTROUTING \(spec)\nCOMMIT\n", in: ctx.ref(b.ns))])
                let nat = b.ns.firewall.table("ipv4", "nat")
                let ruleCount = nat?.chains.reduce(0) { $0 + $1.rules.count } ?? 0
                out.append(Finding(
                    id: fid, check: id, checkNumber: number, severity: .warning,
                    title: "Subnet \(subnet) on \(b.bridge.name) leaves \(b.ns.displayName) without masquerading",
                    subjects: [.init(namespace: b.ns.id, kind: .link, name: b.bridge.name),
                               .init(namespace: b.ns.id, kind: .chain, name: "nat/POSTROUTING")],
                    evidence: [b.bridge.evidence(in: b.ns)] + uplinks.map { "\(b.ns.displayName): \($0.evidence)" }
                        + ["evaluated: tcp \(first.0):40000 → \(outside):443 from \(first.1.ns.displayName), in \(b.bridge.name) "
                           + "out \(uplink): leaves with source \(first.2.packet.source) (\(ruleCount) nat rules read)"]
                        + first.2.evidence.prefix(8)
                        + (bare.count > 1 ? ["also untranslated: " + bare.dropFirst().prefix(6).map(\.0.description).joined(separator: ", ")] : []),
                    explanation: "Containers on \(subnet) use private addresses. Walking the firewall as the kernel does, "
                        + "a new connection from \(first.0) to the outside leaves through \(uplink) with that source "
                        + "unchanged: no MASQUERADE or SNAT rule applies to it. The other side answers an address it "
                        + "cannot route back to, and connections to the outside hang.",
                    fix: fix))
            }
        }
        return out
    }
}
