import PlumbModel

/// 1. IP forwarding off in a namespace that routes for bridged container networks (endpoints use its bridge
/// as their default gateway). Internal networks, which never leave the bridge, do not count.
enum ForwardingCheck {
    static let id = "forwarding-off", number = 1

    static func run(_ ctx: DoctorContext) -> [Finding] {
        var out: [Finding] = []
        var byNs: [UInt64: [BridgeView]] = [:]
        for b in ctx.bridges { byNs[b.ns.id, default: []].append(b) }
        for (_, bridges) in byNs.sorted(by: { $0.key < $1.key }) {
            let ns = bridges[0].ns
            for v4 in [true, false] {
                let on = v4 ? ns.sysctls.ipForward : ns.sysctls.ipv6Forwarding
                guard on == false else { continue }
                let family = v4 ? "ipv4" : "ipv6"
                let users = bridges.flatMap { b in
                    ctx.isInternal(b, family: family) ? [] : b.gateways.filter { $0.isIPv4 == v4 }.flatMap { gw in
                        b.gatewayUsers(gw).map { (b, gw, $0) }
                    }
                }
                guard !users.isEmpty else { continue }
                let key = v4 ? "net/ipv4/ip_forward" : "net/ipv6/conf/all/forwarding"
                let fix = Plan(operation: .doctorFix(findingID: DoctorContext.id(id, ns, family)),
                               steps: [.setSysctl(key: key, value: "1", previous: "0", in: ctx.ref(ns))])
                var evidence = ["\(ns.displayName) [\(ns.id)]: sysctl \(String(key.map { $0 == "/" ? "." : $0 })) = 0"]
                for (b, gw, e) in users.prefix(5) {
                    evidence.append("\(e.ns.displayName) [\(e.ns.id)]: default via \(gw.address) (bridge \(b.bridge.name))")
                }
                if users.count > 5 { evidence.append("… and \(users.count - 5) more endpoints") }
                out.append(Finding(
                    id: DoctorContext.id(id, ns, family), check: id, checkNumber: number, severity: .error,
                    title: "\(v4 ? "IPv4" : "IPv6") forwarding is off in \(ns.displayName), which routes for container networks",
                    subjects: [.init(namespace: ns.id, kind: .sysctl, name: key)]
                        + Set(users.map { $0.0.bridge.name }).sorted().map { .init(namespace: ns.id, kind: .link, name: $0) },
                    evidence: evidence,
                    explanation: "Containers on these bridges send everything not on their own subnet to the bridge's "
                        + "address. With forwarding off the kernel of \(ns.displayName) drops those packets instead of "
                        + "routing them on, so the containers reach each other but nothing beyond their bridge.",
                    fix: fix))
            }
        }
        return out
    }
}
