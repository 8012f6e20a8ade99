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
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a named network namespace.")
    @Argument var name: String
    @OptionGroup var change: ChangeOptions
    func run() throws {
        let svc = try change.service()
        let plan = try perform { try svc.removeNamespace(name, dryRun: change.dryRun) }
        try change.report([plan], summary: "removed namespace \(name)")
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
