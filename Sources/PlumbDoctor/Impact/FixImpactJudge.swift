import PlumbModel
import PlumbTrace

/// Compares a fix before it is offered: the flows of every namespace the fix changes (ImpactFlow.catalog),
/// walked on the snapshot and on the snapshot with the plan applied (PlanSimulator). The flows the finding is
/// about must come out working; a flow it is not about must not change. Either failing, the fix is not offered.
enum FixImpactJudge {
    static func judge(_ finding: Finding, ctx: DoctorContext) -> FixImpact? {
        guard let plan = finding.fix, !plan.steps.isEmpty else { return nil }
        let sim = PlanSimulator(plan: plan) { ref in
            // Plans made by the checks carry the inode; the host is `.host`.
            if ref.location == .host { return ctx.snapshot.host }
            return ref.inode.flatMap { ctx.namespace($0) }
        }
        var flows: [FixImpact.Flow] = []
        var compared = 0
        var mends: Bool?
        for (id, after) in sim.after.sorted(by: { $0.key < $1.key }) {
            guard let before = ctx.namespace(id) else { continue }
            let catalog = ImpactFlow.catalog(before, ctx: ctx)
            compared += catalog.count
            let typesBefore = AddressTypeTable(namespace: before), typesAfter = AddressTypeTable(namespace: after)
            var evaluators: [AddressFamily: (NetfilterEvaluator, NetfilterEvaluator)] = [:]
            for flow in catalog {
                let (eb, ea) = evaluators[flow.family] ?? (NetfilterEvaluator(firewall: before.firewall, family: flow.family),
                                                           NetfilterEvaluator(firewall: after.firewall, family: flow.family))
                evaluators[flow.family] = (eb, ea)
                let was = flow.evaluate(in: before, evaluator: eb, types: typesBefore)
                let will = flow.evaluate(in: after, evaluator: ea, types: typesAfter)
                let concerned = concerns(finding, flow, was, will)
                guard concerned || was != will else { continue }
                let healthy = concerned ? healthyAfter(finding, flow, was, will) : nil
                if let healthy { mends = (mends ?? true) && healthy }
                var f = FixImpact.Flow(namespace: id, flow: flow.description, before: was.text, after: will.text,
                                       concerned: concerned, healthyAfter: healthy)
                f.proto = flow.proto; f.source = flow.source.description; f.destination = flow.destination.description
                f.destinationPort = flow.port
                flows.append(f)
            }
        }
        // The concerned flows first, then the side effects.
        flows = flows.filter(\.concerned) + flows.filter { !$0.concerned }
        var impact = FixImpact(flowsCompared: compared, flows: flows, mends: mends, offered: true, notModelled: sim.notModelled)
        let side = impact.sideEffects
        if !side.isEmpty {
            impact.offered = false
            impact.reason = "it changes \(side.count) flow\(side.count == 1 ? "" : "s") the finding is not about, "
                + "e.g. \(side[0].flow): \(side[0].before) → \(side[0].after)"
        } else if mends == false, let f = flows.first(where: { $0.healthyAfter == false }) {
            impact.offered = false
            impact.reason = "the evaluator does not see it mend \(f.flow): \(f.after)"
        }
        return impact
    }

    /// Whether the finding is about this flow.
    static func concerns(_ f: Finding, _ flow: ImpactFlow, _ was: ImpactOutcome, _ will: ImpactOutcome) -> Bool {
        guard f.subjects.contains(where: { $0.namespace == flow.namespace }) else { return false }
        let links = Set(f.subjects.filter { $0.kind == .link }.map(\.name))
        let familyOK = f.id.contains(":ipv6") ? flow.family == .ipv6 : (f.id.contains(":ipv4") ? flow.family == .ipv4 : true)
        switch f.check {
        case ForwardingCheck.id:
            return familyOK && flow.isForwarded
        case MasqueradeCheck.id:
            return flow.kind == .outbound && flow.family == .ipv4 && links.contains(flow.bridge ?? "")
        case ForwardPolicyCheck.id:
            return flow.kind == .outbound && familyOK && links.contains(flow.bridge ?? "")
        case RouteShadowCheck.id:
            let routes = f.subjects.filter { $0.kind == .route }.compactMap { IPPrefix(addressOrPrefix: $0.name)?.canonical }
            let dst = flow.target ?? flow.destination
            return routes.contains { $0.contains(dst) }
        default:
            // A finding about chains (a lost jump, a leftover) concerns the flows those chains decide.
            let chains = Set(f.subjects.filter { $0.kind == .chain }.map(\.name))
            if !chains.isEmpty && f.check != ForwardPolicyCheck.id {
                return !chains.isDisjoint(with: was.chains) || !chains.isDisjoint(with: will.chains)
            }
            return links.contains(flow.bridge ?? "") || links.contains(flow.inInterface ?? "")
                || links.contains(will.outInterface ?? "") || links.contains(was.outInterface ?? "")
        }
    }

    /// Whether a concerned flow works after the fix, in the finding's terms (nil: nothing to expect).
    static func healthyAfter(_ f: Finding, _ flow: ImpactFlow, _ was: ImpactOutcome, _ will: ImpactOutcome) -> Bool? {
        switch f.check {
        case ForwardingCheck.id:
            return will.stage != .forwardingOff
        case ForwardPolicyCheck.id:
            if case .dropped = will.stage { return false }
            return true
        case MasqueradeCheck.id:
            guard will.stage == .forwarded else { return nil }
            return will.source != flow.source
        case RouteShadowCheck.id:
            guard let bridge = flow.bridge, flow.kind == .inbound || flow.kind == .hostToContainer else { return nil }
            return will.outInterface == bridge
        default:
            if flow.kind == .published, let target = flow.target { return will.passes && will.destination == target }
            return nil
        }
    }
}

extension Doctor {
    /// Every finding with a fix, with its comparison; a fix that is not offered keeps its plan (for `--force`).
    static func judgeFixes(_ findings: [Finding], ctx: DoctorContext) -> [Finding] {
        findings.map { f in
            var f = f
            f.impact = FixImpactJudge.judge(f, ctx: ctx)
            return f
        }
    }
}
