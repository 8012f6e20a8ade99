import PlumbModel

/// What is known about one container, independent of how it was tied to a namespace.
struct ContainerIdentity {
    var runtime: Container.Runtime
    var id: String
    var name: String
    /// The name was made up from an id or path; a later finding of the same container with a real name wins.
    var nameIsGuess: Bool
    /// Aliases the same container can be found under again (its id, its pod's uid and name). Two findings
    /// sharing any key are one container, which is how a Docker config and a cgroup line become one entry.
    var keys: Set<String>

    /// `name` nil or empty falls back to `fallbackName`, or the short id, marked as a guess.
    init(_ runtime: Container.Runtime, id: String, name: String?, fallbackName: String? = nil,
         keys extra: [String] = []) {
        self.runtime = runtime
        self.id = id
        if let name, !name.isEmpty {
            self.name = name; nameIsGuess = false
        } else {
            self.name = fallbackName ?? Canonical.shortID(id); nameIsGuess = true
        }
        keys = Set(extra)
        if !id.isEmpty { keys.insert("id:" + id) }
    }

    /// A pod, not its containers: the pause container, the app containers and the CNI attachment of one pod
    /// all share its namespace and would otherwise list the same pod three times.
    static func pod(containerID: String?, sandboxID: String? = nil, namespace: String?, name: String?,
                    uid: String?) -> ContainerIdentity {
        var keys = [String]()
        if let uid, !uid.isEmpty { keys.append("pod-uid:" + uid) }
        var full: String?
        if let name, !name.isEmpty {
            // "namespace/name", as kubectl spells a pod; pod names repeat across namespaces.
            let qualified = [namespace ?? "", name].filter { !$0.isEmpty }.joined(separator: "/")
            keys.append("pod:" + qualified)
            full = qualified
        }
        if let sandboxID, !sandboxID.isEmpty { keys.append("id:" + sandboxID) }
        let id = containerID ?? sandboxID ?? uid ?? ""
        return ContainerIdentity(.kubernetes, id: id, name: full, fallbackName: uid.map { "pod-" + $0 }, keys: keys)
    }
}

/// One proof that a container uses a namespace.
struct ContainerFinding {
    var identity: ContainerIdentity
    /// The file path, or "cgroup:PID", that proved it, so a user can check.
    var source: String

    var container: Container {
        Container(runtime: identity.runtime, id: identity.id, name: identity.name, source: source)
    }
}

/// Findings for one namespace, merged by identity key in the order they were added, so the strongest proof
/// (added first) is the one reported.
struct ContainerFindings {
    private(set) var items: [ContainerFinding] = []

    var isEmpty: Bool { items.isEmpty }

    mutating func add(_ identity: ContainerIdentity, source: String) {
        guard let i = items.firstIndex(where: { !$0.identity.keys.isDisjoint(with: identity.keys) }) else {
            items.append(ContainerFinding(identity: identity, source: source))
            return
        }
        if items[i].identity.nameIsGuess && !identity.nameIsGuess {
            items[i].identity.name = identity.name
            items[i].identity.nameIsGuess = false
        }
        items[i].identity.keys.formUnion(identity.keys)
    }
}
