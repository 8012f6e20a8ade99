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

    /// Rules (table, chain, spec) of one network, in the order they must appear.
    static func rules(_ net: NetworkSpec, bridge: String) -> [(table: String, chain: String, spec: String)] {
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
            r.append(("nat", postrouting, "-s \(net.subnet) ! -o \(bridge) \(t) -j MASQUERADE"))
        }
        // Published ports reached at 127.0.0.1: the DNATed packet keeps a loopback source, routable only with
        // route_localnet on the bridge, and must be masqueraded to reach the container (Docker without its
        // userland proxy does the same).
        r.append(("nat", postrouting, "-s 127.0.0.0/8 -o \(bridge) \(t) -j MASQUERADE"))
        return r
    }

    /// Shared chains and their jumps from the built-in chains, for those that do not exist yet.
    static func sharedSetup(existing fw: Firewall) -> [(table: String, lines: [String])] {
        func has(_ table: String, _ chain: String) -> Bool {
            fw.tables.contains { $0.family == "ipv4" && $0.name == table && $0.chain(chain) != nil }
        }
        var filter: [String] = []
        if !has("filter", isolation1) {
            filter += [":\(isolation1) - [0:0]", "-A \(isolation1) -j RETURN"]
        }
        if !has("filter", isolation2) {
            filter += [":\(isolation2) - [0:0]", "-A \(isolation2) -j RETURN"]
        }
        if !has("filter", forward) {
            filter += [":\(forward) - [0:0]", "-A \(forward) -j \(isolation1)", "-I FORWARD 1 -j \(forward)"]
        }
        var nat: [String] = []
        if !has("nat", postrouting) {
            nat += [":\(postrouting) - [0:0]", "-A POSTROUTING -j \(postrouting)"]
        }
        if !has("nat", dnat) {
            nat += [":\(dnat) - [0:0]", "-A PREROUTING -m addrtype --dst-type LOCAL -j \(dnat)",
                    "-A OUTPUT -m addrtype --dst-type LOCAL -j \(dnat)"]
        }
        return [("filter", filter), ("nat", nat)].filter { !$0.lines.isEmpty }
    }

    /// The batch that adds a network's rules (and the shared chains when missing). Per-network rules are
    /// inserted before the trailing RETURN of the isolation chains.
    static func addBatch(_ net: NetworkSpec, bridge: String, existing fw: Firewall) -> String {
        var byTable: [String: [String]] = [:]
        for (table, lines) in sharedSetup(existing: fw) { byTable[table, default: []] += lines }
        for r in rules(net, bridge: bridge) {
            let verb = r.chain == isolation1 || r.chain == isolation2 ? "-I \(r.chain) 1" : "-A \(r.chain)"
            byTable[r.table, default: []].append("\(verb) \(r.spec)")
        }
        return render(byTable)
    }

    /// The batch that deletes exactly the rules `addBatch` added for this network (shared chains stay).
    static func deleteBatch(_ net: NetworkSpec, bridge: String) -> String {
        var byTable: [String: [String]] = [:]
        for r in rules(net, bridge: bridge) { byTable[r.table, default: []].append("-D \(r.chain) \(r.spec)") }
        return render(byTable)
    }

    /// The rules that publish an endpoint's ports, tagged `plumb:NET:KEY` so disconnect removes exactly them.
    static func portRules(_ net: NetworkSpec, bridge: String, ep: EndpointSpec) -> [(table: String, chain: String, spec: String)] {
        let t = "-m comment --comment \"plumb:\(net.name):\(ep.key)\""
        return ep.ports.flatMap { p -> [(String, String, String)] in
            let dst = p.hostIP.map { "-d \($0)/32 " } ?? ""
            return [
                ("nat", dnat, "\(dst)-p \(p.proto) -m \(p.proto) --dport \(p.hostPort) \(t) -j DNAT --to-destination \(ep.address):\(p.containerPort)"),
                ("filter", forward, "-d \(ep.address)/32 ! -i \(bridge) -o \(bridge) -p \(p.proto) -m \(p.proto) --dport \(p.containerPort) \(t) -j ACCEPT"),
                // Hairpin: the container reaching its own published port comes back through its own port.
                ("nat", postrouting, "-s \(ep.address)/32 -d \(ep.address)/32 -p \(p.proto) -m \(p.proto) --dport \(p.containerPort) \(t) -j MASQUERADE"),
            ]
        }
    }

    static func batch(_ rules: [(table: String, chain: String, spec: String)], verb: String) -> String {
        var byTable: [String: [String]] = [:]
        for r in rules { byTable[r.table, default: []].append("\(verb) \(r.chain) \(r.spec)") }
        return render(byTable)
    }

    /// Deletes every rule tagged for `net` that is in the firewall now (teardown after drift or a crash),
    /// and the shared chains when no Plumb network remains.
    static func teardownBatch(_ net: String, current fw: Firewall, removeShared: Bool) -> String {
        var byTable: [String: [String]] = [:]
        // The network's own rules (plumb:NET) and its endpoints' (plumb:NET:KEY).
        let markers = ["plumb:\(net)\"", "plumb:\(net):"]
        for t in fw.tables where t.family == "ipv4" && t.source == "iptables" {
            for c in t.chains {
                for r in c.rules where markers.contains(where: { r.rule.contains($0) }) {
                    byTable[t.name, default: []].append("-D \(c.name) \(r.rule)")
                }
            }
        }
        if removeShared {
            let shared: [(String, String, String)] = [
                ("filter", "FORWARD", "-j \(forward)"), ("nat", "POSTROUTING", "-j \(postrouting)"),
                ("nat", "PREROUTING", "-m addrtype --dst-type LOCAL -j \(dnat)"),
                ("nat", "OUTPUT", "-m addrtype --dst-type LOCAL -j \(dnat)"),
            ]
            for (table, chain, spec) in shared
            where fw.tables.first(where: { $0.family == "ipv4" && $0.name == table })?.chain(chain)?.rules
                .contains(where: { $0.rule == spec }) == true {
                byTable[table, default: []].append("-D \(chain) \(spec)")
            }
            for (table, chain) in [("filter", forward), ("filter", isolation1), ("filter", isolation2), ("nat", postrouting),
                                   ("nat", dnat)]
            where fw.tables.first(where: { $0.family == "ipv4" && $0.name == table })?.chain(chain) != nil {
                byTable[table, default: []] += ["-F \(chain)", "-X \(chain)"]
            }
        }
        return render(byTable)
    }

    /// Deletes the rules of one endpoint (tag `plumb:NET:KEY`) found in the firewall now.
    static func endpointTeardown(_ net: String, key: String, current fw: Firewall) -> String {
        var byTable: [String: [String]] = [:]
        let marker = "plumb:\(net):\(key)\""
        for t in fw.tables where t.family == "ipv4" && t.source == "iptables" {
            for c in t.chains { for r in c.rules where r.rule.contains(marker) { byTable[t.name, default: []].append("-D \(c.name) \(r.rule)") } }
        }
        return render(byTable)
    }

    static func render(_ byTable: [String: [String]]) -> String {
        var out = ""
        for table in ["filter", "nat"] {
            guard let lines = byTable[table], !lines.isEmpty else { continue }
            out += "*\(table)\n" + lines.joined(separator: "\n") + "\nCOMMIT\n"
        }
        return out
    }
}
