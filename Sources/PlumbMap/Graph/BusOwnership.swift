import PlumbModel
import PlumbTrace

/// Who made a bridge, judged from the snapshot alone: the firewall rules that name it (a Plumb network's
/// `plumb:NET` tag, Docker's chains, netavark's and CNI's chains and comments), the tools' bridge names, and the
/// runtimes of the containers on it. The strongest evidence wins; with none, the bridge is hand-made.
struct BusOwnership {
    /// The parsed iptables rules of one namespace, with their chain's owner.
    struct Rule {
        var chain: String
        var owner: ChainOwner
        var rule: IptablesRule
    }

    let rules: [Rule]

    init(firewall: Firewall) {
        var rules: [Rule] = []
        for table in firewall.tables where table.source == "iptables" {
            for chain in table.chains {
                let owner = ChainOwner.of(chain: chain.name)
                for r in chain.rules {
                    rules.append(Rule(chain: chain.name, owner: owner, rule: IptablesRuleParser.parse(r.rule)))
                }
            }
        }
        self.rules = rules
    }

    func owner(of bridge: String, subnet: IPPrefix?, portRuntimes: [String]) -> BusOwner {
        var namingRules: [Rule] = []
        var sourceRules: [Rule] = []
        for r in rules {
            if r.rule.matches.contains(where: { Self.names(bridge, $0) }) { namingRules.append(r) }
            if let subnet, r.rule.matches.contains(where: { Self.sourceInside(subnet, $0) }) { sourceRules.append(r) }
        }
        // A Plumb network tags every rule it adds with `plumb:NET` (endpoints: `plumb:NET:KEY`).
        for r in namingRules {
            if let c = r.rule.comment, c.hasPrefix("plumb:") {
                let net = c.dropFirst("plumb:".count).split(separator: ":").first.map(String.init)
                return BusOwner(kind: .plumb, network: net, evidence: "rules tagged \(c)")
            }
        }
        if namingRules.contains(where: { $0.owner == .docker || Self.jumps($0, to: .docker) }) {
            return BusOwner(kind: .docker, network: Self.dockerNetwork(bridge), evidence: "Docker's chains name it")
        }
        let podmanNamed = bridge == "podman0" || bridge == "cni-podman0"
        if namingRules.contains(where: { $0.owner == .podman }) || sourceRules.contains(where: { $0.owner == .podman || Self.jumps($0, to: .podman) }) {
            return BusOwner(kind: .podman, network: podmanNamed ? "podman" : nil, evidence: "netavark's chains name its subnet")
        }
        // CNI plugins comment their rules `name: "NET" id: "CONTAINER"`.
        for r in sourceRules + namingRules where r.owner == .cni || Self.jumps(r, to: .cni) {
            let net = r.rule.comment.flatMap(Self.cniNetwork)
            if podmanNamed { return BusOwner(kind: .podman, network: net ?? "podman", evidence: "CNI rules of Podman's bridge") }
            return BusOwner(kind: .cni, network: net, evidence: "CNI's chains name its subnet")
        }
        switch bridge {
        case "docker0": return BusOwner(kind: .docker, network: "bridge", evidence: "bridge name")
        case "podman0", "cni-podman0": return BusOwner(kind: .podman, network: "podman", evidence: "bridge name")
        case "cni0", "cbr0": return BusOwner(kind: .cni, evidence: "bridge name")
        case "lxcbr0", "lxdbr0": return BusOwner(kind: .lxc, evidence: "bridge name")
        default: break
        }
        // The runtime most of its containers come from (ties: by name, so the answer is stable).
        // Port labels that are not a runtime (netns, anonymous, host) count for none.
        let counted = Dictionary(portRuntimes.compactMap { BusOwner.Kind(rawValue: $0) }.map { ($0, 1) }, uniquingKeysWith: +)
        if let best = counted.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key.rawValue < $1.key.rawValue }).first {
            return BusOwner(kind: best.key, evidence: "its containers")
        }
        return BusOwner(kind: .manual, evidence: "no tool's rules or containers")
    }

    /// `-i BR` / `-o BR` (negated too: Docker writes `! -o docker0`).
    static func names(_ bridge: String, _ m: RuleMatch) -> Bool {
        switch m {
        case .inInterface(let n, _), .outInterface(let n, _): return n == bridge
        default: return false
        }
    }

    static func sourceInside(_ subnet: IPPrefix, _ m: RuleMatch) -> Bool {
        if case .source(let p, false) = m { return p.family == subnet.family && subnet.contains(p) }
        return false
    }

    static func jumps(_ r: Rule, to owner: ChainOwner) -> Bool {
        switch r.rule.target {
        case .jump(let c), .goto(let c): return ChainOwner.of(chain: c) == owner
        default: return false
        }
    }

    /// Docker names a user network's bridge `br-` and the network's short id; docker0 is the `bridge` network.
    static func dockerNetwork(_ bridge: String) -> String? {
        if bridge == "docker0" { return "bridge" }
        return bridge.hasPrefix("br-") ? String(bridge.dropFirst(3)) : nil
    }

    /// `name: "cbr0" id: "…"` → cbr0.
    static func cniNetwork(_ comment: String) -> String? {
        let marker = Array("name: ".unicodeScalars), text = Array(comment.unicodeScalars)
        guard text.count >= marker.count,
              let start = (0...(text.count - marker.count)).first(where: { Array(text[$0..<($0 + marker.count)]) == marker })
        else { return nil }
        let rest = String(String.UnicodeScalarView(text[(start + marker.count)...])).drop(while: { $0 == "\"" })
        let name = rest.prefix(while: { $0 != "\"" && $0 != " " })
        return name.isEmpty ? nil : String(name)
    }
}
