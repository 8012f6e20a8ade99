import ArgumentParser
import PlumbKernel

/// `plumb`: see, debug and fix Linux container networking on one host.
public struct PlumbCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "plumb",
        abstract: "See, debug and fix Linux container networking on one host.",
        discussion: """
            Every network namespace, who lives in it, how veths, bridges, macvlan and VXLAN links wire them, \
            and what the firewall does to the traffic.
            Exit codes: 0 ok, 1 failure, 3 doctor found errors / trace dropped, 4 target not found, 5 trace undecided, 64 usage, 77 not root / missing capabilities; plumb exec passes its command's code through.
            """,
        subcommands: [TUICommand.self, SnapshotCommand.self, DiffCommand.self, NamespaceCommand.self, FirewallCommand.self, SocketsCommand.self, NetCommand.self,
                      LabCommand.self, GcCommand.self, CaptureCommand.self, ExecCommand.self, DoctorCommand.self,
                      TraceCommand.self],
        defaultSubcommand: TUICommand.self
    )

    public init() {}

    /// Runs the command tree and turns every error into one line on stderr plus a meaningful exit code.
    public static func runMain() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CommandFailure {
            printError(failure.description)
            Self.exit(withError: failure.code)
        } catch {
            Self.exit(withError: error)
        }
    }
}

func printError(_ message: String) {
    var stderr = StandardError()
    print("plumb: \(message)", to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleWriter.write(2, string)
    }
}

/// Refuses to run without the privileges reading namespaces needs.
func requirePrivileges() throws {
    let missing = Privileges.missing()
    if !missing.isEmpty {
        throw CommandFailure(
            description: "needs \(missing.joined(separator: " and ")) to read other namespaces: run as root (sudo plumb ...)",
            code: PlumbExit.permission)
    }
}
