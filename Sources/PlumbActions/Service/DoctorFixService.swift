import Foundation
import PlumbModel

/// Applies and undoes the doctor's fixes through the executor and the journal, for the CLI and the TUI alike.
/// A fix is journaled with the operation `.doctorFix(findingID:)` (the Finding's id), so `undo` finds it
/// later, in another process, and applies the inverse of exactly the steps that ran.
public final class DoctorFixService {
    public let store: StateStore
    let executor: PlanExecutor

    public init(store: StateStore) {
        self.store = store
        executor = PlanExecutor(journal: StoreJournal(store: store))
    }

    public enum Failure: Error, CustomStringConvertible {
        case noFix(String)
        case nothingToUndo(String?)
        case unreadable(Int64)
        public var description: String {
            switch self {
            case .noFix(let id): return "finding \(id) has no automatic fix: its explanation says what to do"
            case .nothingToUndo(let id):
                return id.map { "no applied doctor fix for \($0) to undo" }
                    ?? "no applied doctor fix to undo"
            case .unreadable(let e): return "journal entry \(e) does not hold a readable plan"
            }
        }
    }

    /// Applies the finding's fix as one unit (rolled back on the first failing step). Returns the plan applied.
    @discardableResult
    public func apply(_ finding: Finding) throws -> Plan {
        guard var plan = finding.fix, !plan.steps.isEmpty else { throw Failure.noFix(finding.id) }
        plan.operation = .doctorFix(findingID: finding.id)
        let lock = try store.operationLock(exclusive: false)  // gc waits while the fix runs
        defer { withExtendedLifetime(lock) {} }
        try executor.apply(plan)
        return plan
    }

    /// Fixes applied and not undone yet, oldest first.
    public func appliedFixes() throws -> [(entry: JournalEntry, findingId: String, plan: Plan)] {
        try store.journal(states: [.applied]).compactMap { e in
            guard let plan = try? JSONDecoder().decode(Plan.self, from: Data(e.plan.utf8)) else { throw Failure.unreadable(e.id) }
            guard case .doctorFix(let findingId) = plan.operation else { return nil }
            return (e, findingId, plan)
        }
    }

    /// Undoes the last applied fix, or the last one for `findingId`: applies the inverse plan (journaled as
    /// "doctor undo ID") and marks the fix rolled back. Returns the finding id and the undo plan.
    @discardableResult
    public func undo(findingId: String? = nil) throws -> (findingId: String, plan: Plan) {
        guard let last = try appliedFixes().last(where: { findingId == nil || $0.findingId == findingId }) else {
            throw Failure.nothingToUndo(findingId)
        }
        var inverse = last.plan.inverse
        inverse.operation = .doctorUndo(findingID: last.findingId)
        let lock = try store.operationLock(exclusive: false)
        defer { withExtendedLifetime(lock) {} }
        try executor.apply(inverse, record: { [store] in try store.journalSet(last.entry.id, state: .rolledBack) })
        return (last.findingId, inverse)
    }

    /// The undo plan `undo(findingId:)` would apply, without applying it (dry run).
    public func undoPlan(findingId: String? = nil) throws -> (findingId: String, plan: Plan) {
        guard let last = try appliedFixes().last(where: { findingId == nil || $0.findingId == findingId }) else {
            throw Failure.nothingToUndo(findingId)
        }
        var inverse = last.plan.inverse
        inverse.operation = .doctorUndo(findingID: last.findingId)
        return (last.findingId, inverse)
    }
}

extension DoctorFixService.Failure: CategorizedError {
    public var category: ErrorCategory {
        switch self {
        case .nothingToUndo: return .notFound
        case .noFix, .unreadable: return .failure
        }
    }
}
