import PlumbModel

/// One iptables rule, parsed from the text `iptables-save` prints after `-A CHAIN` (`FirewallRule.rule`).
/// Every match Plumb cannot evaluate is kept as `.unsupported` with its original words, so an evaluator can
/// say "this rule may match" instead of guessing.
public struct IptablesRule: Sendable, Equatable {
    /// The rule text it was parsed from.
    public var text: String
    /// All matches must hold for the rule to match (iptables ANDs them).
    public var matches: [RuleMatch]
    /// nil when the rule has no `-j`/`-g` (it only counts).
    public var target: RuleTarget?

    public init(text: String, matches: [RuleMatch], target: RuleTarget?) {
        self.text = text; self.matches = matches; self.target = target
    }

    /// The `-m comment --comment` text, if any.
    public var comment: String? {
        for m in matches { if case .comment(let c) = m { return c } }
        return nil
    }

    /// The matches that cannot be evaluated, in iptables words.
    public var unsupported: [String] {
        matches.compactMap { if case .unsupported(let s) = $0 { return s } else { return nil } }
    }
}

/// A port list: single ports and ranges (`80`, `1000:2000`, multiport `80,443,8000:8080`).
public typealias PortRanges = [ClosedRange<UInt16>]

public enum RuleMatch: Sendable, Equatable {
    /// `-s` / `-d` with a prefix (masks of either form), negated by `!`.
    case source(IPPrefix, negated: Bool)
    case destination(IPPrefix, negated: Bool)
    /// `-i` / `-o`; a trailing `+` matches every name with that prefix.
    case inInterface(String, negated: Bool)
    case outInterface(String, negated: Bool)
    /// `-p`: a protocol name (tcp, udp, icmp, icmpv6, sctp, all) or number.
    case proto(String, negated: Bool)
    /// `--sport` / `--dport` of -m tcp/udp/sctp, `--sports` / `--dports` / `--ports` of -m multiport.
    case sourcePorts(PortRanges, negated: Bool)
    case destinationPorts(PortRanges, negated: Bool)
    case eitherPort(PortRanges, negated: Bool)
    /// `-m conntrack --ctstate` / `-m state --state`: NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED, SNAT, DNAT.
    case connectionState(Set<String>, negated: Bool)
    /// `-m addrtype --src-type` / `--dst-type` (LOCAL, UNICAST, BROADCAST, MULTICAST, ...).
    case sourceAddressType(Set<String>, negated: Bool, limitToInInterface: Bool)
    case destinationAddressType(Set<String>, negated: Bool, limitToOutInterface: Bool)
    /// `-m physdev`: the bridge port a bridged packet came in on / goes out of.
    case physdevIn(String, negated: Bool)
    case physdevOut(String, negated: Bool)
    case physdevIsBridged(negated: Bool)
    case physdevIsIn(negated: Bool)
    case physdevIsOut(negated: Bool)
    /// `-m mark --mark V[/M]`.
    case mark(value: UInt32, mask: UInt32, negated: Bool)
    /// `--icmp-type` / `--icmpv6-type` as written (name or number[/code]).
    case icmpType(String, negated: Bool)
    /// `--tcp-flags MASK COMP` (and `--syn`).
    case tcpFlags(mask: Set<String>, set: Set<String>, negated: Bool)
    /// `-m iprange --src-range` / `--dst-range`.
    case sourceRange(IPAddress, IPAddress, negated: Bool)
    case destinationRange(IPAddress, IPAddress, negated: Bool)
    /// `-f`: second and later fragments.
    case fragment(negated: Bool)
    /// `-m length --length A[:B]`.
    case length(ClosedRange<Int>, negated: Bool)
    /// `-m pkttype --pkt-type unicast|broadcast|multicast`.
    case packetType(String, negated: Bool)
    /// `-m comment --comment TEXT`: always matches.
    case comment(String)
    /// Anything else (`-m set --match-set x src`, `-m owner`, `-m bpf`, `-m u32`, ...), as written.
    case unsupported(String)
}

public enum RuleTarget: Sendable, Equatable {
    case accept
    case drop
    /// `--reject-with` type when given.
    case reject(with: String?)
    case returnFromChain
    /// `-j CHAIN` (a user chain, or a target extension the evaluator does not know: it checks the table).
    case jump(String)
    /// `-g CHAIN`.
    case goto(String)
    /// `-j LOG` / `NFLOG`: records and continues.
    case log(prefix: String?)
    case masquerade(toPorts: String?)
    /// `--to-source ADDR[-ADDR][:PORT[-PORT]]` as written.
    case snat(to: String)
    /// `--to-destination ADDR[:PORT]` / `[V6]:PORT` as written.
    case dnat(to: String)
    case redirect(toPorts: String?)
    /// `-j MARK`: mark = (mark & ~mask) ^ value (`--set-xmark`; `--set-mark V/M` is value V, mask M|V).
    case setMark(value: UInt32, mask: UInt32)
    /// A target that changes something Plumb does not model and then continues (CONNMARK, TCPMSS, CT, ...).
    case nonTerminal(String)
    /// A target whose decision is made elsewhere (NFQUEUE: a userspace program; TPROXY): unknowable here.
    case opaque(String)

    /// The words of the target as iptables writes them.
    public var name: String {
        switch self {
        case .accept: return "ACCEPT"
        case .drop: return "DROP"
        case .reject: return "REJECT"
        case .returnFromChain: return "RETURN"
        case .jump(let c): return c
        case .goto(let c): return c
        case .log: return "LOG"
        case .masquerade: return "MASQUERADE"
        case .snat: return "SNAT"
        case .dnat: return "DNAT"
        case .redirect: return "REDIRECT"
        case .setMark: return "MARK"
        case .nonTerminal(let n): return n
        case .opaque(let n): return n
        }
    }
}
