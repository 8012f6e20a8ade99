/// What a plan does, as data: gc and the doctor's undo match on it, and the human label (`label`) is only
/// ever rendered from it, never parsed back (except once, for journal entries written before plans carried
/// it: `init(legacyLabel:)`).
public indirect enum PlanOperation: Sendable, Equatable, Codable {
    case netCreate(network: String)
    case netRemove(networks: [String], force: Bool)
    /// `targets` as the user named them (empty in a driver's per-endpoint plan).
    case netConnect(network: String, targets: [String])
    /// `endpoints`: the sandbox keys of the endpoints leaving (empty in a driver's per-endpoint plan).
    case netDisconnect(network: String, endpoints: [String])
    case nsAdd(name: String)
    case nsRemove(name: String)
    case doctorFix(findingID: String)
    case doctorUndo(findingID: String)
    /// A step of the demo lab ("faults", "overlay").
    case lab(String)
    /// `plumb conntrack delete`: the target as typed and the filter as options (`--src 10.0.0.0/8`).
    case conntrackDelete(target: String, filter: String)
    /// `plumb agent` bringing an overlay network's forwarding entries in line with the cluster.
    case overlaySync(network: String)
    /// The inverse of a plan: rollback, gc.
    case undo(PlanOperation)
    /// A label from an old journal that names none of the above; kept as written.
    case other(String)

    /// What `--dry-run` prints as the plan's header and the journal lists: the command it amounts to.
    public var label: String {
        switch self {
        case .netCreate(let n): return "net create \(n)"
        case .netRemove(let names, let force): return "net rm \(names.joined(separator: " "))" + (force ? " --force" : "")
        case .netConnect(let n, let targets): return (["net", "connect", n] + targets).joined(separator: " ")
        case .netDisconnect(let n, let eps): return (["net", "disconnect", n] + eps).joined(separator: " ")
        case .nsAdd(let n): return "ns add \(n)"
        case .nsRemove(let n): return "ns rm \(n)"
        case .doctorFix(let id): return "doctor fix \(id)"
        case .doctorUndo(let id): return "doctor undo \(id)"
        case .lab(let what): return "lab \(what)"
        case .conntrackDelete(let target, let filter): return "conntrack delete \(target) \(filter)"
        case .overlaySync(let n): return "agent sync \(n)"
        case .undo(let op): return "undo \(op.label)"
        case .other(let text): return text
        }
    }

    /// The operation an entry journaled before plans carried one was labelled with. Every label those
    /// versions wrote maps back to its case (`label` gives the same text again); anything else is `.other`.
    public init(legacyLabel text: String) {
        if text.hasPrefix("undo ") { self = .undo(PlanOperation(legacyLabel: String(text.dropFirst(5)))); return }
        for (prefix, make) in [("doctor fix ", PlanOperation.doctorFix), ("doctor undo ", PlanOperation.doctorUndo)]
        where text.hasPrefix(prefix) {
            self = make(String(text.dropFirst(prefix.count)))
            return
        }
        let words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let rest = Array(words.dropFirst(2))
        switch (words.first, words.count > 1 ? words[1] : nil) {
        case ("net", "create") where rest.count == 1: self = .netCreate(network: rest[0])
        case ("net", "rm") where !rest.isEmpty:
            let force = rest.last == "--force"
            self = .netRemove(networks: force ? Array(rest.dropLast()) : rest, force: force)
        case ("net", "connect") where !rest.isEmpty: self = .netConnect(network: rest[0], targets: Array(rest.dropFirst()))
        case ("net", "disconnect") where !rest.isEmpty: self = .netDisconnect(network: rest[0], endpoints: Array(rest.dropFirst()))
        case ("ns", "add") where rest.count == 1: self = .nsAdd(name: rest[0])
        case ("ns", "rm") where rest.count == 1: self = .nsRemove(name: rest[0])
        case ("lab", _) where words.count == 2: self = .lab(words[1])
        default: self = .other(text)
        }
        if label != text { self = .other(text) }  // e.g. doubled spaces: keep the text exactly
    }
}

/// A plan's JSON, as `--json` prints it and journals hold it: `{"operation": LABEL, "steps": [...]}`, where
/// the label is for people and scripts. The journal also stores the typed operation (`JournaledPlan`);
/// entries without it (written by older versions) map their label once, through `init(legacyLabel:)`.
extension Plan: Codable {
    enum CodingKeys: String, CodingKey {
        case operation, steps
        /// The typed operation (journal only).
        case kind
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let kind = try c.decodeIfPresent(PlanOperation.self, forKey: .kind) {
            operation = kind
        } else {
            operation = PlanOperation(legacyLabel: try c.decode(String.self, forKey: .operation))
        }
        steps = try c.decode([PlanStep].self, forKey: .steps)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(label, forKey: .operation)
        try c.encode(steps, forKey: .steps)
    }
}

/// The form the journal stores a plan in: its JSON plus the typed operation, so gc and the doctor's undo read
/// what the plan does without parsing its label. Older Plumbs reading it ignore the extra key.
public struct JournaledPlan: Encodable {
    public var plan: Plan
    public init(_ plan: Plan) { self.plan = plan }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Plan.CodingKeys.self)
        try c.encode(plan.label, forKey: .operation)
        try c.encode(plan.steps, forKey: .steps)
        try c.encode(plan.operation, forKey: .kind)
    }
}
