import PlumbModel

/// The iptables rules of a Plumb bridge network, in the shape Docker uses: shared chains jumped to from the
/// built-in ones, per-network rules tagged `plumb:NAME` so teardown finds exactly them (and leaves Docker's,
/// CNI's and everyone else's alone), and two-stage isolation so networks cannot reach each other.
enum BridgeFirewall {
    static let forward = "PLUMB-FORWARD"
    static let isolation1 = "PLUMB-ISOLATION-1"
    static let isolation2 = "PLUMB-ISOLATION-2"
    static let postrouting = "PLUMB-POSTROUTING"
    static let dnat = "PLUMB-DNAT"

    static func tag(_ net: String) -> String { "-m comment --comment \"plumb:\(net)\"" }

    /// Rules (table, chain, spec) of one network in one family (iptables or ip6tables), in the order they must
    /// appear; none for a family the network has no subnet of. IPv6 is masqueraded only with `--nat66`, and has
    /// no loopback rule (IPv6 has no route_localnet).
    static func rules(_ net: NetworkSpec, bridge: String, family: IPAddress.Family = .ipv4) -> [(table: String, chain: String, spec: String)] {
        guard let addressing = net.addressing(family) else { return [] }
        let t = tag(net.name)
        var r: [(String, String, String)] = [
            ("filter", isolation1, "-i \(bridge) ! -o \(bridge) \(t) -j \(isolation2)"),
            ("filter", isolation2, "-o \(bridge) \(t) -j DROP"),
            ("filter", forward, "-o \(bridge) -m conntrack --ctstate RELATED,ESTABLISHED \(t) -j ACCEPT"),
            ("filter", forward, "-i \(bridge) -o \(bridge) \(t) -j ACCEPT"),
        ]
        if net.internal {
            r.append(("filter", forward, "-i \(bridge) ! -o \(bridge) \(t) -j DROP"))
            r.append(("filter", forward, "-o \(bridge) ! -i \(bridge) \(t) -j DROP"))
        } else {
            r.append(("filter", forward, "-i \(bridge) ! -o \(bridge) \(t) -j ACCEPT"))
            if family == .ipv4 || net.nat66 {
                r.append(("nat", postrouting, "-s \(addressing.subnet) ! -o \(bridge) \(t) -j MASQUERADE"))
            }
        }
        if family == .ipv6 { return r }
        // Published ports reached at 127.0.0.1: the DNATed packet keeps a loopback source, routable only with
        // route_localnet on the bridge, and must be masqueraded to reach the container (Docker without its
        // userland proxy does the same).
        r.append(("nat", postrouting, "-s 127.0.0.0/8 -o \(bridge) \(t) -j MASQUERADE"))
        return r
    }

    /// The shared chains: filter's FORWARD path with the two isolation stages, and nat's masquerade and DNAT
    /// chains. See `SharedChains` for who owns what.
    static let sharedGroups: [SharedChains] = [
        SharedChains(table: "filter", chains: [isolation1, isolation2, forward],
                     skeleton: [.init(chain: isolation1, spec: "-j RETURN"), .init(chain: isolation2, spec: "-j RETURN"),
                                .init(chain: forward, spec: "-j \(isolation1)")],
                     jumps: [.init(chain: "FORWARD", spec: "-j \(forward)", first: true)]),
        SharedChains(table: "nat", chains: [postrouting], skeleton: [],
                     jumps: [.init(chain: "POSTROUTING", spec: "-j \(postrouting)")]),
        SharedChains(table: "nat", chains: [dnat], skeleton: [],
                     jumps: [.init(chain: "PREROUTING", spec: "-m addrtype --dst-type LOCAL -j \(dnat)"),
                             .init(chain: "OUTPUT", spec: "-m addrtype --dst-type LOCAL -j \(dnat)")]),
    ]

    static let setupComment = "# shared chains and jumps: only those missing are added (decided at apply time)"
    static let teardownComment = "# shared chains and jumps: removed only if no plumb: rule is left in them (decided at apply time)"

    /// The shared groups the rules use, their setup lines first, by table.
    static func setup(for rules: [(table: String, chain: String, spec: String)]) -> [String: [String]] {
        var byTable: [String: [String]] = [:]
        for g in sharedGroups where rules.contains(where: { r in r.table == g.table && g.chains.contains(r.chain) }) {
            if byTable[g.table] == nil { byTable[g.table] = [setupComment] }
            byTable[g.table]! += g.setupLines
        }
        return byTable
    }

    /// The conditional teardown of the shared groups the rules use, by table.
    static func teardown(for rules: [(table: String, chain: String)]) -> [String: [String]] {
        var byTable: [String: [String]] = [:]
        for g in sharedGroups where rules.contains(where: { r in r.table == g.table && g.chains.contains(r.chain) }) {
            if byTable[g.table] == nil { byTable[g.table] = [teardownComment] }
            byTable[g.table]! += g.teardownLines
        }
        return byTable
    }

    /// The batch that adds a network's rules, after the setup of the shared chains they live in (which the
    /// applier trims to what the kernel lacks). Per-network rules are inserted before the trailing RETURN of
    /// the isolation chains.
    static func addBatch(_ net: NetworkSpec, bridge: String, family: IPAddress.Family = .ipv4) -> String {
        let own = rules(net, bridge: bridge, family: family)
        // Every shared group, PLUMB-DNAT too (its ports come later): the network's chains are all there from the
        // start, as Docker's are.
        var byTable = setup(for: sharedGroups.flatMap { g in g.chains.map { (table: g.table, chain: $0, spec: "") } })
        for r in own {
            let verb = r.chain == isolation1 || r.chain == isolation2 ? "-I \(r.chain) 1" : "-A \(r.chain)"
            byTable[r.table, default: []].append("\(verb) \(r.spec)")
        }
        return render(byTable)
    }

    /// The batch that deletes exactly the rules `addBatch` added for this network, then the shared chains if
    /// no Plumb rule is left in them (the undo of a create).
    static func deleteBatch(_ net: NetworkSpec, bridge: String, family: IPAddress.Family = .ipv4) -> String {
        let own = rules(net, bridge: bridge, family: family)
        var byTable: [String: [String]] = [:]
        for r in own { byTable[r.table, default: []].append("-D \(r.chain) \(r.spec)") }
        let all = sharedGroups.flatMap { g in g.chains.map { (table: g.table, chain: $0) } }
        for (table, lines) in teardown(for: all) { byTable[table, default: []] += lines }
        return render(byTable)
    }

    /// The rules that publish an endpoint's ports, tagged `plumb:NET:KEY` so disconnect removes exactly them.
    /// In `family`: the endpoint's address of that family is the destination (IPv6: `[ADDR]:PORT`); a mapping
    /// bound to a host IP of the other family has no rule here.
    static func portRules(_ net: NetworkSpec, bridge: String, ep: EndpointSpec,
                          family: IPAddress.Family = .ipv4) -> [(table: String, chain: String, spec: String)] {
        let t = "-m comment --comment \"plumb:\(net.name):\(ep.key)\""
        let mainFamily = net.subnet.family
        guard let address = family == mainFamily ? ep.address : (family == .ipv6 ? ep.address6 : nil) else { return [] }
        let host = family == .ipv4 ? "\(address)/32" : "\(address)/128"
        let target = family == .ipv4 ? "\(address):" : "[\(address)]:"
        return ep.ports.flatMap { p -> [(String, String, String)] in
            if let ip = p.hostIP, ip.family != family { return [] }
            let dst = p.hostIP.map { "-d \($0)/\(family == .ipv4 ? 32 : 128) " } ?? ""
            return [
                ("nat", dnat, "\(dst)-p \(p.proto) -m \(p.proto) --dport \(p.hostPort) \(t) -j DNAT --to-destination \(target)\(p.containerPort)"),
                ("filter", forward, "-d \(host) ! -i \(bridge) -o \(bridge) -p \(p.proto) -m \(p.proto) --dport \(p.containerPort) \(t) -j ACCEPT"),
                // Hairpin: the container reaching its own published port comes back through its own port.
                ("nat", postrouting, "-s \(host) -d \(host) -p \(p.proto) -m \(p.proto) --dport \(p.containerPort) \(t) -j MASQUERADE"),
            ]
        }
    }

    /// `verb` (`-A`, `-D`) for each rule; adding also lists the setup of the shared chains they live in.
    static func batch(_ rules: [(table: String, chain: String, spec: String)], verb: String) -> String {
        var byTable: [String: [String]] = verb == "-D" ? [:] : setup(for: rules)
        for r in rules { byTable[r.table, default: []].append("\(verb) \(r.chain) \(r.spec)") }
        return render(byTable)
    }

    /// Deletes every rule tagged for `net` that is in the firewall now (teardown after drift or a crash),
    /// then the shared chains if no Plumb rule of any network is left in them: the applier decides that from
    /// the kernel at apply time, never from the store (another state store's networks may use them).
    static func teardownBatch(_ net: String, current fw: Firewall, family: String = "ipv4") -> String {
        var byTable: [String: [String]] = [:]
        // The network's own rules (plumb:NET) and its endpoints' (plumb:NET:KEY).
        for t in fw.tables where t.family == family && t.source == "iptables" {
            for c in t.chains {
                for r in c.rules where ownsRule(network: net, r.rule) {
                    byTable[t.name, default: []].append("-D \(c.name) \(r.rule)")
                }
            }
        }
        let all = sharedGroups.flatMap { g in g.chains.map { (table: g.table, chain: $0) } }
        for (table, lines) in teardown(for: all) { byTable[table, default: []] += lines }
        return render(byTable)
    }

    /// Whether a rule carries the tag of network `net` or of one of its endpoints.
    static func ownsRule(network net: String, _ rule: String) -> Bool {
        guard let tag = FirewallBatch.tag(of: rule) else { return false }
        return tag == "plumb:\(net)" || tag.hasPrefix("plumb:\(net):")
    }

    /// Deletes the rules of one endpoint (tag `plumb:NET:KEY`) found in the firewall now.
    static func endpointTeardown(_ net: String, key: String, current fw: Firewall, family: String = "ipv4") -> String {
        var byTable: [String: [String]] = [:]
        let tag = "plumb:\(net):\(key)"
        for t in fw.tables where t.family == family && t.source == "iptables" {
            for c in t.chains {
                for r in c.rules where FirewallBatch.tag(of: r.rule) == tag { byTable[t.name, default: []].append("-D \(c.name) \(r.rule)") }
            }
        }
        return render(byTable)
    }

    /// The families Plumb writes rules in, with the name firewall steps and tables use.
    static let families: [(family: IPAddress.Family, name: String)] = [(.ipv4, "ipv4"), (.ipv6, "ipv6")]

    /// Firewall steps deleting every rule of `net` (and of its endpoints) that `fw` holds, one per family with
    /// such rules (IPv4 always, for the shared chains' tidy-up, as before), in `ns`.
    static func teardownSteps(_ net: String, current fw: Firewall, in ns: NamespaceRef) -> [PlanStep] {
        families.compactMap { f in
            let owned = fw.tables.contains { t in
                t.family == f.name && t.source == "iptables" && t.chains.contains { c in c.rules.contains { ownsRule(network: net, $0.rule) } }
            }
            guard f.family == .ipv4 || owned else { return nil }
            return .firewall(family: f.name, batch: teardownBatch(net, current: fw, family: f.name), undo: "", in: ns)
        }
    }

    /// Firewall steps deleting one endpoint's rules (tag `plumb:NET:KEY`), one per family that has some.
    static func endpointTeardownSteps(_ net: String, key: String, current fw: Firewall, in ns: NamespaceRef) -> [PlanStep] {
        families.compactMap { f in
            let batch = endpointTeardown(net, key: key, current: fw, family: f.name)
            return batch.isEmpty ? nil : .firewall(family: f.name, batch: batch, undo: "", in: ns)
        }
    }

    static func render(_ byTable: [String: [String]]) -> String {
        var out = ""
        for table in ["filter", "nat"] {
            guard let lines = byTable[table], lines.contains(where: { !$0.hasPrefix("#") }) else { continue }
            out += "*\(table)\n" + lines.joined(separator: "\n") + "\nCOMMIT\n"
        }
        return out
    }
}
