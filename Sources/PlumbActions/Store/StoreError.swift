import PlumbModel

/// Why the state store refused or failed: each message names the object (file, network, endpoint, address,
/// journal entry), what is wrong, and what to do about it.
public enum StoreError: Error, CustomStringConvertible, Equatable, Sendable {
    case cannotCreateDirectory(String, reason: String)
    case cannotOpen(String, reason: String)
    /// The state directory, the database or its WAL belongs to another user or others may write it.
    case untrusted(path: String, owner: UInt32, mode: UInt32, problem: String)
    /// Another connection held the lock longer than the busy timeout.
    case busy(path: String, operation: String)
    case sqlite(path: String, operation: String, code: Int32, message: String)
    /// The file was written by a newer plumb.
    case schemaTooNew(path: String, version: Int, supported: Int)
    /// A stored value that does not parse (edited by hand, or a bug).
    case corrupt(path: String, detail: String)

    case networkExists(String)
    case networkNotFound(String)
    case networkHasEndpoints(String, sandboxes: [String])
    case invalidNetwork(String, reason: String)
    case endpointExists(network: String, sandbox: String)
    case endpointNotFound(network: String, sandbox: String)

    /// `by` is the sandbox holding the address (nil: reserved without one).
    case addressTaken(String, network: String, by: String?)
    /// An explicit address that the network cannot give out.
    case addressNotAllowed(network: String, reason: String)
    /// An address that an endpoint still uses cannot be released.
    case addressInUse(String, network: String, sandbox: String)
    /// No free address left in `range` (the network's ip-range, or its subnet).
    case poolExhausted(String, range: String)

    case journalEntryNotFound(Int64)
    case journalTransition(id: Int64, from: JournalState, to: JournalState)

    case invalidPortMapping(String, reason: String)

    public var description: String {
        switch self {
        case .cannotCreateDirectory(let dir, let reason):
            return "cannot create state directory \(dir): \(reason) (run as root, or choose another with --state-dir)"
        case .cannotOpen(let path, let reason):
            return "cannot open state database \(path): \(reason) (check the file and its directory, or choose another with --state-dir)"
        case .untrusted(let path, let owner, let mode, let problem):
            let mode = String(mode & 0o7777, radix: 8)
            return "refusing the state store: \(path) \(problem) (owner uid \(owner), mode 0\(mode)); plumb runs the plans in its journal as root, so only root may write it: fix it (chown root \(path); chmod go-w \(path)) or choose another --state-dir"
        case .busy(let path, let operation):
            return "state database \(path) stayed locked for 5 s while \(operation): another plumb is changing it; retry when it is done (a hung one shows in `fuser \(path)`)"
        case .sqlite(let path, let operation, let code, let message):
            return "state database \(path) failed while \(operation): \(message) (SQLite error \(code))"
        case .schemaTooNew(let path, let version, let supported):
            return "state database \(path) has schema version \(version), but this plumb knows only up to \(supported): use a newer plumb"
        case .corrupt(let path, let detail):
            return "state database \(path) holds a bad value: \(detail) (fix or remove the record with sqlite3)"
        case .networkExists(let n):
            return "network '\(n)' already exists: pick another name or remove it first (`plumb net rm \(n)`)"
        case .networkNotFound(let n):
            return "no network named '\(n)' (see `plumb net ls`)"
        case .networkHasEndpoints(let n, let sandboxes):
            return "network '\(n)' still has \(counted(sandboxes.count, "endpoint")) (\(sandboxes.joined(separator: ", "))): disconnect them first"
        case .invalidNetwork(let n, let reason):
            return "network '\(n)' cannot be stored: \(reason)"
        case .endpointExists(let n, let s):
            return "sandbox \(s) is already connected to network '\(n)': disconnect it first"
        case .endpointNotFound(let n, let s):
            return "sandbox \(s) is not connected to network '\(n)' (see `plumb net inspect \(n)`)"
        case .addressTaken(let a, let n, let by):
            let owner = by.map { "sandbox \($0)" } ?? "a reservation without endpoint"
            return "address \(a) on network '\(n)' is already taken by \(owner): pick another, or leave the address out to get the next free one"
        case .addressNotAllowed(let n, let reason):
            return "network '\(n)': \(reason)"
        case .addressInUse(let a, let n, let s):
            return "address \(a) on network '\(n)' still belongs to the endpoint of sandbox \(s): disconnect it instead"
        case .poolExhausted(let n, let range):
            return "network '\(n)' has no free address left in \(range): disconnect unused endpoints, or create a network with a larger subnet or ip-range"
        case .journalEntryNotFound(let id):
            return "no journal entry \(id)"
        case .journalTransition(let id, let from, let to):
            return "journal entry \(id) is \(from.rawValue) and cannot become \(to.rawValue)"
        case .invalidPortMapping(let text, let reason):
            return "invalid port mapping '\(text)': \(reason); write [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|/udp], like 8080:80 or 127.0.0.1:8080:80/udp"
        }
    }
}

extension StoreError: CategorizedError {
    public var category: ErrorCategory {
        switch self {
        case .networkExists, .networkHasEndpoints, .invalidNetwork, .endpointExists, .addressTaken, .addressNotAllowed, .addressInUse,
             .invalidPortMapping:
            return .invalidInput
        case .networkNotFound, .endpointNotFound, .journalEntryNotFound:
            return .notFound
        case .untrusted:
            return .permission  // refused for safety: another user could have written what root would run
        case .cannotCreateDirectory, .cannotOpen, .busy, .sqlite, .schemaTooNew, .corrupt, .journalTransition,
             .poolExhausted:
            return .failure
        }
    }
}
