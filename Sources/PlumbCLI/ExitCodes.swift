import ArgumentParser

/// Plumb's exit codes (documented in the README). Scripts can tell "you typed it wrong" from "you are not root"
/// from "the kernel said no".
public enum PlumbExit {
    /// Success.
    public static let ok = ExitCode(0)
    /// The operation failed (kernel error, a tool failed); the message says what and where.
    public static let failure = ExitCode(1)
    /// `plumb doctor`: error-level findings exist.
    public static let findings = ExitCode(3)
    /// `plumb trace`: the packet would be dropped (the output names the hop and why).
    public static let traceDropped = ExitCode(3)
    /// `plumb trace`: the path could not be followed or decided (a rule that may match, a tunnel, ...).
    public static let traceUnknown = ExitCode(5)
    /// The named target (namespace, container, link) does not exist.
    public static let notFound = ExitCode(4)
    /// Bad usage or invalid input (argument parser's own code).
    public static let usage = ExitCode.validationFailure  // 64
    /// Not root, or missing CAP_NET_ADMIN / CAP_SYS_ADMIN.
    public static let permission = ExitCode(77)
}

/// An error that already carries its message and exit code.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    var code: ExitCode
}
