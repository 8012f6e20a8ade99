import ArgumentParser
import Foundation
import PlumbActions
import PlumbModel

/// Options of every command that changes the kernel.
struct ChangeOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the exact plan (each netlink change and firewall batch) and change nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Print the result (or the plan, with --dry-run) as JSON.")
    var json = false

    @Flag(name: .long, help: "Indent the JSON (with --json); the default is one line, like `ip -j`.")
    var pretty = false

    @Option(name: .long, help: "State directory (networks, IPAM, journal). Default: $PLUMB_STATE_DIR or /var/lib/plumb.")
    var stateDir: String?

    @Option(name: .long, help: "Build networks inside this ip-netns namespace instead of the host (labs, tests).")
    var hostNs: String?

    var format: OutputFormat { OutputFormat(json: json, pretty: pretty) }

    var statePath: String {
        let dir = stateDir ?? ProcessInfo.processInfo.environment["PLUMB_STATE_DIR"] ?? "/var/lib/plumb"
        return "\(dir)/state.db"
    }

    func service() throws -> NetworkService {
        try requirePrivileges()
        let store: StateStore
        do {
            store = try StateStore(path: statePath)
        } catch {
            throw CommandFailure(description: "cannot open the state store \(statePath): \(error)", code: PlumbExit.failure)
        }
        return NetworkService(store: store, hostNamespace: hostNs.map { .named($0) } ?? .host)
    }

    /// Prints what the change did (or, with --dry-run, would do), as text or JSON.
    func report(_ plans: [Plan], result: (any Encodable)? = nil, summary: String) throws {
        let output = ChangeReport(plans: plans, dryRun: dryRun, result: result.map(AnyEncodable.init), summary: summary)
        try render(output, as: format)
    }
}

/// Runs a service call, turning its errors into one line and the exit code of their category (64 bad input,
/// 4 not found, 1 a failure; see `ExitStatus`). Bad input is reported before any change, so nothing was changed.
func perform<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw CommandFailure(error)
    }
}
