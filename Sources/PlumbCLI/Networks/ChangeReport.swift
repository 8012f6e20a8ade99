import PlumbModel

/// What a command that changes the kernel prints: with `--dry-run` the plans (as the commands they amount to,
/// or as JSON), otherwise its result (a record as JSON, a summary line as text; commands without a record
/// print the applied plans as JSON).
struct ChangeReport: CommandOutput {
    var plans: [Plan]
    var dryRun: Bool
    /// The record the change made (a network, endpoints), when the command has one.
    var result: AnyEncodable? = nil
    /// The text form of the result: one line per change.
    var summary: String

    var json: AnyEncodable {
        if dryRun { return AnyEncodable(PlanOutput(dryRun: true, plans: plans)) }
        return result ?? AnyEncodable(PlanOutput(dryRun: false, plans: plans))
    }

    func text() -> String {
        guard dryRun else { return summary + "\n" }
        var text = "# dry run: nothing was changed\n"
        for p in plans {
            text += "# \(p.label)\n"
            for s in p.steps { text += s.description + "\n" }
        }
        return text
    }
}

/// Plans as JSON: the steps as data, and each step as the command it amounts to.
struct PlanOutput: Encodable {
    var dryRun: Bool
    var plans: [Plan]
    var commands: [[String]] { plans.map { $0.steps.map(\.description) } }
    enum CodingKeys: String, CodingKey { case dryRun, plans, commands }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encode(plans, forKey: .plans)
        try c.encode(commands, forKey: .commands)
    }
}

/// A result whose type differs per command (one endpoint, several), encoded as itself.
struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ v: any Encodable) { value = v }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
