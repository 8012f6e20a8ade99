/// Resolves what a user typed to name a namespace: a namespace id (nsfs inode, optionally `net:[ID]`), an
/// `ip netns` name, a container name or id (prefix of 4+ characters), `pid:N`, or `host`.
public enum TargetSelector {
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case notFound(String)
        case ambiguous(String, [String])
        public var description: String {
            switch self {
            case .notFound(let t):
                return "no namespace matches '\(t)': use a namespace id, an ip-netns name, a container name or id, "
                    + "pid:N or host (see `plumb ns ls`)"
            case .ambiguous(let t, let c):
                return "'\(t)' matches several namespaces (\(c.joined(separator: ", "))): give more characters or the id"
            }
        }
    }

    public static func resolve(_ target: String, in snap: Snapshot) throws -> Namespace {
        let t = target.hasPrefix("net:[") && target.hasSuffix("]") ? String(target.dropFirst(5).dropLast()) : target
        if t == "host", let h = snap.host { return h }
        if t.hasPrefix("pid:"), let pid = Int32(t.dropFirst(4)) {
            if let p = snap.processes.first(where: { $0.pid == pid }), let id = p.namespace,
               let ns = snap.namespace(id: id) { return ns }
            throw Failure.notFound(target)
        }
        if let id = UInt64(t), let ns = snap.namespace(id: id) { return ns }
        let exact = snap.namespaces.filter { ns in
            ns.names.contains(t) || ns.containers.contains { $0.name == t || $0.id == t }
        }
        if exact.count == 1 { return exact[0] }
        if exact.count > 1 { throw Failure.ambiguous(target, exact.map { String($0.id) }) }
        if t.count >= 4 {
            let prefixed = snap.namespaces.filter { $0.containers.contains { $0.id.hasPrefix(t) } }
            if prefixed.count == 1 { return prefixed[0] }
            if prefixed.count > 1 { throw Failure.ambiguous(target, prefixed.map { String($0.id) }) }
        }
        throw Failure.notFound(target)
    }
}
