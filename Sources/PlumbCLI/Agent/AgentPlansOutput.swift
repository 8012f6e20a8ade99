import PlumbActions
import PlumbModel

/// `plumb agent --once`: the plans of one sync pass, one per overlay. The JSON is the plans array, written as
/// every other command writes plans (`Plan`'s own key order, one line unless `--pretty`).
struct AgentPlansOutput: CommandOutput {
    var plans: [Plan]

    var json: [Plan] { plans }

    func text() -> String {
        plans.map { plan in
            "\(plan.label): \(plan.steps.isEmpty ? "nothing to change" : counted(plan.steps.count, "step"))\n"
                + plan.steps.map { "  \($0.description)\n" }.joined()
        }.joined()
    }
}
