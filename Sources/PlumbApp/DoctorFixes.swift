import PlumbActions
import PlumbModel
import PlumbTUI

/// The TUI's `f` and `u`: a finding's fix applied as one journaled unit, and the last fix undone (as
/// `plumb doctor --fix ID --yes` and `--undo`).
enum DoctorFixes {
    static func apply(_ f: Finding, journal dir: String) -> StatusMessage {
        do {
            let plan = try DoctorFixService(store: StateStore(path: "\(dir)/state.db")).apply(f)
            return .info("fixed \(f.check): \(counted(plan.steps.count, "step")) applied; u undoes")
        } catch {
            return .error("fix \(f.id) failed, nothing left half-done: \(error)")
        }
    }

    /// Which fix `u` would undo, and how; nothing changes.
    static func undoPreview(journal dir: String) throws -> (findingID: String, plan: Plan) {
        let (id, plan) = try DoctorFixService(store: StateStore(path: "\(dir)/state.db")).undoPlan()
        return (id, plan)
    }

    static func undo(journal dir: String) -> StatusMessage {
        do {
            let (id, plan) = try DoctorFixService(store: StateStore(path: "\(dir)/state.db")).undo()
            return .info("undid the fix for \(id): \(counted(plan.steps.count, "step"))")
        } catch {
            return .error("\(error)")
        }
    }
}
