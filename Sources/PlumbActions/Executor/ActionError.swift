/// Why a change failed: what, on which object, and what to do. Every case renders as one line.
public enum ActionError: Error, CustomStringConvertible, Equatable {
    case netlink(step: String, message: String)
    case namespaceMissing(String, String)
    case namespaceExists(String)
    case command(step: String, message: String)
    case invalid(String)
    case rolledBack(failure: String, undone: Int)
    /// Something still uses the object (a namespace with endpoints or processes): the text names the users.
    case inUse(String)

    public var description: String {
        switch self {
        case .netlink(let step, let m): return "`\(step)` failed: \(m)"
        case .namespaceMissing(let ns, let why): return "namespace \(ns) is not there (\(why))"
        case .namespaceExists(let n): return "namespace \(n) already exists: pick another name or `plumb ns rm \(n)`"
        case .command(let step, let m): return "`\(step)` failed: \(m)"
        case .invalid(let m): return m
        case .inUse(let m): return m
        case .rolledBack(let failure, let undone):
            return "\(failure); the \(undone) change(s) already made were rolled back, nothing was left behind"
        }
    }
}
