import PlumbModel

/// One table, chain and rule (or chain policy, or chain end) the live probe passed, with the verdict.
public struct LivePass: Codable, Sendable, Equatable {
    /// rule, policy or return (the end of a regular chain); the JSON writes the raw value.
    public var kind: NftTraceEvent.Kind
    /// The nft family of the table: ip, ip6, inet, bridge, ...
    public var family: String
    public var table: String
    public var chain: String
    /// The hook this chain ran at (from its base chain).
    public var hook: String?
    /// 1-based position of the rule in its chain; 0 for a policy, nil when unknown.
    public var index: Int?
    public var handle: UInt64?
    /// The rule as `iptables-save` writes it after `-A CHAIN` (a table iptables-nft made), else nft's text.
    public var rule: String?
    /// Whether `rule` is the `iptables-save` line.
    public var iptables: Bool
    /// docker, cni, podman, kubernetes, plumb or system: who made the rule.
    public var owner: String
    /// accept, drop, continue, return, jump CHAIN, goto CHAIN, queue, ...
    public var verdict: String

    public var drops: Bool { verdict == "drop" }

    /// "filter/FORWARD #3" (the static trace's numbering), or "policy of filter/FORWARD".
    public var location: String {
        switch kind {
        case .policy: return "policy of \(table)/\(chain)"
        case .return: return "end of \(table)/\(chain)"
        default: return index.map { "rule \($0) of \(table)/\(chain)" } ?? "rule handle \(handle ?? 0) of \(table)/\(chain)"
        }
    }
}

/// What the live probe did in one namespace of the path.
public struct LiveHop: Codable, Sendable, Equatable {
    /// The static trace's hop this namespace is.
    public var number: Int
    public var namespace: UInt64
    public var namespaceName: String
    /// Whether the probe reached this namespace's netfilter hooks (its marking rule fired here).
    public var seen: Bool
    /// false: nothing here can be traced (a bridge without br_netfilter passes frames below netfilter).
    public var observable: Bool
    public var inInterface: String?
    public var outInterface: String?
    public var passes: [LivePass]
    /// The pass that dropped the probe here.
    public var droppedBy: LivePass?
}

/// A drop outside netfilter, from the kernel's drop feed (skb:kfree_skb): why and where the kernel freed it.
public struct LiveDrop: Codable, Sendable, Equatable {
    public var reason: String
    /// The kernel function that dropped it (`nft_do_chain+0x1a4`, `ip_rcv_finish_core+0x2c`, ...).
    public var location: String
    public var namespaceName: String?
    public var interface: String?

    public init(reason: String, location: String, namespaceName: String? = nil, interface: String? = nil) {
        self.reason = reason; self.location = location; self.namespaceName = namespaceName; self.interface = interface
    }
}

/// One hop of the static trace set beside what the probe did there.
public struct HopComparison: Codable, Sendable, Equatable {
    public var hop: Int
    public var namespaceName: String
    public var agrees: Bool
    /// In words: what each said, when they disagree.
    public var text: String
}

/// What `plumb trace --live` adds to the static trace.
public struct LiveTraceResult: Codable, Sendable, Equatable {
    /// DROPPED (a rule dropped it), PASSED (it passed every hook up to the path's end), LOST (it vanished after a
    /// hop, outside netfilter), NOT-SEEN (no namespace saw it).
    public enum Verdict: String, Codable, Sendable {
        case dropped = "DROPPED", passed = "PASSED", lost = "LOST", notSeen = "NOT-SEEN"
    }

    public var probe: LiveProbe
    public var hops: [LiveHop]
    public var verdict: Verdict
    public var reason: String
    /// The hop where it was dropped, or last seen when LOST.
    public var dropHop: Int?
    /// The kernel's drop record when it died outside netfilter (when the drop feed is available).
    public var drop: LiveDrop?
    public var comparison: [HopComparison]
    /// Whether the live path and the static trace agree at every hop.
    public var agrees: Bool
    /// From sending the probe to the answer, in milliseconds.
    public var elapsedMillis: Int
    /// Trace events of this probe that were lost (a full socket buffer) or namespaces that could not be watched.
    public var notes: [String]
}
