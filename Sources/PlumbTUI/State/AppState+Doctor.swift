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

    mutating func askFix(rows: PaneRows) -> Effect {
        guard focus == .details, detailTab == .findings else {
            focus = .details
            detailTab = .findings
            message = .info(findings.isEmpty ? "the doctor found nothing" : "select a finding, then f")
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
        confirm = Confirmation(title: "Fix: \(f.title)?", lines: plan.steps.map(\.description),
                               effect: .applyFix(id: f.id))
        return .none
    }

    mutating func askUndo() -> Effect {
        confirm = Confirmation(title: "Undo the last fix Plumb applied?",
                               lines: ["applies its inverse plan from the journal (as plumb doctor --undo)"],
                               effect: .undoFix)
        return .none
    }
}
