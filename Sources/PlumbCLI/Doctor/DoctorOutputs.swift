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

    var json: FixPlanOutput { FixPlanOutput(plan: PlanOutput(dryRun: dryRun, plans: [plan]), impact: finding.impact) }
    /// Applied: one line (the plan was shown before the question); dry run: the plan and its comparison.
    func text() -> String {
        dryRun ? Self.preview(finding, plan, dryRun: true)
            : "fixed \(finding.id); undo with: plumb doctor --undo \(finding.id)\n"
    }

    /// The finding, the plan that fixes it and what it changes, as shown before asking.
    static func preview(_ f: Finding, _ plan: Plan, dryRun: Bool) -> String {
        var s = "\(f.severity.rawValue.uppercased()) \(f.id)\n  \(f.title)\n\(dryRun ? "# dry run: nothing is changed\n" : "")plan:\n"
        for step in plan.steps { s += step.description + "\n" }
        if let impact = f.impact { s += FixImpactText.render(impact) }
        return s
    }
}

/// `plumb doctor --fix ID --json`: the plan output's keys, then the comparison (`impact`).
struct FixPlanOutput: Encodable {
    var plan: PlanOutput
    var impact: FixImpact?
    enum CodingKeys: String, CodingKey { case impact }
    func encode(to encoder: any Encoder) throws {
        try plan.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(impact, forKey: .impact)
    }
}

/// The before/after comparison of a fix in words: the flows it is about, then any other flow it changes.
enum FixImpactText {
    static func render(_ i: FixImpact) -> String {
        var s = "flows compared before and after (\(i.flowsCompared) evaluated):\n"
        let concerned = i.flows.filter(\.concerned), side = i.sideEffects
        if concerned.isEmpty { s += "  no evaluated flow is what this finding is about\n" }
        for f in concerned {
            let mark = f.healthyAfter.map { $0 ? "mended" : "STILL BROKEN" } ?? (f.changed ? "changes" : "unchanged")
            s += "  [\(mark)] \(f.flow)\n      before: \(f.before)\n      after:  \(f.after)\n"
        }
        if side.isEmpty {
            s += "  no other flow changes\n"
        } else {
            s += "  other flows that change (\(side.count)):\n"
            for f in side.prefix(20) { s += "  [other] \(f.flow)\n      before: \(f.before)\n      after:  \(f.after)\n" }
            if side.count > 20 { s += "  … and \(side.count - 20) more\n" }
        }
        for n in i.notModelled { s += "  not modelled by the comparison: \(n)\n" }
        s += i.offered ? "verdict: offered\n" : "verdict: NOT offered: \(i.reason ?? "")\n"
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

/// `plumb doctor --fix-all`: what happened to each fixable finding. Text is printed as it goes (each plan
/// before its question); `--json` prints this value once at the end.
struct DoctorFixAllOutput: CommandOutput, Encodable {
    enum Result: String, Encodable {
        /// Applied (journaled; undo with `--undo ID`).
        case fixed
        /// Shown only (`--dry-run`).
        case planned
        /// Not applied: the user said no, or a leftover removal under `--yes`.
        case skipped
        /// Applied and failed; the steps done were rolled back.
        case failed
    }

    struct Outcome: Encodable {
        var finding: String
        var result: Result
        /// Why it was skipped or failed; null otherwise.
        var reason: String?
        var plan: Plan
        var commands: [String] { plan.steps.map(\.description) }

        enum CodingKeys: String, CodingKey { case finding, result, reason, plan, commands }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(finding, forKey: .finding)
            try c.encode(result, forKey: .result)
            try c.encode(reason, forKey: .reason)
            try c.encode(plan, forKey: .plan)
            try c.encode(commands, forKey: .commands)
        }

        /// The line text output prints once the outcome is known (the plan was shown before).
        var line: String {
            switch result {
            case .fixed: return "fixed \(finding); undo with: plumb doctor --undo \(finding)\n"
            case .planned: return ""
            case .skipped: return "skipped \(finding)\(reason.map { ": \($0)" } ?? "")\n"
            case .failed: return "fix \(finding) failed and was rolled back: \(reason ?? "")\n"
            }
        }
    }

    var dryRun: Bool
    var fixes: [Outcome]

    var failed: Int { fixes.filter { $0.result == .failed }.count }

    func text() -> String {
        fixes.isEmpty ? "nothing to fix\n" : fixes.map(\.line).joined()
    }
}
