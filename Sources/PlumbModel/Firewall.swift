/// The packet filter of one namespace: iptables/ip6tables tables (read with `iptables-save -c`) and native
/// nftables tables (read with `nft -j list ruleset`).
public struct Firewall: Codable, Sendable, Equatable {
    public var tables: [FirewallTable]
    /// e.g. "iptables-save not installed": a degraded read, never a failure.
    public var notes: [String]

    public init(tables: [FirewallTable] = [], notes: [String] = []) {
        self.tables = tables; self.notes = notes
    }

    public var ruleCount: Int { tables.reduce(0) { $0 + $1.chains.reduce(0) { $0 + $1.rules.count } } }
}

public struct FirewallTable: Codable, Sendable, Equatable {
    /// `ipv4` / `ipv6` for iptables tables; the nft family (`ip`, `ip6`, `inet`, `bridge`, `arp`, `netdev`)
    /// for native nftables tables.
    public var family: String
    public var name: String
    /// `iptables` or `nft`: which tool's view this is.
    public var source: String
    public var chains: [FirewallChain]

    public init(family: String, name: String, source: String, chains: [FirewallChain] = []) {
        self.family = family; self.name = name; self.source = source; self.chains = chains
    }

    public func chain(_ name: String) -> FirewallChain? { chains.first(where: { $0.name == name }) }
}

public struct FirewallChain: Codable, Sendable, Equatable {
    public var name: String
    /// ACCEPT/DROP for built-in chains; nil for user chains (`-` in iptables-save).
    public var policy: String?
    /// Policy counters of built-in chains (user chains have none: 0).
    public var packets: UInt64
    public var bytes: UInt64
    /// nft only: the hook this base chain is attached to (input, forward, ...).
    public var hook: String?
    public var rules: [FirewallRule]

    public init(name: String, policy: String? = nil, packets: UInt64 = 0, bytes: UInt64 = 0, hook: String? = nil,
                rules: [FirewallRule] = []) {
        self.name = name; self.policy = policy; self.packets = packets; self.bytes = bytes; self.hook = hook
        self.rules = rules
    }

    public var isBuiltin: Bool { policy != nil }
}

public struct FirewallRule: Codable, Sendable, Equatable {
    /// For iptables: the iptables-save text after `-A CHAIN ` (without the `[p:b]` counters).
    /// For nft: the rule rendered in nft's own syntax.
    public var rule: String
    public var packets: UInt64
    public var bytes: UInt64
    /// The chain or verdict this rule jumps/goes to (`-j X`, `-g X`, `jump X`), when there is one.
    public var target: String?

    public init(rule: String, packets: UInt64 = 0, bytes: UInt64 = 0, target: String? = nil) {
        self.rule = rule; self.packets = packets; self.bytes = bytes; self.target = target
    }
}
