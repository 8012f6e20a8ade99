import PlumbModel

/// 3. What leaves a container bridge is dropped on its way out of the namespace (FORWARD), and
/// Docker/CNI/Podman/Plumb chains that nothing jumps to any more (their jump from the built-in chain was
/// flushed), so their rules are dead. "Is a new connection from this container to the outside forwarded?" is
/// answered by the trace's netfilter evaluator for every container address on the bridge, so a Docker-style
/// accept in a jumped-to chain, a per-address accept (CNI's firewall plugin), an isolation rule or an
/// ESTABLISHED-only accept all count for exactly what they do.
enum ForwardPolicyCheck {
    static let id = "forward-drop", number = 3
    static let unreachedId = "chain-unreached"
    /// Destinations outside every private range (TEST-NET-2, the IPv6 documentation prefix).
    static let outside: [String: IPAddress] = ["ipv4": IPAddress(ipv4: 0xC633_6407), "ipv6": IPAddress(ipv6High: 0x2001_0db8_0000_0000, low: 7)]

    static func run(_ ctx: DoctorContext) -> [Finding] {
        var out: [Finding] = []
        for b in ctx.bridges {
            for family in ["ipv4", "ipv6"] {
                if let f = judgeBridge(b, family: family, ctx) { out.append(f) }
            }
        }
        out += unreachedChains(ctx)
        return out
    }

    /// The finding for one bridge and family, when the evaluator drops every judged connection of at least
    /// one container on it for certain.
    static func judgeBridge(_ b: BridgeView, family: String, _ ctx: DoctorContext) -> Finding? {
        let v4 = family == "ipv4"
        guard let filter = b.ns.firewall.table(family, "filter"), let fwd = filter.chain("FORWARD"),
              !ctx.isInternal(b, family: family) else { return nil }
        let gws = b.gateways.filter { $0.isIPv4 == v4 && !b.gatewayUsers($0).isEmpty }
        guard !gws.isEmpty else { return nil }
        // The way out: this family's default route, else the IPv4 one (a host without IPv6 routes).
        let af: AddressFamily = v4 ? .ipv4 : .ipv6
        let uplinks = (b.ns.defaultRoutes(af) + b.ns.defaultRoutes(.ipv4)).compactMap(\.dev).filter { $0 != b.bridge.name }
        guard let uplink = uplinks.first else { return nil }
        let judge = ctx.judge(b.ns, family: af)
        let subnets = gws.map(\.canonical)
        let sources = gws.flatMap { gw in
            b.gatewayUsers(gw).flatMap { e in e.link.addresses.filter { gw.canonical.contains($0.address) }.map { ($0.address, e) } }
        }
        let verdicts = sources.map { (src, e) in
            (src, e, judge.forwarded(source: src, destination: outside[family]!, inInterface: b.bridge.name, outInterface: uplink))
        }
        let dropped = verdicts.filter { $0.2.answer == .no }
        guard let first = dropped.first else { return nil }
        let all = dropped.count == verdicts.count
        let fid = DoctorContext.id(id, b.ns, "\(family):\(b.bridge.name)")
        let tag = "-m comment --comment \"plumb-doctor:\(id)\""
        // Only what the finding is about: new connections from the bridge out of the uplink, and their replies.
        let rules = ["-o \(b.bridge.name) -m conntrack --ctstate RELATED,ESTABLISHED \(tag) -j ACCEPT",
                     "-i \(b.bridge.name) -o \(uplink) \(tag) -j ACCEPT"]
        let fix = Plan(operation: .doctorFix(findingID: fid), steps: [.firewall(
            family: family,
            batch: "*filter\n" + rules.map { "-I FORWARD 1 \($0)" }.joined(separator: "\n") + "\nCOMMIT\n",
            undo: "*filter\n" + rules.map { "-D FORWARD \($0)" }.joined(separator: "\n") + "\nCOMMIT\n",
            in: ctx.ref(b.ns))])
        let who = all ? "everything from \(b.bridge.name)" : "what " + dropped.map { $0.1.ns.displayName }.joined(separator: ", ")
            + " sends from \(b.bridge.name)"
        let decided = first.2.hooks.compactMap(\.decidedBy).first
        return Finding(
            id: fid, check: id, checkNumber: number, severity: .error,
            title: "FORWARD drops \(who) in \(b.ns.displayName) (\(v4 ? "IPv4" : "IPv6"))",
            subjects: [.init(namespace: b.ns.id, kind: .link, name: b.bridge.name),
                       .init(namespace: b.ns.id, kind: .chain, name: "filter/FORWARD")],
            evidence: [b.bridge.evidence(in: b.ns), "\(family) filter: :FORWARD \(fwd.policy ?? "-") [\(fwd.packets):\(fwd.bytes)]"]
                + ["evaluated: tcp \(first.0):40000 → \(outside[family]!):443 from \(first.1.ns.displayName), in \(b.bridge.name) "
                   + "out \(uplink): dropped by the \(decided?.location ?? "FORWARD hook")"
                   + (decided.map { $0.index == 0 ? "" : " (\($0.rule))" } ?? "")]
                + first.2.evidence.prefix(8)
                + (dropped.count > 1 ? ["also dropped: " + dropped.dropFirst().prefix(6).map(\.0.description).joined(separator: ", ")] : [])
                + ["subnets: " + subnets.map(\.description).joined(separator: ", ")],
            explanation: "Walking the firewall as the kernel does, a new connection from \(first.0) on \(b.bridge.name) "
                + "to the outside is dropped in FORWARD: no rule on its way (nor in the chains they jump to) accepts it "
                + "before \(decided.map { $0.index == 0 ? "the chain's DROP policy" : "the dropping rule" } ?? "the drop"). "
                + "What those containers send beyond the bridge never leaves \(b.ns.displayName). Docker, CNI and Plumb "
                + "add such ACCEPT rules themselves; they are missing here.",
            fix: fix)
    }

    /// Tool chains with rules that no packet reaches. A tool's entry chain (ToolEntryChains) whose jump from
    /// its built-in chain is gone is an error with a fix that puts the jump back; any other unreached tool
    /// chain is what a removed container or network left behind (CNI-HOSTPORT-SETMARK after the last
    /// published port is gone): info, and no fix, because where its jumps came from is not knowable.
    static func unreachedChains(_ ctx: DoctorContext) -> [Finding] {
        var out: [Finding] = []
        for ns in ctx.namespaces {
            for table in ns.firewall.tables where table.source == "iptables" && ["filter", "nat"].contains(table.name) {
                let tools = table.chains.filter { c in
                    !c.isBuiltin && !c.rules.isEmpty && ![.system, .kubernetes].contains(ChainOwner.of(chain: c.name))
                }
                if tools.isEmpty { continue }
                let reachable = table.reachableChains
                for c in tools where !reachable.contains(c.name) {
                    let owner = ChainOwner.of(chain: c.name)
                    let fid = DoctorContext.id(unreachedId, ns, "\(table.family):\(table.name):\(c.name)")
                    let evidence = ["\(ns.displayName) [\(ns.id)] \(table.family) \(table.name): :\(c.name) - with \(counted(c.rules.count, "rule"))"]
                        + c.rules.prefix(6).map { "-A \(c.name) \($0.rule)" }
                    let subjects: [Finding.Subject] = [.init(namespace: ns.id, kind: .chain, name: "\(table.name)/\(c.name)")]
                    guard let entry = ToolEntryChains.entry(table: table.name, chain: c.name) else {
                        out.append(Finding(
                            id: fid, check: unreachedId, checkNumber: number, severity: .info,
                            title: "\(owner.rawValue) chain \(c.name) (\(table.family) \(table.name)) is left over: no packet reaches it",
                            subjects: subjects,
                            evidence: evidence + ["no rule of a chain that packets reach jumps to \(c.name)"],
                            explanation: "\(owner.rawValue) enters \(c.name) from its own per-container or per-network chains, "
                                + "not from a built-in chain. Those are gone, so the container or network it served was "
                                + "removed and its rules apply to nothing. \(owner.rawValue) reuses the chain when it needs it "
                                + "again; jumping to it from a built-in chain would apply it to every packet."))
                        continue
                    }
                    let (builtin, match) = (entry.builtin, entry.match)
                    let fix = Plan(operation: .doctorFix(findingID: fid), steps: [.firewall(
                        family: table.family, batch: "*\(table.name)\n-I \(builtin) 1 \(match)-j \(c.name)\nCOMMIT\n",
                        undo: "*\(table.name)\n-D \(builtin) \(match)-j \(c.name)\nCOMMIT\n", in: ctx.ref(ns))])
                    out.append(Finding(
                        id: fid, check: unreachedId, checkNumber: number, severity: .error,
                        title: "\(owner.rawValue) chain \(c.name) (\(table.family) \(table.name)) is never jumped to",
                        subjects: subjects,
                        evidence: evidence
                            + ["no rule in \(table.name) jumps to \(c.name) (\(builtin) has \(counted(table.chain(builtin)?.rules.count ?? 0, "rule")))"],
                        explanation: "\(owner.rawValue) put its rules in \(c.name) and jumps there from \(builtin). That "
                            + "jump is gone (someone flushed \(builtin) or restored an old rule set), so none of these "
                            + "rules apply any more: what they accept, translate or masquerade no longer is.",
                        fix: fix))
                }
            }
        }
        return out
    }
}
