import PlumbModel

/// Where the packet is when a hook runs: its interfaces (and bridge ports for bridged packets), and what the
/// namespace knows about addresses (for `-m addrtype`, MASQUERADE and REDIRECT).
public struct HookContext {
    public var inInterface: String?
    public var outInterface: String?
    /// Bridge ports of a bridged packet (`-m physdev`); nil for routed packets.
    public var physdevIn: String?
    public var physdevOut: String?
    public var bridged: Bool
    public var addressTypes: AddressTypeTable
    /// The address MASQUERADE would give the packet leaving through an interface.
    public var masqueradeSource: (String) -> IPAddress?
    /// The address REDIRECT sends the packet to (the in-interface's primary address; loopback in OUTPUT).
    public var redirectDestination: IPAddress?

    public init(inInterface: String? = nil, outInterface: String? = nil, physdevIn: String? = nil,
                physdevOut: String? = nil, bridged: Bool = false, addressTypes: AddressTypeTable = AddressTypeTable(),
                masqueradeSource: @escaping (String) -> IPAddress? = { _ in nil }, redirectDestination: IPAddress? = nil) {
        self.inInterface = inInterface; self.outInterface = outInterface; self.physdevIn = physdevIn
        self.physdevOut = physdevOut; self.bridged = bridged; self.addressTypes = addressTypes
        self.masqueradeSource = masqueradeSource; self.redirectDestination = redirectDestination
    }
}

/// The address types of one namespace, from its local routing table (what `-m addrtype` asks the kernel).
public struct AddressTypeTable: Sendable {
    public var local: [IPPrefix]
    public var broadcast: [IPPrefix]

    public init(local: [IPPrefix] = [], broadcast: [IPPrefix] = []) {
        self.local = local; self.broadcast = broadcast
    }

    /// From the `local` and `broadcast` routes of table 255 (the snapshot keeps every table).
    public init(namespace ns: Namespace) {
        var local: [IPPrefix] = [], broadcast: [IPPrefix] = []
        for r in ns.routes where r.table == 255 {
            let p = r.dst ?? IPPrefix(unchecked: r.family == .ipv6 ? .anyIPv6 : .anyIPv4, length: 0)
            if r.type == "local" { local.append(p) }
            if r.type == "broadcast" { broadcast.append(p) }
        }
        // Addresses whose local route the snapshot lacks (e.g. a link that is down) still count as local.
        for l in ns.links { for a in l.addresses {
            if !local.contains(where: { $0.contains(a.address) }) { local.append(IPPrefix(host: a.address)) }
        } }
        self.local = local; self.broadcast = broadcast
    }

    /// LOCAL, BROADCAST, MULTICAST or UNICAST.
    public func type(of ip: IPAddress) -> String {
        if local.contains(where: { $0.contains(ip) }) { return "LOCAL" }
        if broadcast.contains(where: { $0.contains(ip) }) { return "BROADCAST" }
        if ip.isMulticast { return "MULTICAST" }
        if ip == IPAddress(ipv4: 0xffff_ffff) { return "BROADCAST" }
        return "UNICAST"
    }
}

/// One rule the packet matched (or may match), or a chain policy that decided.
public struct RuleHit: Codable, Sendable, Equatable {
    /// ipv4 / ipv6.
    public var family: String
    public var table: String
    public var chain: String
    /// 1-based position in the chain (as `iptables -L --line-numbers` counts); 0 for the chain policy.
    public var index: Int
    /// The rule as iptables-save writes it after `-A CHAIN`, or "policy DROP".
    public var rule: String
    public var packets: UInt64
    public var bytes: UInt64
    /// What it did: "ACCEPT", "DROP", "jump DOCKER", "DNAT → 10.0.0.2:80", "MARK 0x1", "LOG", "no effect".
    public var effect: String
    /// false: some match could not be evaluated, so the rule *may* match (its `unevaluated` words say which).
    public var certain: Bool
    public var unevaluated: [String]

    public init(family: String, table: String, chain: String, index: Int, rule: String, packets: UInt64,
                bytes: UInt64, effect: String, certain: Bool = true, unevaluated: [String] = []) {
        self.family = family; self.table = table; self.chain = chain; self.index = index; self.rule = rule
        self.packets = packets; self.bytes = bytes; self.effect = effect; self.certain = certain
        self.unevaluated = unevaluated
    }

    /// "rule 3 of filter/FORWARD" or "policy of filter/FORWARD".
    public var location: String {
        index == 0 ? "policy of \(table)/\(chain)" : "rule \(index) of \(table)/\(chain)"
    }
}

/// What one hook did to the packet.
public struct HookResult: Codable, Sendable, Equatable {
    public var hook: NetfilterHook
    /// ACCEPT, DROP, REJECT, or QUEUE (a userspace program decides: unknowable here).
    public var verdict: String
    /// The rule or policy that dropped/rejected it; nil when accepted.
    public var decidedBy: RuleHit?
    /// Every rule matched on the way, in order (jumps included), and policies that applied.
    public var hits: [RuleHit]
    /// Rules that may have matched and would have changed the outcome (unsupported matches, unknown targets).
    public var uncertain: [RuleHit]
    /// Tables of this hook present in the firewall that were walked.
    public var tablesWalked: [String]
    /// Native nftables base chains on this hook that were not evaluated.
    public var unevaluatedNft: [String]

    public var dropped: Bool { verdict == "DROP" || verdict == "REJECT" }
}

/// Evaluates the iptables tables of one namespace for one packet at one hook, in the kernel's table order.
/// Pure: the firewall comes from a snapshot, addresses from the context. Reusable by the doctor (e.g. "does
/// anything in FORWARD accept traffic from bridge X?") with a synthetic packet.
public struct NetfilterEvaluator {
    public let firewall: Firewall
    public let family: AddressFamily
    private var parsed: [String: IptablesRule] = [:]

    public init(firewall: Firewall, family: AddressFamily) {
        self.firewall = firewall; self.family = family
        for t in firewall.tables where t.source == "iptables" {
            for c in t.chains { for r in c.rules where parsed[r.rule] == nil { parsed[r.rule] = IptablesRuleParser.parse(r.rule) } }
        }
    }

    var familyName: String { family == .ipv6 ? "ipv6" : "ipv4" }

    /// Runs every table of `hook`; NAT and MARK targets change `packet`. nat chains run because the packet is
    /// the first of its connection.
    public func run(_ hook: NetfilterHook, packet: inout TracePacket, context: HookContext) -> HookResult {
        var result = HookResult(hook: hook, verdict: "ACCEPT", decidedBy: nil, hits: [], uncertain: [],
                                tablesWalked: [], unevaluatedNft: nativeChains(on: hook))
        for name in hook.tables {
            guard let table = firewall.tables.first(where: {
                $0.source == "iptables" && $0.family == familyName && $0.name == name
            }), table.chain(hook.rawValue) != nil else { continue }
            result.tablesWalked.append(name)
            let outcome = walk(table, from: hook.rawValue, packet: &packet, context: context, result: &result)
            if outcome != "ACCEPT" {
                result.verdict = outcome
                return result
            }
        }
        return result
    }

    /// nft base chains (native tables) hooked here that could change the outcome: with rules, or a drop policy.
    func nativeChains(on hook: NetfilterHook) -> [String] {
        let fams: Set<String> = family == .ipv6 ? ["ip6", "inet"] : ["ip", "inet"]
        var out: [String] = []
        // A live trace's marking tables (`plumb trace --live`, maybe another one running now) only mark a probe.
        for t in firewall.tables where t.source == "nft" && fams.contains(t.family) && !LiveTraceTables.isTraceTable(t.name) {
            for c in t.chains where c.hook == hook.nftHook && (!c.rules.isEmpty || c.policy?.lowercased() == "drop") {
                out.append("nft \(t.family) \(t.name) \(c.name) (hook \(hook.nftHook), \(counted(c.rules.count, "rule")))")
            }
        }
        return out
    }

    /// Walks one table from a built-in chain; returns ACCEPT, DROP, REJECT or QUEUE.
    private func walk(_ table: FirewallTable, from builtin: String, packet: inout TracePacket, context: HookContext,
                      result: inout HookResult) -> String {
        var stack: [(chain: String, next: Int)] = []
        var chainName = builtin
        var index = 0
        var steps = 0
        while steps < 100_000 {
            steps += 1
            guard let chain = table.chain(chainName) else { return "ACCEPT" }
            if index >= chain.rules.count {
                // End of a user chain returns to its caller; the end of the built-in chain applies its policy.
                if let top = stack.popLast() { chainName = top.chain; index = top.next; continue }
                return applyPolicy(table, builtin, result: &result)
            }
            let raw = chain.rules[index]
            let rule = parsed[raw.rule] ?? IptablesRuleParser.parse(raw.rule)
            index += 1
            let m = Self.matches(rule, packet: packet, context: context)
            if m == .no { continue }
            var hit = RuleHit(family: familyName, table: table.name, chain: chainName, index: index, rule: raw.rule,
                              packets: raw.packets, bytes: raw.bytes, effect: "")
            if case .maybe(let why) = m {
                hit.certain = false
                hit.unevaluated = why
                hit.effect = "may match: " + describe(rule.target)
                if Self.couldChangeOutcome(rule.target) {
                    hit.effect += " (assumed not to match)"
                    result.uncertain.append(hit)
                }
                result.hits.append(hit)
                continue  // assumed not to match; the uncertainty is reported
            }
            guard let target = rule.target else {
                hit.effect = "counted"
                result.hits.append(hit); continue
            }
            switch target {
            case .accept:
                hit.effect = "ACCEPT"; result.hits.append(hit); return "ACCEPT"
            case .drop:
                hit.effect = "DROP"; result.hits.append(hit); result.decidedBy = hit; return "DROP"
            case .reject(let with):
                hit.effect = "REJECT" + (with.map { " (\($0))" } ?? "")
                result.hits.append(hit); result.decidedBy = hit; return "REJECT"
            case .returnFromChain:
                hit.effect = "RETURN"; result.hits.append(hit)
                if let top = stack.popLast() { chainName = top.chain; index = top.next; continue }
                return applyPolicy(table, builtin, result: &result)
            case .jump(let name), .goto(let name):
                guard table.chain(name) != nil else {
                    hit.effect = "unknown target \(name) (not a chain of \(table.name)): assumed to continue"
                    hit.certain = false
                    result.hits.append(hit); result.uncertain.append(hit); continue
                }
                var isGoto = false
                if case .goto = target { isGoto = true }
                hit.effect = (isGoto ? "goto " : "jump ") + name
                result.hits.append(hit)
                if stack.count > 64 { return "ACCEPT" }
                if !isGoto { stack.append((chainName, index)) }
                chainName = name; index = 0
            case .log(let prefix):
                hit.effect = "LOG" + (prefix.map { " \"\($0)\"" } ?? ""); result.hits.append(hit)
            case .setMark(let value, let mask):
                packet.mark = (packet.mark & ~mask) ^ value
                hit.effect = "MARK → 0x" + String(packet.mark, radix: 16); result.hits.append(hit)
            case .nonTerminal(let n):
                hit.effect = "\(n) (not modelled; continues)"; result.hits.append(hit)
            case .opaque(let n):
                hit.effect = "\(n): decided outside the kernel's rules"
                hit.certain = false
                result.hits.append(hit); result.uncertain.append(hit); result.decidedBy = hit
                return "QUEUE"
            case .dnat(let to):
                let (addr, port) = Self.natEndpoint(to)
                if let addr { packet.destination = addr }
                if let port { packet.destinationPort = port }
                packet.natStates.insert("DNAT")
                hit.effect = "DNAT → \(Self.endpoint(packet.destination, packet.destinationPort))"
                result.hits.append(hit); return "ACCEPT"
            case .redirect(let ports):
                if let d = context.redirectDestination { packet.destination = d }
                if let p = ports.flatMap({ UInt16($0.split(separator: "-").first ?? "") }) { packet.destinationPort = p }
                packet.natStates.insert("DNAT")
                hit.effect = "REDIRECT → \(Self.endpoint(packet.destination, packet.destinationPort))"
                result.hits.append(hit); return "ACCEPT"
            case .snat(let to):
                let (addr, port) = Self.natEndpoint(to)
                if let addr { packet.source = addr }
                if let port { packet.sourcePort = port }
                packet.natStates.insert("SNAT")
                hit.effect = "SNAT → \(Self.endpoint(packet.source, packet.sourcePort))"
                result.hits.append(hit); return "ACCEPT"
            case .masquerade:
                if let out = context.outInterface, let src = context.masqueradeSource(out) {
                    packet.source = src
                    hit.effect = "MASQUERADE → \(src)"
                } else {
                    hit.effect = "MASQUERADE (source address of \(context.outInterface ?? "?") unknown)"
                    hit.certain = false; result.uncertain.append(hit)
                }
                packet.natStates.insert("SNAT")
                result.hits.append(hit); return "ACCEPT"
            }
        }
        return "ACCEPT"
    }

    private func applyPolicy(_ table: FirewallTable, _ builtin: String, result: inout HookResult) -> String {
        guard let c = table.chain(builtin) else { return "ACCEPT" }
        let policy = (c.policy ?? "ACCEPT").uppercased()
        let hit = RuleHit(family: familyName, table: table.name, chain: builtin, index: 0, rule: "policy \(policy)",
                          packets: c.packets, bytes: c.bytes, effect: policy)
        // A nat chain's ACCEPT policy only means "no translation": not worth a line of its own.
        if table.name != "nat" || policy != "ACCEPT" { result.hits.append(hit) }
        if policy == "DROP" { result.decidedBy = hit; return "DROP" }
        return "ACCEPT"
    }

    private func describe(_ t: RuleTarget?) -> String {
        guard let t else { return "counts only" }
        switch t {
        case .jump(let c): return "jump \(c)"
        case .goto(let c): return "goto \(c)"
        default: return t.name
        }
    }

    /// Whether a rule with this target, had it matched, could change where the packet goes.
    static func couldChangeOutcome(_ t: RuleTarget?) -> Bool {
        guard let t else { return false }
        switch t {
        case .log, .nonTerminal: return false
        default: return true
        }
    }

    /// "10.0.0.2:80", "[fd00::2]:80", or the bare address without a port.
    public static func endpoint(_ a: IPAddress, _ p: UInt16?) -> String {
        guard let p else { return a.description }
        return a.isIPv6 ? "[\(a)]:\(p)" : "\(a):\(p)"
    }

    /// "10.0.0.2:80", "10.0.0.2-10.0.0.9:80-90", "[fd00::2]:80", "fd00::2" → first address, first port; the
    /// address is parsed here, once (nil when the rule names none, or none that parses).
    static func natEndpoint(_ s: String) -> (IPAddress?, UInt16?) {
        var addrPart = s, portPart: String?
        if s.hasPrefix("[") {
            if let close = s.firstIndex(of: "]") {
                addrPart = String(s[s.index(after: s.startIndex)..<close])
                let rest = s[s.index(after: close)...]
                if rest.hasPrefix(":") { portPart = String(rest.dropFirst()) }
            }
        } else if s.filter({ $0 == ":" }).count == 1 {
            let parts = s.split(separator: ":", maxSplits: 1)
            addrPart = String(parts[0]); portPart = parts.count > 1 ? String(parts[1]) : nil
        }
        let addr = addrPart.split(separator: "-").first.flatMap { IPAddress(String($0)) }
        let port = portPart.flatMap { UInt16($0.split(separator: "-").first ?? "") }
        return (addr, port)
    }

    // MARK: - Matching

    public enum MatchResult: Equatable {
        case yes, no
        /// Could not be evaluated; the words say which matches.
        case maybe([String])
    }

    /// Whether `rule` matches `packet` at this point (all its matches must hold).
    public static func matches(_ rule: IptablesRule, packet: TracePacket, context: HookContext) -> MatchResult {
        var unknown: [String] = []
        for m in rule.matches {
            switch evaluate(m, packet: packet, context: context) {
            case .some(true): continue
            case .some(false): return .no
            case .none:
                if case .unsupported(let s) = m { unknown.append(s) } else { unknown.append("\(m)") }
            }
        }
        return unknown.isEmpty ? .yes : .maybe(unknown)
    }

    /// true / false, or nil when it cannot be told.
    static func evaluate(_ m: RuleMatch, packet p: TracePacket, context c: HookContext) -> Bool? {
        func neg(_ v: Bool, _ n: Bool) -> Bool { n ? !v : v }
        switch m {
        case .source(let pre, let n):
            return neg(pre.contains(p.source), n)
        case .destination(let pre, let n):
            return neg(pre.contains(p.destination), n)
        case .inInterface(let name, let n):
            return neg(interfaceMatches(name, c.inInterface), n)
        case .outInterface(let name, let n):
            return neg(interfaceMatches(name, c.outInterface), n)
        case .proto(let name, let n):
            if name == "all" { return neg(true, n) }
            return neg(name == p.proto || (name == "icmp6" && p.proto == "icmpv6"), n)
        case .sourcePorts(let r, let n):
            guard let port = p.sourcePort else { return false }
            return neg(r.contains { $0.contains(port) }, n)
        case .destinationPorts(let r, let n):
            guard let port = p.destinationPort else { return false }
            return neg(r.contains { $0.contains(port) }, n)
        case .eitherPort(let r, let n):
            let ports = [p.sourcePort, p.destinationPort].compactMap { $0 }
            if ports.isEmpty { return false }
            return neg(ports.contains { port in r.contains { $0.contains(port) } }, n)
        case .connectionState(let states, let n):
            let mine = p.natStates.union(["NEW"])
            return neg(!states.isDisjoint(with: mine), n)
        case .sourceAddressType(let types, let n, _):
            let ip = p.source
            let known: Set<String> = ["LOCAL", "UNICAST", "BROADCAST", "MULTICAST"]
            guard types.isSubset(of: known) || types.contains(c.addressTypes.type(of: ip)) else { return nil }
            return neg(types.contains(c.addressTypes.type(of: ip)), n)
        case .destinationAddressType(let types, let n, _):
            let ip = p.destination
            let known: Set<String> = ["LOCAL", "UNICAST", "BROADCAST", "MULTICAST"]
            guard types.isSubset(of: known) || types.contains(c.addressTypes.type(of: ip)) else { return nil }
            return neg(types.contains(c.addressTypes.type(of: ip)), n)
        case .physdevIn(let name, let n):
            guard c.bridged else { return n ? true : false }
            return neg(interfaceMatches(name, c.physdevIn), n)
        case .physdevOut(let name, let n):
            guard c.bridged else { return n ? true : false }
            return neg(interfaceMatches(name, c.physdevOut), n)
        case .physdevIsBridged(let n):
            return neg(c.bridged && c.physdevOut != nil, n)
        case .physdevIsIn(let n):
            return neg(c.bridged && c.physdevIn != nil, n)
        case .physdevIsOut(let n):
            return neg(c.bridged && c.physdevOut != nil, n)
        case .mark(let value, let mask, let n):
            return neg(p.mark & mask == value, n)
        case .icmpType(let t, let n):
            let lower = t.lowercased()
            if lower == "any" { return neg(true, n) }
            let echo = p.proto == "icmpv6" ? ["echo-request", "128", "128/0"] : ["echo-request", "8", "8/0"]
            guard p.proto == "icmp" || p.proto == "icmpv6" else { return false }
            return neg(echo.contains(lower), n)
        case .tcpFlags(let mask, let set, let n):
            guard p.proto == "tcp" else { return false }
            let flags: Set<String> = ["SYN"]  // the first packet of a connection
            return neg(flags.intersection(mask) == set, n)
        case .sourceRange(let a, let b, let n):
            let ip = p.source
            return neg(within(ip, a, b), n)
        case .destinationRange(let a, let b, let n):
            let ip = p.destination
            return neg(within(ip, a, b), n)
        case .fragment(let n):
            return neg(false, n)  // the traced packet is never a later fragment
        case .length(let r, let n):
            return neg(r.contains(p.size), n)
        case .packetType(let t, let n):
            let ip = p.destination
            let kind = c.addressTypes.type(of: ip)
            let mine = kind == "MULTICAST" ? "multicast" : kind == "BROADCAST" ? "broadcast" : "unicast"
            return neg(t == mine, n)
        case .comment:
            return true
        case .unsupported:
            return nil
        }
    }

    /// `-i eth+` matches every name starting with `eth`; no interface (nil) matches nothing.
    static func interfaceMatches(_ pattern: String, _ name: String?) -> Bool {
        guard let name else { return false }
        if pattern.hasSuffix("+") { return name.hasPrefix(pattern.dropLast()) }
        return name == pattern
    }

    static func within(_ ip: IPAddress, _ a: IPAddress, _ b: IPAddress) -> Bool {
        ip.family == a.family && ip >= a && ip <= b
    }
}
