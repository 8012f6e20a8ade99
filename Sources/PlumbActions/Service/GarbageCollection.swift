import Foundation
import PlumbModel

/// `plumb gc`: repairs what interrupted runs left, and reconciles the store with the kernel.
///
/// - gc holds the operation lock exclusively, so no operation of this state directory runs beside it; an entry
///   still `planned` whose recorded process is alive (a plumb that does not take the lock) is left alone.
/// - An interrupted build-up (create, connect, ns add, a doctor fix) is rolled back: its steps are undone and
///   the addresses it had taken are freed.
/// - An interrupted teardown (net rm, net disconnect, ns rm) is rolled forward: the removal is planned again
///   from what the kernel and the store hold now, and finished.
/// - Then the store and the kernel are reconciled both ways (`Drift`).
///
/// The report counts what really changed: an entry whose undo found nothing to undo is closed, not counted.
extension NetworkService {
    public struct GcReport: Sendable {
        /// Interrupted build-ups rolled back (or, dry run, to roll back), each with what it changed.
        public var undone: [String] = []
        /// Interrupted teardowns finished.
        public var finished: [String] = []
        /// Drift fixed (or, dry run, to fix).
        public var fixed: [String] = []
        /// Operations left alone: still running, or unreadable.
        public var leftAlone: [String] = []
        /// What could not be repaired, and why.
        public var failures: [String] = []
        /// Interrupted entries closed that had changed nothing.
        public var closedUnchanged = 0
        /// The kernel plans gc applied (or would apply).
        public var plans: [Plan] = []

        public var changedNothing: Bool { undone.isEmpty && finished.isEmpty && fixed.isEmpty }

        public init() {}
    }

    public func collectGarbage(dryRun: Bool) throws -> GcReport {
        // Exclusive even for a dry run: what a running operation has half-built is not drift.
        let hold = try holdOperationLock(exclusive: true)
        defer { hold.end() }
        var report = GcReport()
        for entry in try store.journal(states: [.planned]).reversed() {
            if let owner = entry.owner, owner.isAlive {
                report.leftAlone.append("journal entry \(entry.id) (\(entry.operation)): its process \(owner.pid) is still running")
                continue
            }
            guard let plan = try? JSONDecoder().decode(Plan.self, from: Data(entry.plan.utf8)) else {
                report.leftAlone.append("journal entry \(entry.id) (\(entry.operation)): its plan is unreadable")
                continue
            }
            do {
                if plan.operation.isTeardown {
                    try rollForward(entry, plan, dryRun: dryRun, into: &report)
                } else {
                    try rollBack(entry, plan, dryRun: dryRun, into: &report)
                }
            } catch {
                report.failures.append("journal entry \(entry.id) (\(entry.operation)): \(error)")
            }
        }
        try reconcile(dryRun: dryRun, into: &report)
        reconcileLeases(dryRun: dryRun, into: &report)
        return report
    }

    /// Undoes an interrupted build-up and frees the addresses it had taken.
    private func rollBack(_ entry: JournalEntry, _ plan: Plan, dryRun: Bool, into report: inout GcReport) throws {
        if dryRun {
            report.undone.append("\(plan.label) (journal entry \(entry.id))")
            report.plans.append(plan.inverse)
            return
        }
        let changed = executor.rollback(plan) + releaseAddresses(of: plan)
        try store.journalSet(entry.id, state: .rolledBack)
        if changed == 0 {
            report.closedUnchanged += 1
        } else {
            report.undone.append("\(plan.label) (\(counted(changed, "change")))")
            report.plans.append(plan.inverse)
        }
    }

    /// Finishes an interrupted teardown: what is still in the store is removed again, planned from the kernel
    /// as it is now (a rule or link already gone is not in the new plan).
    private func rollForward(_ entry: JournalEntry, _ plan: Plan, dryRun: Bool, into report: inout GcReport) throws {
        var plans: [Plan] = [], rows = 0
        switch plan.operation {
        case .netRemove(let names, _):
            let left = try names.filter { try store.network(named: $0) != nil }
            if !left.isEmpty {
                rows = try left.reduce(left.count) { $0 + (try store.endpoints(network: $1).count) }
                plans = try remove(left, force: true, dryRun: dryRun)
            }
        case .netDisconnect(let network, let keys):
            let left = try store.endpoints(network: network).filter { keys.contains($0.key) }
            if !left.isEmpty {
                rows = left.count
                let home = try record(network).hostNamespace
                let snap = leanSnapshot(firewall: true, named: [], of: home) ?? snapshot(detailOnly: true, also: Self.sandboxInodes(left), of: home)
                plans = [try disconnect(network: network, endpoints: left, dryRun: dryRun, snapshot: snap)]
            }
        default:
            if dryRun {
                plans = [plan]
            } else if executor.replay(plan) > 0 {
                plans = [plan]
            }
        }
        if !dryRun { try store.journalSet(entry.id, state: .applied) }
        let steps = plans.reduce(0) { $0 + $1.steps.count }
        if steps + rows == 0 {
            if !dryRun { report.closedUnchanged += 1 }
            return
        }
        report.finished.append("\(plan.label) (journal entry \(entry.id): \(counted(steps, "kernel change")), \(counted(rows, "store row")))")
        report.plans += plans
    }

    /// A connect takes its addresses in the transaction that journals it: when its plan is undone, they go back
    /// to the pool (the store refuses any address an endpoint holds, so a live endpoint keeps its own). Returns
    /// how many were freed.
    func releaseAddresses(of plan: Plan) -> Int {
        guard case .netConnect(let network, _) = plan.operation else { return 0 }
        var freed = 0
        for step in plan.steps {
            if case .addAddress(let cidr, _, _) = step,
               (try? store.release(network: network, address: cidr.address)) == true {
                freed += 1
            }
        }
        return freed
    }

    /// Store and kernel reconciled for every network of the store, each in its own host namespace (whatever
    /// --host-ns this gc was given), and for the networks the journal shows this store created in any of them.
    /// A host namespace is looked for by its stored cookie: one that is gone is drift (its networks' rows go),
    /// and a newcomer that took its name is never read for drift, let alone changed.
    private func reconcile(dryRun: Bool, into report: inout GcReport) throws {
        let nets = try store.networks()
        let unrecorded = try unrecordedCandidates(known: Set(nets.map(\.name)))
        var homes: [NamespaceRef] = []
        for h in nets.map(\.hostNamespace) + unrecorded.map(\.home) where !homes.contains(h) { homes.append(h) }
        var drifts: [Drift] = []
        for home in homes {
            let mine = nets.filter { $0.hostNamespace == home }
            // Sandboxes are read where endpoints live only inside them: the stored ones, and those the journal
            // says were connected (kernel-only candidates).
            var sandboxes = Self.sandboxInodes(try mine.flatMap { try store.endpoints(network: $0.name) })
            for net in mine where net.driver == .macvlan || net.driver == .cni {
                sandboxes.formUnion(try journaledEndpoints(of: net).compactMap(\.sandbox.inode))
            }
            let snap = (sandboxes.isEmpty ? leanSnapshot(firewall: true, named: [], of: home) : nil)
                ?? snapshot(detailOnly: true, also: sandboxes, of: home)
            let host: Namespace
            do {
                host = try hostView(snap, of: home)
            } catch ActionError.namespaceMissing(let what, let why) {
                drifts += mine.map { net in
                    Drift(kind: .hostNamespaceGone, network: net.name,
                          description: "network \(net.name): its host namespace \(what) is gone (\(why)); its rows are removed from the store",
                          storeFix: .removeNetwork)
                }
                continue
            }
            drifts += try mine.flatMap { try drift(of: $0, host: host, snapshot: snap) }
            drifts += unrecordedNetworks(unrecorded.filter { $0.home == home }, host: host)
        }
        for d in drifts {
            if dryRun {
                report.fixed.append(d.description)
                if !d.steps.isEmpty { report.plans.append(Plan(operation: .other("gc: \(d.description)"), steps: d.steps)) }
                continue
            }
            do {
                if try fix(d) > 0 { report.fixed.append(d.description) }
            } catch {
                report.failures.append("\(d.description): \(error)")
            }
        }
    }
}

extension PlanOperation {
    /// Removals: gc finishes them when they were interrupted, instead of undoing them (a deleted link or
    /// flushed rule has no inverse).
    var isTeardown: Bool {
        switch self {
        case .netRemove, .netDisconnect, .nsRemove: return true
        default: return false
        }
    }
}
