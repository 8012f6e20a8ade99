import PlumbModel

/// Why a change failed: what, on which object, and what to do. Every case renders as one line, and every case
/// has a category (`ErrorCategory`), which the CLI maps to its exit code: pick the case by what the user
/// should learn from the exit code, not by where the error was noticed.
public enum ActionError: Error, CustomStringConvertible, Equatable {
    /// The kernel refused a netlink change (exit 1).
    case netlink(step: String, message: String)
    /// A namespace the change needs is not there (exit 4).
    case namespaceMissing(String, String)
    /// `ns add` of a name that is taken (exit 64: the input conflicts with what exists).
    case namespaceExists(String)
    /// A tool (iptables-restore, a CNI plugin, mount) failed (exit 1).
    case command(step: String, message: String)
    /// Bad input: malformed, out of range, or conflicting with what exists (exit 64). Nothing was changed.
    case invalid(String)
    /// The named network, endpoint or object does not exist (exit 4). Nothing was changed.
    case notFound(String)
    /// The operation is not allowed to this user (exit 77).
    case permission(String)
    /// Something plumb itself needs is missing or broken, not the user's input (exit 1).
    case unavailable(String)
    /// A step failed after others were applied; those were undone (exit 1).
    case rolledBack(failure: String, undone: Int)
    /// Something still uses the object (a namespace with endpoints or processes): the text names the users.
    case inUse(String)
    /// The change failed and was only partly undone: `leftBehind` says what is still in the kernel.
    case rollbackIncomplete(failure: String, undone: Int, leftBehind: [String])

    public var description: String {
        switch self {
        case .netlink(let step, let m): return "`\(step)` failed: \(m)"
        case .namespaceMissing(let ns, let why): return "namespace \(ns) is not there (\(why))"
        case .namespaceExists(let n): return "namespace \(n) already exists: pick another name or `plumb ns rm \(n)`"
        case .command(let step, let m): return "`\(step)` failed: \(m)"
        case .invalid(let m), .notFound(let m), .permission(let m), .unavailable(let m), .inUse(let m): return m
        case .rolledBack(let failure, let undone):
            return "\(failure); \(undone == 1 ? "the change" : "the \(undone) changes") already made \(undone == 1 ? "was" : "were") rolled back, nothing was left behind"
        case .rollbackIncomplete(let failure, let undone, let left):
            return "\(failure); \(counted(undone, "change")) \(undone == 1 ? "was" : "were") rolled back, but this was LEFT BEHIND: \(left.joined(separator: "; ")) "
                + "(`plumb gc` retries the undo; `plumb doctor` lists leftovers)"
        }
    }
}

extension ActionError: CategorizedError {
    public var category: ErrorCategory {
        switch self {
        case .invalid, .namespaceExists, .inUse: return .invalidInput
        case .notFound, .namespaceMissing: return .notFound
        case .permission: return .permission
        case .netlink, .command, .unavailable, .rolledBack, .rollbackIncomplete: return .failure
        }
    }
}
