/// What `plumb doctor` found: one problem, on exact objects, with the evidence, a plain explanation and (when
/// Plumb can fix it) the plan that fixes it and the plan that undoes that fix.
public struct Finding: Codable, Sendable, Equatable, Identifiable {
    public enum Severity: String, Codable, Sendable, Comparable, CaseIterable {
        case info, warning, error
        var rank: Int { self == .info ? 0 : self == .warning ? 1 : 2 }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// One object a finding is about, for badges on topology nodes: a namespace, or a link/route/chain in it.
    public struct Subject: Codable, Sendable, Equatable, Hashable {
        /// The namespace's nsfs inode (`Namespace.id`).
        public var namespace: UInt64
        /// What sort of object `name` names. The JSON writes the raw value (`"link"`), as before the enum.
        public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
            case namespace, link, route, chain, rule, sysctl, address, port, conntrack
        }
        public var kind: Kind
        /// The link name, route destination, `table/chain`, sysctl key; empty for a whole namespace.
        public var name: String
        public init(namespace: UInt64, kind: Kind, name: String = "") {
            self.namespace = namespace; self.kind = kind; self.name = name
        }
    }

    /// Stable across runs: `CHECK:nsINODE:OBJECT`, so `plumb doctor --fix ID` names the same problem tomorrow.
    public var id: String
    /// The check's short id (`mtu-mismatch`) and its number in the README's list (1...13).
    public var check: String
    public var checkNumber: Int
    public var severity: Severity
    public var title: String
    public var subjects: [Subject]
    /// The exact objects as lines: links, routes, rules, sysctls.
    public var evidence: [String]
    /// Why this breaks traffic (or may), in plain words.
    public var explanation: String
    /// The change that fixes it; nil when Plumb cannot know the right fix (the explanation says what to do).
    public var fix: Plan?
    /// The change that reverts `fix` (its inverse).
    public var undo: Plan?
    /// Removing leftovers: never applied by `--fix-all --yes`; each object needs its own confirmation.
    public var confirmEach: Bool
    /// The fix's effect on the flows of the namespaces it changes, compared by the evaluator before it is
    /// offered (nil: no fix, or not compared).
    public var impact: FixImpact?

    public init(id: String, check: String, checkNumber: Int, severity: Severity, title: String,
                subjects: [Subject], evidence: [String], explanation: String, fix: Plan? = nil, undo: Plan? = nil,
                confirmEach: Bool = false) {
        self.id = id; self.check = check; self.checkNumber = checkNumber; self.severity = severity
        self.title = title; self.subjects = subjects; self.evidence = evidence; self.explanation = explanation
        self.fix = fix; self.undo = undo ?? fix?.inverse; self.confirmEach = confirmEach
    }
}

/// What the doctor needs beyond a snapshot, read from the kernel by the CLI (PlumbKernel's
/// DoctorInputsReader). Empty in places that cannot read it (the TUI may pass `DoctorInputs()`): the checks
/// that need a missing input report it as "not checked" instead of guessing.
public struct DoctorInputs: Codable, Sendable, Equatable {
    /// The resolvers each namespace's processes use, by namespace id. nil: not read (DNS not checked).
    public var resolvers: [UInt64: ResolverConfig]?
    /// Whether the br_netfilter module is loaded (/sys/module/br_netfilter). nil: not read.
    public var brNetfilterLoaded: Bool?
    /// Look only at these namespaces (e.g. a `--host-ns` lab and what is wired to it); nil: everything.
    public var scope: Set<UInt64>?
    /// The namespace playing the host (`--host-ns`); nil: the snapshot's host.
    public var hostNamespace: UInt64?
    /// TCP and UDP listeners of the namespaces published ports lead to, by namespace id (sock_diag). nil: not
    /// read (the listener checks do not run); a namespace missing: its listeners are unknown.
    public var listeners: [UInt64: [SocketRecord]]?
    /// The host's conntrack (ctnetlink): how full, and its stale NAT entries. nil: not read.
    public var conntrack: ConntrackEvidence?
    /// The published ports of the namespaces in scope with their listeners, when the reader already found them
    /// (to know whose listeners to read): the doctor and the TUI's Ports tab use them instead of finding them
    /// again. nil: the doctor finds them itself.
    public var publishedPorts: [PublishedPort]?

    public init(resolvers: [UInt64: ResolverConfig]? = nil, brNetfilterLoaded: Bool? = nil,
                scope: Set<UInt64>? = nil, hostNamespace: UInt64? = nil, listeners: [UInt64: [SocketRecord]]? = nil,
                conntrack: ConntrackEvidence? = nil) {
        self.resolvers = resolvers; self.brNetfilterLoaded = brNetfilterLoaded; self.scope = scope
        self.hostNamespace = hostNamespace; self.listeners = listeners; self.conntrack = conntrack
    }
}

/// One namespace's resolv.conf and the DNS listeners inside it.
public struct ResolverConfig: Codable, Sendable, Equatable {
    /// Where resolv.conf was read (/proc/PID/root/etc/resolv.conf, /etc/netns/NAME/resolv.conf).
    public var source: String
    public var nameservers: [String]
    /// Local addresses with a UDP socket bound to port 53 in this namespace ("127.0.0.53", "0.0.0.0", "::").
    public var udp53Listeners: [String]

    public init(source: String, nameservers: [String], udp53Listeners: [String]) {
        self.source = source; self.nameservers = nameservers; self.udp53Listeners = udp53Listeners
    }
}

/// What the doctor reads of one namespace's conntrack table: its fill against nf_conntrack_max, and the NAT
/// entries that send traffic to an address inside one of the namespace's own subnets that no namespace has
/// any more (a container that is gone; its connections are still translated towards it).
public struct ConntrackEvidence: Codable, Sendable, Equatable {
    public var namespace: UInt64
    public var usage: ConntrackUsage
    /// The first stale entries, in conntrack's words ("tcp 198.51.100.7:40000 → 10.0.0.1:8080 ⇒ 10.213.1.9:80").
    public var staleNAT: [String]
    /// How many there are in all, and the addresses they point at.
    public var staleTotal: Int
    public var staleTargets: [String]
    /// The stale entries themselves (at most `staleEntryLimit`), which the fix deletes by tuple, zone and id.
    public var staleEntries: [ConntrackEntry]
    /// A bound on the entries a fix carries (and journals); more are left to a second run of the fix.
    public static let staleEntryLimit = 10_000

    public init(namespace: UInt64, usage: ConntrackUsage, staleNAT: [String] = [], staleTotal: Int = 0, staleTargets: [String] = [],
                staleEntries: [ConntrackEntry] = []) {
        self.namespace = namespace; self.usage = usage; self.staleNAT = staleNAT; self.staleTotal = staleTotal
        self.staleTargets = staleTargets; self.staleEntries = staleEntries
    }
}
