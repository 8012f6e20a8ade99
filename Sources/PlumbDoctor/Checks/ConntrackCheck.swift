import PlumbModel

/// 16. Conntrack of the host: a table above 80% (warning) or 95% (error) of nf_conntrack_max, where new
/// connections start being dropped ("nf_conntrack: table full, dropping packet"); and NAT entries that still
/// translate connections towards an address in one of the host's container subnets that no namespace has
/// any more (the container is gone; until the entries time out, its old connections go nowhere, and a new
/// container given that address receives them). Needs `DoctorInputs.conntrack`.
enum ConntrackCheck {
    static let fullId = "conntrack-full", staleId = "conntrack-stale-nat", number = 16

    static func run(_ ctx: DoctorContext) -> [Finding] {
        guard let ct = ctx.inputs.conntrack, let ns = ctx.namespace(ct.namespace) else { return [] }
        var out: [Finding] = []
        if let fill = ct.usage.fill, fill >= 0.80, let max = ct.usage.max {
            let fid = DoctorContext.id(fullId, ns, "")
            let percent = Int((fill * 100).rounded(.down))
            // nf_conntrack_max is one value for the machine, written in the initial namespace.
            let fix: Plan? = ns.isHost
                ? Plan(operation: .doctorFix(findingID: fid), steps: [.setSysctl(key: "net/netfilter/nf_conntrack_max",
                                                                                value: String(max * 2), previous: String(max), in: .host)])
                : nil
            out.append(Finding(
                id: fid, check: fullId, checkNumber: number, severity: fill >= 0.95 ? .error : .warning,
                title: "Conntrack table of \(ns.displayName) is \(percent)% full (\(ct.usage.count) of \(max))",
                subjects: [.init(namespace: ns.id, kind: .sysctl, name: "net/netfilter/nf_conntrack_max")],
                evidence: ["\(ns.displayName) [\(ns.id)]: nf_conntrack_count = \(ct.usage.count), nf_conntrack_max = \(max)"],
                explanation: "Every tracked connection takes an entry. When the table is full the kernel drops the first "
                    + "packet of every new connection (dmesg: \"nf_conntrack: table full, dropping packet\"), which looks "
                    + "like random timeouts. Raise nf_conntrack_max, or find what opens so many connections "
                    + "(`plumb conntrack`)." + (fix == nil ? "" : " The fix doubles the limit; undo restores it."),
                fix: fix))
        }
        if ct.staleTotal > 0 {
            let fid = DoctorContext.id(staleId, ns, "")
            // Deleting exactly these entries (tuple, zone and kernel id) touches no other connection; the clients
            // of the gone container get a reset or a timeout at once instead of when the entries expire. A
            // deleted entry cannot be put back, so the undo is empty: what it removed pointed nowhere.
            let fix: Plan? = ct.staleEntries.isEmpty ? nil
                : Plan(operation: .doctorFix(findingID: fid), steps: [.deleteConntrack(entries: ct.staleEntries, in: ctx.ref(ns))])
            out.append(Finding(
                id: fid, check: staleId, checkNumber: number, severity: .warning,
                title: "\(ct.staleTotal) conntrack NAT entries in \(ns.displayName) point at addresses no namespace has: "
                    + ct.staleTargets.prefix(4).joined(separator: ", "),
                subjects: [.init(namespace: ns.id, kind: .conntrack)],
                evidence: ct.staleNAT + (ct.staleTotal > ct.staleNAT.count ? ["… \(ct.staleTotal - ct.staleNAT.count) more"] : [])
                    + ["no link of any namespace has " + ct.staleTargets.joined(separator: ", ")],
                explanation: "These connections were translated to a container that is gone. Conntrack keeps translating "
                    + "their packets to the old address until the entries expire, so the clients hang instead of being "
                    + "refused, and a new container given that address would receive them. "
                    + (fix == nil
                        ? "Delete them with " + ct.staleTargets.prefix(3).map { "`conntrack -D --reply-src \($0)`" }.joined(separator: ", ") + "."
                        : "The fix deletes exactly \(ct.staleEntries.count == 1 ? "this entry" : "these \(ct.staleEntries.count) entries") (like `conntrack -D --reply-src "
                            + "\(ct.staleTargets.first ?? "")`, but no others); it has no undo: a deleted entry cannot be put back, "
                            + "and these pointed nowhere."),
                fix: fix))
        }
        return out
    }
}
