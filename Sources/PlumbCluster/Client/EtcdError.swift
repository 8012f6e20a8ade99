import PlumbModel

/// What went wrong talking to etcd, each case one line that names the endpoint and says what to do.
public enum EtcdError: Error, Sendable, CustomStringConvertible, Equatable {
    /// No member answered: connection refused, timed out, reset (etcd down or restarting).
    case unreachable(store: String, reason: String)
    /// etcd answered with an error (HTTP status, its gRPC code and message).
    case server(endpoint: String, status: Int, message: String)
    /// etcd's answer could not be read as the gateway's JSON.
    case badResponse(endpoint: String, reason: String)
    /// The TLS files could not be loaded.
    case tls(String)
    /// A watch ended: its stream closed or etcd cancelled it (compaction, restart).
    case watchEnded(endpoint: String, reason: String)

    public var description: String {
        switch self {
        case .unreachable(let store, let reason):
            return "cannot reach the etcd store \(store) (\(reason)): start etcd there, or check --store / PLUMB_STORE"
        case .server(let ep, let status, let message):
            return "etcd at \(ep) refused the request (HTTP \(status): \(message))"
        case .badResponse(let ep, let reason):
            return "etcd at \(ep) sent an answer Plumb cannot read (\(reason)): is it etcd v3.4 or later with its JSON gateway?"
        case .tls(let reason):
            return "cannot set up TLS for the etcd store: \(reason): check --store-ca, --store-cert and --store-key"
        case .watchEnded(let ep, let reason):
            return "the watch on etcd at \(ep) ended (\(reason)): watch again from the last revision seen"
        }
    }

    /// True when etcd could not be reached at all (so nothing was written): reads fall back to the local view.
    public var isUnreachable: Bool {
        if case .unreachable = self { return true }
        return false
    }
}


extension EtcdError: CategorizedError {
    /// The store failed or refused: exit 1, as a kernel or tool failure.
    public var category: ErrorCategory { .failure }
}

extension ClusterStore.LeaseError: CategorizedError {
    public var category: ErrorCategory {
        switch self {
        case .taken: return .invalidInput
        case .exhausted: return .failure
        }
    }
}
