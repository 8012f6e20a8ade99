/// What kind of failure an error is, independent of how it is reported. Every error type that can reach the
/// command line says which kind it is; the CLI turns the kind into the documented exit code in one place
/// (`ExitStatus` in PlumbCLI), so "you typed it wrong" (64), "it does not exist" (4), "you may not" (77) and
/// "the kernel or a tool said no" (1) never depend on which layer noticed.
public enum ErrorCategory: Sendable, Equatable, CaseIterable {
    /// The system refused or failed: a kernel error, a tool that failed, a store that cannot be written.
    case failure
    /// What the user gave is malformed, out of range, or conflicts with what exists (a taken name, address,
    /// port, an overlapping subnet). Checked before anything changes.
    case invalidInput
    /// The named object (namespace, network, endpoint, interface, finding) does not exist.
    case notFound
    /// Not root, or a missing capability.
    case permission
}

/// An error that knows its `ErrorCategory`. Errors that do not conform are reported as `.failure`.
public protocol CategorizedError: Error {
    var category: ErrorCategory { get }
}

extension AddressError: CategorizedError {
    /// Addresses and subnets come from the user: every refusal is invalid input.
    public var category: ErrorCategory { .invalidInput }
}

extension Target.Failure: CategorizedError {
    public var category: ErrorCategory {
        switch self {
        case .notFound: return .notFound
        case .ambiguous: return .invalidInput
        }
    }
}
