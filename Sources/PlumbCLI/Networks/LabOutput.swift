import PlumbLab
import PlumbModel

/// `plumb lab up/down`: the lab's state after the command. JSON: `{"prefix","up","namespaces","networks",
/// "processes"}`; for `down`, what was removed (empty lists when the lab was not up).
struct LabOutput: CommandOutput, Encodable {
    var prefix: String
    var up: Bool
    /// Every namespace of the lab, overlay hosts included.
    var namespaces: [String]
    var networks: [String]
    var processes: Int
    /// `down` only: false when there was no lab with this prefix.
    var existed: Bool

    enum CodingKeys: String, CodingKey { case prefix, up, namespaces, networks, processes }

    init(prefix: String, up: Bool, state: DemoLab.State?) {
        self.prefix = prefix
        self.up = up
        namespaces = (state?.namespaces ?? []) + (state?.overlay ?? [])
        networks = state?.networks ?? []
        processes = state?.pids.count ?? 0
        existed = state != nil
    }

    func text() -> String {
        if up {
            // The last line is the next step: the live view, where the lab is meant to be explored.
            return "The demo lab '\(prefix)' is up: \(counted(namespaces.count, "namespace")), "
                + "\(counted(networks.count, "network")), \(counted(processes, "process", "processes")).\n"
                + "Now run `plumb` to explore it live (? lists the keys); `plumb doctor` finds what it breaks on purpose; "
                + "`\(downCommand)` removes it.\n"
        }
        return existed ? "The demo lab '\(prefix)' is down.\n" : "No demo lab '\(prefix)' is up.\n"
    }

    /// What removes this lab: `--prefix` only when it is not the default, which `lab down` would not find.
    var downCommand: String {
        prefix == LabCommand.defaultPrefix ? "plumb lab down" : "plumb lab down --prefix \(prefix)"
    }
}
