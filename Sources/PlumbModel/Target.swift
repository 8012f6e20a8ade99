/// What a user types to name a network namespace, parsed once: `host`, a namespace id (the nsfs inode, also as
/// `net:[ID]`), `pid:N`, or a name (an `ip netns` name, a container name, or a container id or its prefix of 4+
/// characters). Every command (`ns`, `snapshot`, `firewall`, `exec`, `capture`, `net connect`, `doctor`, `trace`)
/// and the TUI's `:ns` parse with `Target(parsing:)` and resolve with `resolve(in:)`, so they accept the same
/// forms and fail with the same message.
public enum Target: Sendable, Hashable, CustomStringConvertible {
    case host
    case id(UInt64)
    case pid(Int32)
    /// An ip-netns name, a container name or a container id (prefix); which one is decided against a snapshot.
    case name(String)

    public init(parsing text: String) {
        let bracketed = text.hasPrefix("net:[") && text.hasSuffix("]") && text.count > 6
        let t = bracketed ? String(text.dropFirst(5).dropLast()) : text
        if t == "host" { self = .host; return }
        if t.hasPrefix("pid:"), let pid = Int32(t.dropFirst(4)) { self = .pid(pid); return }
        if let id = UInt64(t) { self = .id(id); return }
        self = .name(t)
    }

    public var description: String {
        switch self {
        case .host: return "host"
        case .id(let id): return String(id)
        case .pid(let pid): return "pid:\(pid)"
        case .name(let n): return n
        }
    }

    /// The same message from every command and the TUI.
    public enum Failure: Error, CustomStringConvertible, Equatable, Sendable {
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

    /// Parses and resolves what the user typed; failures quote the text as typed.
    public static func resolve(_ text: String, in snap: Snapshot) throws(Failure) -> Namespace {
        try Target(parsing: text).resolve(in: snap, typed: text)
    }

    /// The namespace this target names in `snap`. A number that is no namespace's id is tried as a name (an
    /// `ip netns` may be called `5`); a name is an ip-netns name or container name first, a container id prefix
    /// (4+ characters) after.
    public func resolve(in snap: Snapshot, typed: String? = nil) throws(Failure) -> Namespace {
        let text = typed ?? description
        switch self {
        case .host:
            if let h = snap.host { return h }
            return try Target.name("host").resolve(in: snap, typed: text)
        case .pid(let pid):
            if let p = snap.processes.first(where: { $0.pid == pid }), let id = p.namespace,
               let ns = snap.namespace(id: id) { return ns }
            throw .notFound(text)
        case .id(let id):
            if let ns = snap.namespace(id: id) { return ns }
            return try Target.name(String(id)).resolve(in: snap, typed: text)
        case .name(let t):
            let exact = snap.namespaces.filter { ns in
                ns.names.contains(t) || ns.containers.contains { $0.name == t || $0.id == t }
            }
            if exact.count == 1 { return exact[0] }
            if exact.count > 1 { throw .ambiguous(text, exact.map { String($0.id) }) }
            if t.count >= 4 {
                let prefixed = snap.namespaces.filter { $0.containers.contains { $0.id.hasPrefix(t) } }
                if prefixed.count == 1 { return prefixed[0] }
                if prefixed.count > 1 { throw .ambiguous(text, prefixed.map { String($0.id) }) }
            }
            throw .notFound(text)
        }
    }

    /// The namespace this target names among namespaces known from discovery alone (no container attribution):
    /// `host`, an id, `pid:N` (a member process), or a name that exactly one namespace has as its ip-netns name.
    /// nil when discovery cannot tell (a container name): the caller then reads everything and uses `resolve`.
    public func match<N: DiscoveredNamespaceFacts>(in candidates: [N]) -> N? {
        switch self {
        case .host: return candidates.first(where: \.isHost)
        case .id(let id): return candidates.first { $0.id == id }
        case .pid(let pid): return candidates.first { $0.pids.contains(pid) }
        case .name(let n):
            let named = candidates.filter { $0.names.contains(n) }
            return named.count == 1 ? named[0] : nil
        }
    }
}

/// The facts discovery knows of a namespace before anything is read from inside it: what `Target.match` needs.
public protocol DiscoveredNamespaceFacts {
    var id: UInt64 { get }
    var isHost: Bool { get }
    var names: [String] { get }
    var pids: [Int32] { get }
}

extension Namespace: DiscoveredNamespaceFacts {}

/// `NS@IP`: a target with an address picked inside it (`plumb trace`). The address is split at the last `@`
/// and left as text: the caller checks it.
public struct AddressedTarget: Sendable, Hashable {
    public var target: Target
    public var address: String?
    /// The namespace part as typed, for messages.
    public var targetText: String

    public init(parsing text: String) {
        if let at = text.lastIndex(of: "@") {
            targetText = String(text[..<at])
            address = String(text[text.index(after: at)...])
        } else {
            targetText = text
            address = nil
        }
        target = Target(parsing: targetText)
    }
}
