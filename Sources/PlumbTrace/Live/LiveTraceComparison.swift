import PlumbModel

/// The live path beside the static trace, hop by hop: where the probe went against where the trace said it
/// would go, and which rules it met against which rules the trace evaluated.
extension LiveTraceAnalyzer {
    func compare(_ result: TraceResult, _ live: [LiveHop]) -> [HopComparison] {
        var out: [HopComparison] = []
        let liveDrop = live.first { $0.droppedBy != nil }
        for l in live {
            guard let h = result.hops.first(where: { $0.number == l.number }) else {
                // Beyond the static path's end: the static trace predicted the packet would never get here.
                out.append(HopComparison(hop: l.number, namespaceName: l.namespaceName, agrees: !l.seen,
                                         text: l.seen ? "static: the packet never gets here (\(result.verdict.rawValue): \(result.reason)); live: the probe arrived"
                                                      : "neither reaches it"))
                continue
            }
            let staticDropsHere = result.verdict == .dropped && result.dropHop == h.number
            let staticReachesHere = result.dropHop.map { h.number <= $0 } ?? true
            func add(_ agrees: Bool, _ text: String) {
                out.append(HopComparison(hop: h.number, namespaceName: h.namespaceName, agrees: agrees, text: text))
            }
            if !l.observable {
                add(true, "not observable live (no netfilter hook runs here for this packet)")
                continue
            }
            if !l.seen {
                if let d = liveDrop, d.number < l.number {
                    add(!staticReachesHere, staticReachesHere
                        ? "static: the packet gets here; live: dropped before, at hop \(d.number)"
                        : "neither reaches it")
                } else {
                    add(!staticReachesHere, staticReachesHere ? "static: the packet gets here; live: the probe never arrived"
                        : "neither reaches it")
                }
                continue
            }
            if !staticReachesHere {
                add(false, "static: dropped before this hop, at hop \(result.dropHop ?? 0); live: the probe arrived here")
                continue
            }
            let staticHits = h.steps.compactMap(\.netfilter).flatMap(\.hits).filter { $0.index > 0 }
            let staticDecider = h.steps.compactMap(\.netfilter).first(where: \.dropped)?.decidedBy
            let staticNetfilterDrop = staticDropsHere && staticDecider != nil
            if let by = l.droppedBy {
                if staticNetfilterDrop, let s = staticDecider, s.table == by.table, s.chain == by.chain, s.index == by.index {
                    add(true, "both: dropped by \(by.location)")
                } else if staticNetfilterDrop, let s = staticDecider {
                    add(false, "static: dropped by \(s.location); live: dropped by \(by.location)")
                } else {
                    add(false, "static: passes\(staticDropsHere ? " netfilter (dropped later: \(result.reason))" : ""); live: dropped by \(by.location)\(by.rule.map { " (\($0))" } ?? "")")
                }
                continue
            }
            if staticNetfilterDrop, let s = staticDecider {
                add(false, "static: dropped by \(s.location) (\(s.rule)); live: it passed")
                continue
            }
            // Same hooks passed: compare the iptables rules each side matched, in order.
            let staticRules = staticHits.map { "\($0.table)/\($0.chain) #\($0.index)" }
            let liveRules = l.passes.filter { $0.iptables && $0.kind == .rule }.compactMap { p in
                p.index.map { "\(p.table)/\(p.chain) #\($0)" }
            }
            if staticRules == liveRules {
                add(true, staticRules.isEmpty ? "agree (no iptables rule matched)" : "agree (\(counted(staticRules.count, "rule")) matched)")
            } else {
                let onlyLive = liveRules.filter { !staticRules.contains($0) }
                let onlyStatic = staticRules.filter { !liveRules.contains($0) }
                var parts: [String] = []
                if !onlyLive.isEmpty { parts.append("matched live only: \(onlyLive.joined(separator: ", "))") }
                if !onlyStatic.isEmpty { parts.append("expected by the static trace only: \(onlyStatic.joined(separator: ", "))") }
                if parts.isEmpty { parts.append("the same rules in another order") }
                add(false, parts.joined(separator: "; "))
            }
        }
        return out
    }
}
