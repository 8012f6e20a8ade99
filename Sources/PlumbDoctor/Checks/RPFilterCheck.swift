import PlumbModel

/// 6. Strict reverse-path filtering (rp_filter 1) on a namespace with several addressed links: a packet that
/// arrives on a link other than the one its source would be routed back through is dropped. A warning when the
/// routes are asymmetric (several default routes, or one destination through several links); info otherwise.
enum RPFilterCheck {
    static let id = "rp-filter-strict", number = 6

    static func run(_ ctx: DoctorContext) -> [Finding] {
        var out: [Finding] = []
        for ns in ctx.namespaces {
            let all = ns.sysctls.rpFilterAll ?? 0
            let all4 = ctx.addresses(ns).filter { $0.cidr.isIPv4 && $0.link.isUp }
            if all4.count < 2 { continue }
            let addressed = Dictionary(grouping: all4, by: { $0.link.name })
            guard addressed.count >= 2 else { continue }
            // Effective value per link is max(all, link).
            let strict = addressed.keys.sorted().filter { max(all, ns.sysctls.rpFilter[$0] ?? 0) == 1 }
            guard !strict.isEmpty else { continue }
            let v4 = ns.routes.filter { $0.family == .ipv4 && $0.table == 254 && $0.type == "unicast" }
            let byDst = Dictionary(grouping: v4, by: \.destinationText)
            let asymmetric = byDst.filter { Set($0.value.compactMap(\.dev)).count > 1 }
            let severity: Finding.Severity = asymmetric.isEmpty ? .info : .warning
            var steps: [PlanStep] = []
            if all == 1 {
                steps.append(.setSysctl(key: "net/ipv4/conf/all/rp_filter", value: "2", previous: "1", in: ctx.ref(ns)))
            }
            for l in strict where ns.sysctls.rpFilter[l] == 1 {
                steps.append(.setSysctl(key: "net/ipv4/conf/\(l)/rp_filter", value: "2", previous: "1", in: ctx.ref(ns)))
            }
            let fid = DoctorContext.id(id, ns, "")
            out.append(Finding(
                id: fid, check: id, checkNumber: number, severity: severity,
                title: "Strict rp_filter on multi-homed \(ns.displayName)" + (asymmetric.isEmpty ? "" : " with asymmetric routes"),
                subjects: [.init(namespace: ns.id, kind: .namespace)] + strict.map { .init(namespace: ns.id, kind: .link, name: $0) },
                evidence: ["\(ns.displayName) [\(ns.id)]: net.ipv4.conf.all.rp_filter = \(all)"]
                    + strict.map { "net.ipv4.conf.\($0).rp_filter = \(ns.sysctls.rpFilter[$0] ?? 0) (\(addressed[$0]!.map(\.cidr.description).joined(separator: " ")))" }
                    + asymmetric.keys.sorted().flatMap { k in asymmetric[k]!.map(\.evidence) },
                explanation: "With rp_filter 1 the kernel drops a packet unless the route back to its source leaves by "
                    + "the link it arrived on. \(ns.displayName) has addresses on \(counted(addressed.count, "link"))"
                    + (asymmetric.isEmpty ? "; its routes are symmetric today, but any second path (a new default route, "
                       + "policy routing) makes replies vanish." : " and reaches \(asymmetric.keys.sorted().joined(separator: ", ")) "
                       + "through several links, so replies arriving on the other link are dropped.")
                    + " Loose mode (2) keeps the spoofing protection for addresses with no route at all.",
                fix: Plan(operation: .doctorFix(findingID: fid), steps: steps)))
        }
        return out
    }
}
