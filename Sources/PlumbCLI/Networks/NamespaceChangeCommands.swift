import ArgumentParser
import PlumbActions
import PlumbModel

/// `plumb ns add NAME` / `plumb ns rm NAME`: named namespaces, as `ip netns add/del` make them.
struct NamespaceAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Create a named network namespace (/run/netns/NAME).")
    @Argument var name: String
    @OptionGroup var change: ChangeOptions
    func run() throws {
        let svc = try change.service()
        let plan = try perform { try svc.addNamespace(name, dryRun: change.dryRun) }
        try change.report([plan], summary: "created namespace \(name)")
    }
}

struct NamespaceRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove a named network namespace.",
        discussion: "Refuses (exit code 64) while network endpoints, networks built inside it (--host-ns) or processes use it, and names them. --force disconnects its endpoints first (their veths, published-port rules and addresses go), then removes it.")
    @Argument var name: String
    @Flag(name: .long, help: "Disconnect the namespace's network endpoints first, then remove it.")
    var force = false
    @OptionGroup var change: ChangeOptions
    func run() throws {
        let svc = try change.service()
        let (plan, notes) = try perform { try svc.removeNamespace(name, force: force, dryRun: change.dryRun) }
        let left = plan.steps.count - 1
        let summary = (left > 0 ? "disconnected its endpoints (\(left) change(s)) and " : "") + "removed namespace \(name)"
        try change.report([plan], summary: ([summary] + notes.map { "note: \($0)" }).joined(separator: "\n"))
    }
}

/// `plumb gc`: finish or undo what an interrupted run left half-done.
struct GcCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gc", abstract: "Undo changes that an interrupted plumb run left half-applied.")
    @OptionGroup var change: ChangeOptions
    func run() throws {
        let svc = try change.service()
        let plans = try perform { try svc.collectGarbage(dryRun: change.dryRun) }
        try change.report(plans, summary: plans.isEmpty ? "nothing to clean up" : "undid \(plans.count) interrupted operation(s)")
    }
}
