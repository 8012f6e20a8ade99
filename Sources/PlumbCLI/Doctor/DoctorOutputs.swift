import PlumbDoctor
import PlumbModel

/// `plumb doctor`: the findings (about one namespace, or all) and the checks that could not run.
struct DoctorListing: CommandOutput {
    var report: Doctor.Report
    /// The snapshot the checks ran on, to name namespaces in the text.
    var snapshot: Snapshot

    var json: Doctor.Report { report }
    func text() -> String {
        DoctorTextRenderer.render(report.findings, notChecked: report.notChecked, names: snapshot)
    }
    var hasErrors: Bool { report.findings.contains { $0.severity == .error } }
}

/// `plumb doctor --fix ID`: with `--dry-run` the plan it would apply, otherwise the plan it applied.
struct DoctorFixOutput: CommandOutput {
    var finding: Finding
    var plan: Plan
    var dryRun: Bool

    var json: PlanOutput { PlanOutput(dryRun: dryRun, plans: [plan]) }
    /// Applied: one line (the plan was shown before the question); dry run: the plan.
    func text() -> String {
        dryRun ? Self.preview(finding, plan, dryRun: true)
            : "fixed \(finding.id); undo with: plumb doctor --undo \(finding.id)\n"
    }

    /// The finding and the plan that fixes it, as shown before asking.
    static func preview(_ f: Finding, _ plan: Plan, dryRun: Bool) -> String {
        var s = "\(f.severity.rawValue.uppercased()) \(f.id)\n  \(f.title)\n\(dryRun ? "# dry run: nothing is changed\n" : "")plan:\n"
        for step in plan.steps { s += step.description + "\n" }
        return s
    }
}

/// `plumb doctor --undo [ID]`: the undo plan that ran (or would run, with `--dry-run`).
struct DoctorUndoOutput: CommandOutput {
    var findingID: String
    var plan: Plan
    var dryRun: Bool

    var json: PlanOutput { PlanOutput(dryRun: dryRun, plans: [plan]) }
    func text() -> String {
        if dryRun {
            return "# dry run: would undo \(findingID)\n" + plan.steps.map(\.description).joined(separator: "\n") + "\n"
        }
        return "undid \(findingID):\n" + plan.steps.map { "  " + DoctorTextRenderer.oneLine($0) }.joined(separator: "\n") + "\n"
    }
}
