import ArgumentParser
import Foundation
import PlumbActions
import PlumbLab

/// `plumb lab up/down`: the demo lab (see README).
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab", abstract: "Bring the demo lab up or down.", subcommands: [Up.self, Down.self])
    static let defaultPrefix = "lab"

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "up", abstract: "Build the demo lab: networks, containers, traffic, and a few faults.")
        @Option(help: "Name prefix of everything the lab creates (at most 6 characters).") var prefix = LabCommand.defaultPrefix
        @OptionGroup var change: ChangeOptions
        func run() throws {
            let svc = try change.service()
            let lab = DemoLab(service: svc, prefix: prefix, stateDirectory: (change.state.statePath as NSString).deletingLastPathComponent)
            if change.dryRun {
                let plans = try perform { try lab.plannedUp() }
                return try change.report(plans, summary: "")
            }
            let st = try perform { try lab.up() }
            try render(LabOutput(prefix: prefix, up: true, state: st), as: change.format)
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "down", abstract: "Remove everything the demo lab created.")
        @Option(help: "The prefix given to `lab up`.") var prefix = LabCommand.defaultPrefix
        @OptionGroup var change: ChangeOptions
        func run() throws {
            let svc = try change.service()
            let lab = DemoLab(service: svc, prefix: prefix, stateDirectory: (change.state.statePath as NSString).deletingLastPathComponent)
            if change.dryRun {
                let plans = try perform { try lab.plannedDown() }
                return try change.report(plans, summary: "")
            }
            let st = try perform { try lab.down() }
            try render(LabOutput(prefix: prefix, up: false, state: st), as: change.format)
        }
    }
}
