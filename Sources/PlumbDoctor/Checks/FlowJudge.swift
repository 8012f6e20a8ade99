import PlumbModel
import PlumbTrace

/// The doctor's netfilter questions, answered by the evaluator `plumb trace` uses (NetfilterEvaluator): the
/// first packet of a new connection is walked through a namespace's iptables tables at the hooks it passes,
/// with NAT applied as the kernel would. No rule text is matched here; what the evaluator cannot decide
/// (an unsupported match that could change the outcome) makes the answer `unknown`, never a guess.
struct FlowJudge {
    enum Answer: Equatable { case yes, no, unknown }

    struct Verdict {
        var answer: Answer
        /// The packet as it leaves the last hook walked (translated addresses).
        var packet: TracePacket
        /// Every hook walked, in order.
        var hooks: [HookResult]

        /// The rules that decided, as evidence lines ("nat/POSTROUTING rule 1: -s … -j MASQUERADE → MASQUERADE → 10.0.0.1").
        var evidence: [String] {
            hooks.flatMap { h in
                h.hits.filter { $0.effect != "no effect" }.map { "\(h.hook.rawValue): \($0.location): \($0.rule) → \($0.effect)" }
            }
        }
    }

    let ns: Namespace
    let evaluator: NetfilterEvaluator
    let types: AddressTypeTable

    init(ns: Namespace, family: AddressFamily = .ipv4, types: AddressTypeTable? = nil) {
        self.ns = ns
        evaluator = NetfilterEvaluator(firewall: ns.firewall, family: family)
        self.types = types ?? AddressTypeTable(namespace: ns)
    }

    /// A new TCP connection from `source` (behind `inInterface`) to `destination`, routed out of
    /// `outInterface`: does the filter table's FORWARD hook (and the mangle/nat hooks around it) let it
    /// through? `.no` only when a rule or policy drops it for certain.
    func forwarded(source: IPAddress, destination: IPAddress, inInterface: String, outInterface: String) -> Verdict {
        var packet = TracePacket(family: evaluator.family, source: source, destination: destination, proto: "tcp",
                                 sourcePort: 40000, destinationPort: 443, size: 60)
        let pre = evaluator.run(.prerouting, packet: &packet, context: HookContext(inInterface: inInterface, addressTypes: types))
        let forward = evaluator.run(.forward, packet: &packet,
                                    context: HookContext(inInterface: inInterface, outInterface: outInterface, addressTypes: types))
        let hooks = [pre, forward]
        let answer: Answer
        if hooks.contains(where: { $0.dropped }) && hooks.allSatisfy({ $0.uncertain.isEmpty && $0.unevaluatedNft.isEmpty }) {
            answer = .no
        } else if hooks.contains(where: { $0.dropped || !$0.uncertain.isEmpty || !$0.unevaluatedNft.isEmpty || $0.verdict != "ACCEPT" }) {
            answer = .unknown
        } else {
            answer = .yes
        }
        return Verdict(answer: answer, packet: packet, hooks: hooks)
    }

    /// A new TCP connection from `source` (a container behind `inInterface`) to `destination` outside, leaving
    /// by `outInterface`: is its source translated (MASQUERADE or SNAT) on the way out?
    func masqueraded(source: IPAddress, destination: IPAddress, inInterface: String, outInterface: String) -> Verdict {
        var packet = TracePacket(family: .ipv4, source: source, destination: destination, proto: "tcp",
                                 sourcePort: 40000, destinationPort: 443, size: 60)
        let pre = evaluator.run(.prerouting, packet: &packet, context: HookContext(inInterface: inInterface, addressTypes: types))
        let fwd = HookContext(inInterface: inInterface, outInterface: outInterface, addressTypes: types)
        let forward = evaluator.run(.forward, packet: &packet, context: fwd)
        var post = HookContext(inInterface: inInterface, outInterface: outInterface, addressTypes: types)
        let out = ns.link(named: outInterface)
        post.masqueradeSource = { _ in out.flatMap { TraceEngine.primaryAddress(of: $0, v6: false) } }
        let postrouting = evaluator.run(.postrouting, packet: &packet, context: post)
        let hooks = [pre, forward, postrouting]
        let translated = packet.natStates.contains("SNAT")
        // Dropped on the way (another check's finding), redirected, or decided by rules the evaluator cannot
        // read: not a question of masquerading that can be answered.
        let unanswerable = hooks.contains { $0.dropped || !$0.uncertain.isEmpty || !$0.unevaluatedNft.isEmpty }
            || packet.natStates.contains("DNAT")
        let answer: Answer = translated ? .yes : (unanswerable ? .unknown : .no)
        return Verdict(answer: answer, packet: packet, hooks: hooks)
    }
}

extension DoctorContext {
    /// One FlowJudge per namespace and run (the evaluator parses the namespace's rules once).
    func judge(_ ns: Namespace, family: AddressFamily = .ipv4) -> FlowJudge {
        let key = family == .ipv6 ? ~ns.id : ns.id
        if let j = judges[key] { return j }
        let j = FlowJudge(ns: ns, family: family, types: judges[family == .ipv6 ? ns.id : ~ns.id]?.types)
        judges[key] = j
        return j
    }
}
