import ArgumentParser
import Foundation
import PlumbKernel
import PlumbModel

/// `plumb`: see, debug and fix Linux container networking on one host.
public struct PlumbCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "plumb",
        abstract: "See, debug and fix Linux container networking on one host.",
        discussion: """
            Every network namespace, who lives in it, how veths, bridges, macvlan and VXLAN links wire them, \
            and what the firewall does to the traffic.
            \(ExitStatus.summary)
            """,
        version: PlumbVersion.string,
        subcommands: [TUICommand.self, SnapshotCommand.self, DiffCommand.self, NamespaceCommand.self, FirewallCommand.self, SocketsCommand.self, PortsCommand.self, NetCommand.self,
                      LabCommand.self, GcCommand.self, CaptureCommand.self, ExecCommand.self, DoctorCommand.self,
                      TraceCommand.self, ConntrackCommand.self, MapCommand.self, DropsCommand.self, AgentCommand.self],
        defaultSubcommand: TUICommand.self
    )

    public init() {}

    /// Runs the command tree and turns every error into exactly one line on stderr plus its documented exit
    /// code (see `ExitStatus`): the argument parser's own errors too, without its usage text.
    public static func runMain() {
        if let unknown = UnknownCommand.check(Array(CommandLine.arguments.dropFirst())) { fail(unknown) }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Self.exit(withError: code)  // the command already said why (doctor findings, a trace verdict, exec)
        } catch let failure as CommandFailure {
            fail(failure)
        } catch let error as any CategorizedError {
            fail(CommandFailure(error))
        } catch {
            let code = exitCode(for: error)
            // --help, --version and the like: the argument parser prints them (to stdout) and exits 0.
            if code == .success { Self.exit(withError: error) }
            fail(CommandFailure(description: oneLine(message(for: error)), code: code))
        }
    }

    private static func fail(_ failure: CommandFailure) -> Never {
        printError(oneLine(failure.description))
        Self.exit(withError: failure.code)
    }

    /// The argument parser words some errors on several lines (a hint under the error): one line, always.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: "; ")
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

/// Read-only listings without root: they show what this user's own rights reach (as `lsns` and `ip link` do)
/// and say so in one note on stderr, instead of refusing. Returns whether privileges are missing.
@discardableResult
func noteMissingPrivileges() -> Bool {
    let missing = Privileges.missing()
    guard !missing.isEmpty else { return false }
    printError("note: without \(missing.joined(separator: " and ")) only what this user can read is shown "
               + "(its own processes' namespaces, their links and routes; no firewall): run as root (sudo plumb ...) for everything")
    return true
}
