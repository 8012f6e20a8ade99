import PlumbModel

/// 13. Leftovers: namespaces kept alive only by a bind mount or fd with nothing in them, veth pairs with no
/// master and no address on either end, empty Docker/CNI/Podman/Plumb chains nothing jumps to, and such
/// chains' rules for interfaces or subnets that no longer exist. Each removal is its own finding and must be
/// confirmed on its own (`confirmEach`).
enum LeftoverCheck {
    static let id = "leftover", number = 13

    /// Leftover chains and rules are info: they apply to nothing, so they break nothing until a new network
    /// reuses the name or subnet. Leftover namespaces and veths are warnings: they hold kernel objects.
    static func finding(_ kind: String, _ ns: Namespace, _ object: String, title: String, subjects: [Finding.Subject],
                        evidence: [String], explanation: String, steps: [PlanStep]) -> Finding {
        let fid = DoctorContext.id("\(id)-\(kind)", ns, object)
        let severity: Finding.Severity = kind == "chain" || kind == "rule" ? .info : .warning
        return Finding(id: fid, check: "\(id)-\(kind)", checkNumber: number, severity: severity, title: title,
                       subjects: subjects, evidence: evidence, explanation: explanation,
                       fix: steps.isEmpty ? nil : Plan(operation: .doctorFix(findingID: fid), steps: steps), confirmEach: true)
    }

    static func run(_ ctx: DoctorContext) -> [Finding] {
        namespaces(ctx) + veths(ctx) + chains(ctx)
    }

    /// Two kinds of namespace without a process. A likely leak (no name, held only by an fd or a stray bind
    /// mount) is a warning that says why. A named one with nothing but loopback is normal for `ip netns`
    /// (labs, VPNs, CNI before its container starts): info, with the removal offered in case it is unused.
    static func namespaces(_ ctx: DoctorContext) -> [Finding] {
        ctx.namespaces.filter { ns in
            !ctx.isHost(ns) && (ns.isLikelyLeak || (ns.isOrphan && ns.containers.isEmpty && ns.links.allSatisfy(\.isLoopback)))
        }.map { ns in
            let name = ns.paths.first { $0.hasPrefix("/run/netns/") }.map { String($0.dropFirst("/run/netns/".count)) }
            let holders = ns.heldBy.map { h in h.path ?? (h.pid.map { "fd \(h.fd ?? -1) of pid \($0)" } ?? h.kind.rawValue) }
            let linkNames = ns.links.map(\.name).joined(separator: ", ")
            let evidence = ["\(ns.displayName) [\(ns.id)]: no process, links: " + (linkNames.isEmpty ? "none" : linkNames)]
                + holders.map { "held by \($0)" }
                + (ns.heldFor(at: ctx.snapshot.takenAt).map { ["so for at least \(Readable.age($0)) (since its holder took it)"] } ?? [])
            let subjects = [Finding.Subject(namespace: ns.id, kind: .namespace)]
            if let reason = ns.leakReason {
                let f = finding("netns", ns, "", title: "likely leaked namespace \(ns.displayName): \(reason)",
                    subjects: subjects, evidence: evidence,
                    explanation: "Nothing names this namespace (no `ip netns` name, no container, no runtime's "
                        + "directory) and no process lives in it, so nothing will ever remove it: a container or a "
                        + "script that died without cleaning up, or a program that still holds its fd. Remove its "
                        + "holder by hand (umount the file, or end the process holding the fd).",
                    steps: [])
                return f
            }
            var f = finding("netns", ns, "", title: "namespace \(ns.displayName) is named, has no process and "
                            + "nothing but loopback", subjects: subjects, evidence: evidence,
                explanation: "Normal for `ip netns` namespaces (labs, VPNs, CNI before its container starts): it is "
                    + "named, so whoever made it can find and remove it. If nothing will use it any more, the fix "
                    + "removes it.",
                steps: name.map { [.deleteEmptyNamespace(name: $0)] } ?? [])
            f.severity = .info
            return f
        }
    }

    static func veths(_ ctx: DoctorContext) -> [Finding] {
        // Links something else stacks on (macvlan/vxlan parents) are in use.
        struct Key: Hashable { var ns: UInt64; var index: Int }
        var used: Set<Key> = []  // parents of stacked links and masters of enslaved ones
        for ns in ctx.namespaces {
            for l in ns.links {
                if let p = l.parent { used.insert(Key(ns: p.namespace ?? ns.id, index: p.index)) }
                if let m = l.master { used.insert(Key(ns: ns.id, index: m.index)) }
            }
        }
        func idle(_ ns: Namespace, _ l: Link) -> Bool {
            l.master == nil && !used.contains(Key(ns: ns.id, index: l.index))
                && l.addresses.allSatisfy(\.address.isLinkLocal)
        }
        var out: [Finding] = []
        for ns in ctx.namespaces {
            for l in ns.links where l.kind == .veth && idle(ns, l) {
                guard let (pns, p) = ctx.resolve(l.peer), idle(pns, p) else { continue }
                // Once per pair: from the end in the lower namespace id (or lower index in one namespace).
                guard (ns.id, l.index) < (pns.id, p.index) else { continue }
                out.append(finding("veth", ns, l.name,
                    title: "veth pair \(l.name) / \(p.name) (\(pns.displayName)) is unused",
                    subjects: [.init(namespace: ns.id, kind: .link, name: l.name), .init(namespace: pns.id, kind: .link, name: p.name)],
                    evidence: [l.evidence(in: ns), p.evidence(in: pns)],
                    explanation: "Neither end is a bridge port, carries an address or has anything stacked on it: the "
                        + "pair connects nothing. Usually a container network setup that failed half-way.",
                    steps: [.deleteVeth(name: l.name, peer: p.name, mtu: l.mtu, in: ctx.ref(ns), peerIn: ctx.ref(pns))]))
            }
        }
        return out
    }

    static func chains(_ ctx: DoctorContext) -> [Finding] {
        var out: [Finding] = []
        for ns in ctx.namespaces {
            let ifaces = Set(ns.links.map(\.name))
            let nets = ns.links.flatMap { $0.addresses }
            for table in ns.firewall.tables where table.source == "iptables"
            && table.chains.contains(where: { !$0.isBuiltin && ChainOwner.of(chain: $0.name) != .system }) {
                let referenced = table.referencedChains
                for c in table.chains where !c.isBuiltin {
                    let owner = ChainOwner.of(chain: c.name)
                    guard owner != .system && owner != .kubernetes else { continue }
                    let ref = ctx.ref(ns)
                    if c.rules.isEmpty && !referenced.contains(c.name) {
                        out.append(finding("chain", ns, "\(table.family):\(table.name):\(c.name)",
                            title: "empty \(owner.rawValue) chain \(c.name) (\(table.family) \(table.name)) is unused",
                            subjects: [.init(namespace: ns.id, kind: .chain, name: "\(table.name)/\(c.name)")],
                            evidence: ["\(ns.displayName) [\(ns.id)] \(table.family) \(table.name): :\(c.name) - [0:0], no rules, no jumps to it"],
                            explanation: "\(owner.rawValue) created this chain and nothing uses it any more.",
                            steps: [.firewall(family: table.family, batch: "*\(table.name)\n-X \(c.name)\nCOMMIT\n",
                                              undo: "*\(table.name)\n:\(c.name) - [0:0]\nCOMMIT\n", in: ref)]))
                        continue
                    }
                    for (pos, r) in c.rules.enumerated() {
                        let t = RuleTokens(r.rule)
                        var gone: String?
                        for m in [t.inIface, t.outIface].compactMap({ $0 }) where !m.value.hasSuffix("+") && !ifaces.contains(m.value) {
                            gone = "interface \(m.value) does not exist"
                        }
                        if gone == nil, let s = t.source, !s.negated, let src = IPPrefix(addressOrPrefix: s.value), src.length < (src.isIPv4 ? 32 : 128),
                           !src.address.isLoopback, !nets.contains(where: { src.overlaps($0.canonical) }) {
                            gone = "no link has an address in \(src)"
                        }
                        guard let why = gone else { continue }
                        out.append(finding("rule", ns, "\(table.family):\(table.name):\(c.name):\(DoctorContext.hash(r.rule))",
                            title: "\(owner.rawValue) rule in \(c.name) is for something that no longer exists (\(why))",
                            subjects: [.init(namespace: ns.id, kind: .rule, name: "\(table.name)/\(c.name)")],
                            evidence: ["\(ns.displayName) [\(ns.id)] \(table.family) \(table.name): -A \(c.name) \(r.rule)  [\(r.packets) pkts]", why],
                            explanation: "The network this rule served was removed without its firewall rules. It matches "
                                + "nothing now, but it would match a new network that reuses the name or subnet.",
                            steps: [.firewall(family: table.family, batch: "*\(table.name)\n-D \(c.name) \(r.rule)\nCOMMIT\n",
                                              undo: "*\(table.name)\n-I \(c.name) \(pos + 1) \(r.rule)\nCOMMIT\n", in: ref)]))
                    }
                }
            }
        }
        return out
    }
}
