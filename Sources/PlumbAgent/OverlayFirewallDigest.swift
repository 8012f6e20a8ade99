import PlumbModel

/// The part of a host's firewall a trace from another host needs (published in the host summary): the iptables
/// `filter` tables' INPUT (the VXLAN datagram arriving) and FORWARD (the bridged frame, with br_netfilter on)
/// chains and every user chain they jump or go to, at most `ruleLimit` rules in all, so the summary stays
/// small. Over the limit nothing is published (a partial chain would give a wrong verdict) and the reason says
/// how many rules there were. Native nftables tables are named only: the trace does not evaluate them.
public enum OverlayFirewallDigest {
    public static let ruleLimit = 256

    public struct Digest: Equatable, Sendable {
        public var firewall: Firewall?
        public var missing: String?
        public var nftTables: [String]
    }

    public static func of(_ fw: Firewall, limit: Int = ruleLimit) -> Digest {
        var tables: [FirewallTable] = []
        for t in fw.tables where t.source == "iptables" && t.name == "filter" {
            let byName = Dictionary(t.chains.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            var keep: [String] = [], queue = ["INPUT", "FORWARD"]
            while let name = queue.first {
                queue.removeFirst()
                guard !keep.contains(name), let chain = byName[name] else { continue }
                keep.append(name)
                queue += chain.rules.compactMap(\.target).filter { byName[$0] != nil }
            }
            let chains = t.chains.filter { keep.contains($0.name) }
            if !chains.isEmpty { tables.append(FirewallTable(family: t.family, name: t.name, source: t.source, chains: chains)) }
        }
        let nft = fw.tables.filter { $0.source == "nft" }.map { "\($0.family) \($0.name)" }
        let count = tables.reduce(0) { $0 + $1.chains.reduce(0) { $0 + $1.rules.count } }
        if count > limit {
            return Digest(firewall: nil, missing: "\(count) rules on the overlay path, more than the summary keeps (\(limit))", nftTables: nft)
        }
        if !fw.notes.isEmpty {
            return Digest(firewall: nil, missing: "not fully read on the host (\(fw.notes.joined(separator: "; ")))", nftTables: nft)
        }
        return Digest(firewall: Firewall(tables: tables), missing: nil, nftTables: nft)
    }
}
