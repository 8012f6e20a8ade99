import ArgumentParser
import Foundation
import PlumbActions
import PlumbLab

/// `plumb lab up/down`: the demo lab (see README).
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab", abstract: "Bring the demo lab up or down.", subcommands: [Up.self, Down.self])

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "up", abstract: "Build the demo lab: networks, containers, traffic, and a few faults.")
        @Option(help: "Name prefix of everything the lab creates (at most 6 characters).") var prefix = "lab"
        @OptionGroup var change: ChangeOptions
        func run() throws {
            let svc = try change.service()
            let lab = DemoLab(service: svc, prefix: prefix, stateDirectory: (change.statePath as NSString).deletingLastPathComponent)
            let st = try perform { try lab.up() }
            FileHandleWriter.write(1, "lab \(prefix) is up: \(st.namespaces.count + st.overlay.count) namespaces, "
                                   + "\(st.networks.count) networks, \(st.pids.count) processes. Try `plumb snapshot` or `plumb ns ls`.\n")
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "down", abstract: "Remove everything the demo lab created.")
        @Option(help: "The prefix given to `lab up`.") var prefix = "lab"
        @OptionGroup var change: ChangeOptions
        func run() throws {
            let svc = try change.service()
            let lab = DemoLab(service: svc, prefix: prefix, stateDirectory: (change.statePath as NSString).deletingLastPathComponent)
            let st = try perform { try lab.down() }
            FileHandleWriter.write(1, st == nil ? "lab \(prefix) is not up\n" : "lab \(prefix) is down\n")
        }
    }
}
