import PlumbModel
import PlumbTrace

/// The source NAT a namespace does, from its nat POSTROUTING chain and the chains it jumps to: each MASQUERADE
/// or SNAT with the source it applies to and the interface it leaves by. Docker writes
/// `-s 172.17.0.0/16 ! -o docker0 -j MASQUERADE`; CNI and netavark jump per container or per subnet into a
/// chain of their own that masquerades, so the source comes from the jump.
struct MasqueradeRule: Equatable {
    var source: IPPrefix
    /// `-o X`: only towards X; nil with `negatedOut`: every interface except that one; nil: every interface.
    var outInterface: String?
    var negatedOut: Bool

    /// Whether traffic leaving through `uplink` is translated.
    func applies(to uplink: String) -> Bool {
        guard let outInterface else { return true }
        return negatedOut ? outInterface != uplink : outInterface == uplink
    }

    static func find(in firewall: Firewall) -> [MasqueradeRule] {
        var found: [MasqueradeRule] = []
        for table in firewall.tables where table.source == "iptables" && table.name == "nat" {
            let chains = Dictionary(table.chains.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            guard let post = chains["POSTROUTING"] else { continue }
            for r in post.rules {
                let rule = IptablesRuleParser.parse(r.rule)
                let source = Self.source(rule)
                let out = Self.outInterface(rule)
                switch rule.target {
                case .masquerade, .snat:
                    if let source { found.append(MasqueradeRule(source: source, outInterface: out?.0, negatedOut: out?.1 ?? false)) }
                case .jump(let name), .goto(let name):
                    // One level down: the per-container and per-network chains of CNI and netavark.
                    guard let chain = chains[name] else { continue }
                    for inner in chain.rules {
                        let i = IptablesRuleParser.parse(inner.rule)
                        switch i.target {
                        case .masquerade?, .snat?: break
                        default: continue
                        }
                        let innerOut = Self.outInterface(i) ?? out
                        if let s = Self.source(i) ?? source {
                            found.append(MasqueradeRule(source: s, outInterface: innerOut?.0, negatedOut: innerOut?.1 ?? false))
                        }
                    }
                default: continue
                }
            }
        }
        return found
    }

    static func source(_ r: IptablesRule) -> IPPrefix? {
        for m in r.matches { if case .source(let p, false) = m { return p } }
        return nil
    }

    static func outInterface(_ r: IptablesRule) -> (String, Bool)? {
        for m in r.matches { if case .outInterface(let n, let neg) = m { return (n, neg) } }
        return nil
    }
}
