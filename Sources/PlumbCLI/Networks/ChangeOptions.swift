import ArgumentParser
import Foundation
import PlumbActions
import PlumbModel

/// Where Plumb's state lives and how results print: every command that reads or changes Plumb's networks.
struct StateOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the result (or the plan, with --dry-run) as JSON.")
    var json = false

    @Flag(name: .long, help: "Indent the JSON (with --json); the default is one line, like `ip -j`.")
    var pretty = false

    @Option(name: .long, help: "State directory (networks, IPAM, journal). Default: $PLUMB_STATE_DIR or /var/lib/plumb.")
    var stateDir: String?

    @OptionGroup var cluster: StoreOptions

    var format: OutputFormat { OutputFormat(json: json, pretty: pretty) }

    var statePath: String {
        let dir = stateDir ?? ProcessInfo.processInfo.environment["PLUMB_STATE_DIR"] ?? "/var/lib/plumb"
        return "\(dir)/state.db"
    }

    func service(hostNs: String?) throws -> NetworkService {
        try requirePrivileges()
        let store: StateStore
        do {
            store = try StateStore(path: statePath)
        } catch {
            throw CommandFailure(description: "cannot open the state store \(statePath): \(error)", code: PlumbExit.failure)
        }
        let svc = NetworkService(store: store, hostNamespace: hostNs.map { .named($0) } ?? .host)
        svc.cluster = try cluster.cluster()
        return svc
    }
}

/// `--host-ns`: only where networks are involved (`ns add` has none, so it does not take it).
struct HostNamespaceOption: ParsableArguments {
    @Option(name: .long, help: "Build networks inside this ip-netns namespace instead of the host (labs, tests).")
    var hostNs: String?
}

/// Options of the commands that read Plumb's networks without changing anything (`net ls`, `net inspect`):
/// no --dry-run, as there is nothing to plan.
struct ReadNetworkOptions: ParsableArguments {
    @OptionGroup var state: StateOptions
    @OptionGroup var host: HostNamespaceOption

    var json: Bool { state.json }
    var format: OutputFormat { state.format }
    func service() throws -> NetworkService { try state.service(hostNs: host.hostNs) }
}

/// Options of every command that changes the kernel.
struct ChangeOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the exact plan (each netlink change and firewall batch) and change nothing.")
    var dryRun = false

    @OptionGroup var state: StateOptions
    @OptionGroup var host: HostNamespaceOption

    var json: Bool { state.json }
    var format: OutputFormat { state.format }
    var hostNs: String? { host.hostNs }
    var statePath: String { state.statePath }
    func service() throws -> NetworkService { try state.service(hostNs: host.hostNs) }

    /// Prints what the change did (or, with --dry-run, would do), as text or JSON.
    func report(_ plans: [Plan], result: (any Encodable)? = nil, summary: String) throws {
        try reportChange(plans, dryRun: dryRun, format: format, result: result, summary: summary)
    }
}

/// `ChangeOptions` without --host-ns, for `ns add`: a namespace is created the same wherever networks live.
struct NamespaceChangeOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the exact plan (each netlink change and firewall batch) and change nothing.")
    var dryRun = false

    @OptionGroup var state: StateOptions

    var json: Bool { state.json }
    var format: OutputFormat { state.format }
    func service() throws -> NetworkService { try state.service(hostNs: nil) }

    func report(_ plans: [Plan], result: (any Encodable)? = nil, summary: String) throws {
        try reportChange(plans, dryRun: dryRun, format: format, result: result, summary: summary)
    }
}

/// Prints what a change did (or, with --dry-run, would do), as text or JSON.
func reportChange(_ plans: [Plan], dryRun: Bool, format: OutputFormat, result: (any Encodable)?, summary: String) throws {
    let output = ChangeReport(plans: plans, dryRun: dryRun, result: result.map(AnyEncodable.init), summary: summary)
    try render(output, as: format)
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
