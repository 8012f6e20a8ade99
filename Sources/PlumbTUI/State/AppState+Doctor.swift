import PlumbModel

/// The doctor in the TUI: findings in the Doctor tab, `f` shows a finding's fix plan and applies it on `y`,
/// `u` shows the undo plan of the last fix and applies it on `y`.
extension AppState {
    /// The live loop ran the checks on a new snapshot.
    public mutating func findingsUpdated(_ list: [Finding]) {
        findings = list
        let count = FindingRows.build(list, filter: filter).count
        detailRow[.findings] = count == 0 ? 0 : min(selectedRow(.findings), count - 1)
    }

    /// The live loop found the published ports again (with the listeners the doctor read).
    public mutating func portsUpdated(_ list: [PublishedPort]) {
        ports = list
        let count = PortRows.build(list, filter: filter).count
        detailRow[.ports] = count == 0 ? 0 : min(selectedRow(.ports), count - 1)
    }

    mutating func askFix(rows: PaneRows) -> Effect {
        guard focus == .details, detailTab == .findings else {
            focus = .details
            detailTab = .findings
            message = .info(findings.isEmpty ? "the doctor found nothing" : "select a finding, then f")
            return .none
        }
        guard findingsJudged else {
            // Never offer a fix whose side effects were not compared (the loop does it as the tab opens).
            message = .info("comparing what the fixes change: press f again in a moment")
            return .none
        }
        let list = rows.findings
        let i = selectedRow(.findings)
        guard i < list.count else { message = .info("the doctor found nothing to fix"); return .none }
        let f = list[i]
        guard let plan = f.fix, !plan.steps.isEmpty else {
            message = .error("no automatic fix for \(f.id): \(f.explanation)")
            return .none
        }
        let offered = f.impact?.offered ?? true
        var lines = plan.steps.flatMap(\.descriptionLines)
        let first = FixOrder.prerequisites(of: f, among: findings)
        if !first.isEmpty {
            lines += ["", "fix these first (this fix fails until they are applied):"] + first.map { "  \($0.id)" }
        }
        confirm = Confirmation(title: offered ? "Fix: \(f.title)?" : "NOT offered: apply anyway? \(f.title)",
                               lines: lines + (f.impact.map(Self.impactLines) ?? []),
                               effect: .applyFix(id: f.id))
        return .none
    }

    /// The fix's before/after comparison under its plan in the dialog: the flows it is about, then what else
    /// changes, then the verdict.
    static func impactLines(_ i: FixImpact) -> [String] {
        var lines = ["", "flows before → after (\(i.flowsCompared) compared):"]
        for f in i.flows where f.concerned {
            let mark = f.healthyAfter.map { $0 ? "mended" : "STILL BROKEN" } ?? (f.changed ? "changes" : "unchanged")
            lines.append("[\(mark)] \(f.flow): \(f.before) → \(f.after)")
        }
        let side = i.sideEffects
        lines += side.isEmpty ? ["no other flow changes"] : side.prefix(6).map { "[other] \($0.flow): \($0.before) → \($0.after)" }
        if side.count > 6 { lines.append("… and \(side.count - 6) more other flows") }
        lines.append(i.offered ? "verdict: offered" : "verdict: NOT offered: \(i.reason ?? "")")
        return lines
    }

    /// `u`: the app reads the journal and asks with the fix's id and its undo plan (`Effect.previewUndo`).
    mutating func askUndo() -> Effect { .previewUndo }

    /// The journal's answer to `u`: which fix would be undone, and the commands that undo it.
    public mutating func showUndo(findingID: String, plan: Plan) {
        confirm = Confirmation(title: "Undo the fix for \(findingID)?",
                               lines: ["these steps undo it (as plumb doctor --undo):"]
                                   + plan.steps.flatMap(\.descriptionLines).map { "  \($0)" },
                               effect: .undoFix)
    }

    /// A failed fix or undo: the whole error (the failed step and the kernel's own message) in a dialog, not cut
    /// off in the status bar.
    public mutating func showFailure(_ title: String, _ text: String) {
        confirm = Confirmation(title: title, lines: FindingsView.wrap(text, width: max(40, size.width - 10), wrapping: true),
                               effect: .none)
    }
}
