import PlumbKernel
import PlumbModel

/// `plumb conntrack delete`: the entries a filter selects, planned as one step that lists them (so `--dry-run`
/// shows exactly what would go and the journal records what went), applied through the executor.
public final class ConntrackService {
    let executor: PlanExecutor

    public init(store: StateStore) {
        executor = PlanExecutor(journal: StoreJournal(store: store))
    }

    /// The plan deleting `entries` from the namespace `ns`; `target` and `filter` label it.
    public static func plan(deleting entries: [ConntrackEntry], in ns: NamespaceHandle, target: String,
                            filter: ConntrackFilter) -> Plan {
        Plan(operation: .conntrackDelete(target: target, filter: filter.description),
             steps: entries.isEmpty ? [] : [.deleteConntrack(entries: entries, in: ns)])
    }

    /// Journals and applies the plan.
    public func apply(_ plan: Plan) throws {
        try executor.apply(plan)
    }
}
