import PlumbModel

/// The live trace's marking tables, journaled for the whole life of the trace.
///
/// A network change is journaled `planned` only while it is applied; the trace's tables must go again after
/// the probe, so their entry stays `planned` until they are removed. When plumb dies in between (kill -9),
/// `plumb gc` finds the entry planned with a dead owner and undoes its plan: the tables go.
extension NetworkService {
    /// Journals `plan` and applies it; returns the journal entry, which `removeTraceRules` closes.
    /// A failed apply is rolled back by the executor; the entry is then closed (or left for gc when the
    /// rollback left something).
    public func installTraceRules(_ plan: Plan) throws -> Int64 {
        let entry = try store.journalBegin(operation: plan.label, plan: try StoreJournal.text(plan))
        do {
            try PlanExecutor().apply(plan)
        } catch ActionError.rolledBack(let failure, let undone) {
            try? store.journalSet(entry, state: .rolledBack)
            throw ActionError.rolledBack(failure: failure, undone: undone)
        }
        return entry
    }

    /// Removes what `installTraceRules` added and closes its entry. Returns what could not be removed (the
    /// entry then stays planned, for `plumb gc`).
    @discardableResult
    public func removeTraceRules(_ plan: Plan, entry: Int64) -> [String] {
        let result = executor.rollbackReporting(plan)
        if result.failed.isEmpty { try? store.journalSet(entry, state: .rolledBack) }
        return result.failed
    }
}
