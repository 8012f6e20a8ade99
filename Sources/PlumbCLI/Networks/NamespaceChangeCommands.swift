import ArgumentParser
import PlumbActions
import PlumbModel

/// `plumb ns add NAME` / `plumb ns rm NAME`: named namespaces, as `ip netns add/del` make them.
struct NamespaceAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Create a named network namespace (/run/netns/NAME).")
    @Argument(help: "Namespace name (letters, digits, . _ -).") var name: String
    @OptionGroup var change: NamespaceChangeOptions
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
    @Argument(help: "Namespace name (an `ip netns` name).", completion: CompletionSources.namespaces) var name: String
    @Flag(name: .long, help: "Disconnect the namespace's network endpoints first, then remove it.")
    var force = false
    @OptionGroup var change: ChangeOptions
    func run() throws {
        let svc = try change.service()
        let (plan, notes) = try perform { try svc.removeNamespace(name, force: force, dryRun: change.dryRun) }
        let left = plan.steps.count - 1
        let summary = (left > 0 ? "disconnected its endpoints (\(counted(left, "change"))) and " : "") + "removed namespace \(name)"
        try change.report([plan], summary: ([summary] + notes.map { "note: \($0)" }).joined(separator: "\n"))
    }
}

/// `plumb gc`: finish or undo what an interrupted run left half-done, and reconcile the store with the kernel.
struct GcCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc", abstract: "Repair what interrupted plumb runs left: undo half-done changes, finish half-done removals, reconcile the store with the kernel.",
        discussion: "gc waits for running plumb operations of the state directory to end, and touches only operations whose process is dead. It prints what it changed, or \"nothing to clean up\".")
    @OptionGroup var change: ChangeOptions
    func run() throws {
        let svc = try change.service()
        let report = try perform { try svc.collectGarbage(dryRun: change.dryRun) }
        try render(GcOutput(report: report, dryRun: change.dryRun), as: change.format)
        if !report.failures.isEmpty {
            throw CommandFailure(description: "gc could not repair everything: \(report.failures.joined(separator: "; "))", code: PlumbExit.failure)
        }
    }
}
