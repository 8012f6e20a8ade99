import PlumbModel

/// 3. FORWARD policy DROP with no ACCEPT for what leaves a container bridge, and Docker/CNI/Podman/Plumb
/// chains that nothing jumps to any more (their jump from the built-in chain was flushed), so their rules
/// are dead.
enum ForwardPolicyCheck {
    static let id = "forward-drop", number = 3
    static let unreachedId = "chain-unreached"

    static func run(_ ctx: DoctorContext) -> [Finding] {
        var out: [Finding] = []
        for b in ctx.bridges {
            for family in ["ipv4", "ipv6"] {
                guard let filter = b.ns.firewall.table(family, "filter"), let fwd = filter.chain("FORWARD"),
                      fwd.policy == "DROP", !b.isInternal(family: family) else { continue }
                let v4 = family == "ipv4"
                let gws = b.gateways.filter { $0.isIPv4 == v4 && !b.gatewayUsers($0).isEmpty }
                guard !gws.isEmpty else { continue }
                let subnets = gws.map(\.canonical)
                let accepts = filter.reachable(from: "FORWARD").contains { c in
                    c.rules.contains { r in
                        let t = RuleTokens(r.rule)
                        guard t.target == "ACCEPT" else { return false }
                        if t.matchesIn(b.bridge.name) { return true }
                        if let s = t.source, !s.negated, let c = IPPrefix(addressOrPrefix: s.value), subnets.contains(where: { $0.overlaps(c) }) {
                            return true
                        }
                        return t.source == nil && t.destination == nil && t.inIface == nil && t.outIface == nil
                            && !t.hasOtherMatches
                    }
                }
                if accepts { continue }
                let fid = DoctorContext.id(id, b.ns, "\(family):\(b.bridge.name)")
                let tag = "-m comment --comment \"plumb-doctor:\(id)\""
                let rules = ["-o \(b.bridge.name) -m conntrack --ctstate RELATED,ESTABLISHED \(tag) -j ACCEPT",
                             "-i \(b.bridge.name) \(tag) -j ACCEPT"]
                let fix = Plan(operation: .doctorFix(findingID: fid), steps: [.firewall(
                    family: family,
                    batch: "*filter\n" + rules.map { "-I FORWARD 1 \($0)" }.joined(separator: "\n") + "\nCOMMIT\n",
                    undo: "*filter\n" + rules.map { "-D FORWARD \($0)" }.joined(separator: "\n") + "\nCOMMIT\n",
                    in: ctx.ref(b.ns))])
                out.append(Finding(
                    id: fid, check: id, checkNumber: number, severity: .error,
                    title: "FORWARD drops everything from \(b.bridge.name) in \(b.ns.displayName) (\(v4 ? "IPv4" : "IPv6"))",
                    subjects: [.init(namespace: b.ns.id, kind: "link", name: b.bridge.name),
                               .init(namespace: b.ns.id, kind: "chain", name: "filter/FORWARD")],
                    evidence: [b.bridge.evidence(in: b.ns), "\(family) filter: :FORWARD DROP [\(fwd.packets):\(fwd.bytes)]"]
                        + fwd.rules.prefix(8).map { "-A FORWARD \($0.rule)  [\($0.packets) pkts]" }
                        + ["no rule reachable from FORWARD accepts -i \(b.bridge.name) or a source in "
                           + subnets.map(\.description).joined(separator: ", ")],
                    explanation: "The FORWARD chain's policy is DROP and none of its rules (nor the chains it jumps to) "
                        + "accept packets coming from \(b.bridge.name), so everything its containers send beyond the bridge "
                        + "is dropped. Docker, CNI and Plumb add such ACCEPT rules themselves; they are missing here.",
                    fix: fix))
            }
        }
        out += unreachedChains(ctx)
        return out
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
                    let evidence = ["\(ns.displayName) [\(ns.id)] \(table.family) \(table.name): :\(c.name) - with \(c.rules.count) rules"]
                        + c.rules.prefix(6).map { "-A \(c.name) \($0.rule)" }
                    let subjects: [Finding.Subject] = [.init(namespace: ns.id, kind: "chain", name: "\(table.name)/\(c.name)")]
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
                            + ["no rule in \(table.name) jumps to \(c.name) (\(builtin) has \(table.chain(builtin)?.rules.count ?? 0) rules)"],
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
