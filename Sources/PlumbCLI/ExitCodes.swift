import ArgumentParser
import PlumbModel

/// Plumb's exit codes: the one table. Scripts can tell "you typed it wrong" from "you are not root" from "the
/// kernel said no". The README, `plumb --help` and docs/commands.md show this table (a test pins the docs to
/// it); every error reaches the exit code through `ExitStatus(for:)`.
public enum ExitStatus: Int32, CaseIterable, Sendable {
    case ok = 0
    case failure = 1
    case findings = 3
    case notFound = 4
    case undecided = 5
    case invalidInput = 64
    case permission = 77

    /// What the code means, as the documentation says it.
    public var meaning: String {
        switch self {
        case .ok: return "success"
        case .failure: return "the operation failed: the kernel or a tool refused a change, or something plumb needs is broken; the message says what failed, on which object, and what to do"
        case .findings: return "`plumb doctor`: an error-level finding exists; `plumb trace`: the packet would be dropped"
        case .notFound: return "the named target does not exist: namespace, container, network, endpoint, interface, finding id"
        case .undecided: return "`plumb trace`: the verdict is unknown (a rule Plumb cannot evaluate, an nft table, a tunnel)"
        case .invalidInput: return "invalid input or usage, rejected before anything changes: an unknown flag, a missing argument, a malformed or out-of-range value (name, address, subnet, port, MTU, count), or one that conflicts with what exists (a taken name, address or port, an overlapping subnet), a BPF filter libpcap rejects"
        case .permission: return "not root, or missing CAP_NET_ADMIN / CAP_SYS_ADMIN"
        }
    }

    /// The exit code of an error of this category: the single mapping from what went wrong to the code.
    public init(_ category: ErrorCategory) {
        switch category {
        case .failure: self = .failure
        case .invalidInput: self = .invalidInput
        case .notFound: self = .notFound
        case .permission: self = .permission
        }
    }

    public var exitCode: ExitCode { ExitCode(rawValue) }

    /// The table as docs/commands.md shows it (pinned by a test), with the `plumb exec` pass-through row.
    public static func markdownTable() -> String {
        var s = "| code | meaning |\n|---|---|\n"
        for c in allCases { s += "| \(c.rawValue) | \(c.meaning) |\n" }
        s += "| other | `plumb exec`: the command's own exit code (127 not found, 126 not runnable, 128+N killed by signal N) |\n"
        return s
    }

    /// One line for `plumb --help`.
    public static var summary: String {
        "Exit codes: 0 ok, 1 failure, 3 doctor found errors / trace dropped, 4 not found, 5 trace undecided, "
            + "64 invalid input or usage, 77 not root / missing capabilities; plumb exec passes its command's code through."
    }
}

/// The exit codes by the names the commands use (kept for the code written against them).
public enum PlumbExit {
    public static let ok = ExitStatus.ok.exitCode
    public static let failure = ExitStatus.failure.exitCode
    /// `plumb doctor`: error-level findings exist.
    public static let findings = ExitStatus.findings.exitCode
    /// `plumb trace`: the packet would be dropped (the output names the hop and why).
    public static let traceDropped = ExitStatus.findings.exitCode
    /// `plumb trace`: the path could not be followed or decided (a rule that may match, a tunnel, ...).
    public static let traceUnknown = ExitStatus.undecided.exitCode
    public static let notFound = ExitStatus.notFound.exitCode
    /// Bad usage or invalid input (also the argument parser's own code).
    public static let usage = ExitStatus.invalidInput.exitCode
    public static let permission = ExitStatus.permission.exitCode
}

/// An error that already carries its message and exit code.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    var code: ExitCode

    init(description: String, code: ExitCode) {
        self.description = description
        self.code = code
    }

    init(_ description: String, _ status: ExitStatus) {
        self.init(description: description, code: status.exitCode)
    }

    /// Any error of a layer below as a one-line failure with its category's exit code (`.failure` when the
    /// error type has no category).
    init(_ error: any Error) {
        switch error {
        case let e as CommandFailure: self = e
        case let e as any CategorizedError: self.init("\(e)", ExitStatus(e.category))
        default: self.init("\(error)", .failure)
        }
    }
}
