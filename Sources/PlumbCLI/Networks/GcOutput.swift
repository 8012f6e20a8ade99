import PlumbActions
import PlumbModel

/// What `plumb gc` prints: what it changed (or, dry run, would change), one line each, or "nothing to clean up".
/// The JSON keeps the plans output of every change command (`dryRun`, `plans`, `commands`) and adds the report.
struct GcOutput: CommandOutput, Encodable {
    var report: NetworkService.GcReport
    var dryRun: Bool

    func text() -> String {
        let r = report
        var lines: [String] = []
        if dryRun {
            lines.append("# dry run: nothing was changed")
            lines += r.undone.map { "# would undo \($0)" } + r.finished.map { "# would finish \($0)" }
                + r.fixed.map { "# would fix: \($0)" } + r.leftAlone.map { "# would leave alone \($0)" }
            for p in r.plans {
                lines.append("# \(p.label)")
                lines += p.steps.map(\.description)
            }
            if r.changedNothing { lines.append("# nothing to clean up") }
            return lines.joined(separator: "\n") + "\n"
        }
        if r.changedNothing {
            let closed = r.closedUnchanged == 0 ? ""
                : " (closed \(counted(r.closedUnchanged, "interrupted operation")) that had changed nothing)"
            lines.append("nothing to clean up" + closed)
        }
        if !r.undone.isEmpty { lines.append("undid \(counted(r.undone.count, "interrupted operation")): \(r.undone.joined(separator: "; "))") }
        if !r.finished.isEmpty { lines.append("finished \(counted(r.finished.count, "interrupted operation")): \(r.finished.joined(separator: "; "))") }
        lines += r.fixed.map { "fixed: \($0)" }
        lines += r.leftAlone.map { "left alone: \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }

    enum CodingKeys: String, CodingKey {
        case dryRun, plans, commands, undone, finished, fixed, leftAlone, failures, closedUnchanged
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encode(report.plans, forKey: .plans)
        try c.encode(report.plans.map { $0.steps.map(\.description) }, forKey: .commands)
        try c.encode(report.undone, forKey: .undone)
        try c.encode(report.finished, forKey: .finished)
        try c.encode(report.fixed, forKey: .fixed)
        try c.encode(report.leftAlone, forKey: .leftAlone)
        try c.encode(report.failures, forKey: .failures)
        try c.encode(report.closedUnchanged, forKey: .closedUnchanged)
    }
}
