import PlumbModel

/// What discovery knows about one namespace, handed to the attributor.
public struct NamespaceEvidence: Sendable {
    /// nsfs inode.
    public var id: UInt64
    /// Bind-mount paths holding it, e.g. /run/docker/netns/1a2b3c4d5e6f, /run/netns/cni-<uuid>.
    public var paths: [String]
    /// Processes inside. Only the first few have their cgroup read, so callers should list the likeliest
    /// container inits first.
    public var processes: [(pid: Int32, comm: String)]
    /// IPs (no prefix) on its links, for matching CNI allocations.
    public var addresses: [String]
    /// What keeps it alive (for saying why nothing was found).
    public var heldBy: [Holder]
    /// Its owning user namespace, when not the host's: where a rootless runtime keeps its state.
    public var owner: NamespaceOwner?

    public init(id: UInt64, paths: [String] = [], processes: [(pid: Int32, comm: String)] = [],
                addresses: [String] = [], heldBy: [Holder] = [], owner: NamespaceOwner? = nil) {
        self.id = id; self.paths = paths; self.processes = processes; self.addresses = addresses
        self.heldBy = heldBy; self.owner = owner
    }
}

/// Names the container runtime that made each namespace, from the state runtimes leave on disk and from
/// /proc/PID/cgroup. No daemon is asked: a stopped or wedged dockerd must not hide its containers, and a
/// snapshot must not wait on a socket.
public struct ContainerAttributor: Sendable {
    /// Filesystem root every path is read under; tests point it at a fixture tree.
    public let root: String

    /// cgroup files read per namespace: one process usually suffices, a couple more catch namespaces whose
    /// first process is an `ip netns exec` shell; reading all of a 500-process pod would be waste.
    static let cgroupReadsPerNamespace = 3

    public init(root: String = "/") { self.root = root }

    /// Containers per namespace id. Namespaces nothing could be proven about are absent, so the caller falls
    /// back to naming them after their processes.
    public func attribute(_ namespaces: [NamespaceEvidence]) -> [UInt64: [Container]] {
        attributeAndExplain(namespaces, explain: false).containers
    }

    /// Why each namespace has no container, with the best evidence of its maker (see `Provenance`).
    public func explain(_ namespaces: [NamespaceEvidence]) -> [UInt64: Unattributed] {
        let processes = ProcessCache(fs: RootFS(root))
        var result = [UInt64: Unattributed]()
        for ns in namespaces where result[ns.id] == nil { result[ns.id] = Provenance.explain(ns, processes: processes) }
        return result
    }

    /// Both in one pass over the runtimes' files, sharing the processes read: `why` for every namespace
    /// nothing was found for, when `explain` is set.
    public func attributeAndExplain(_ namespaces: [NamespaceEvidence], explain: Bool = true)
        -> (containers: [UInt64: [Container]], why: [UInt64: Unattributed]) {
        let found = attribution(namespaces, explain: explain)
        return (found.containers, found.why)
    }

    /// What one pass over the runtimes' files tells: each namespace's containers, why the others have none
    /// (with `explain`), and the networks the runtimes defined (read from the same parsed state).
    public struct Attribution: Sendable {
        public var containers: [UInt64: [Container]] = [:]
        public var why: [UInt64: Unattributed] = [:]
        public var networks: [RuntimeNetwork] = []
    }

    public func attribution(_ namespaces: [NamespaceEvidence], explain: Bool = true) -> Attribution {
        let fs = RootFS(root)
        guard !namespaces.isEmpty else { return Attribution(networks: RuntimeNetworkConfigs.read(fs: fs)) }
        // Parsed once per call: a Docker host may hold hundreds of configs, and every namespace consults them.
        // Rootless state is looked for only under the homes of users owning some namespace.
        let state = RuntimeState(fs: fs, owned: namespaces.filter { $0.owner != nil })
        var result = [UInt64: [Container]]()
        for ns in namespaces {
            let found = state.containers(for: ns)
            guard !found.isEmpty else { continue }
            // The same namespace listed twice (two discovery routes) must not double its containers.
            var merged = result[ns.id] ?? []
            for c in found where !merged.contains(where: { $0.runtime == c.runtime && $0.id == c.id }) {
                merged.append(c)
            }
            result[ns.id] = merged
        }
        var why = [UInt64: Unattributed]()
        if explain {
            for ns in namespaces where result[ns.id] == nil && why[ns.id] == nil {
                why[ns.id] = Provenance.explain(ns, processes: state.processes)
            }
        }
        let docker = state.docker.networks.values.sorted { ($0.name, $0.id ?? "") < ($1.name, $1.id ?? "") }
        return Attribution(containers: result, why: why, networks: docker + RuntimeNetworkConfigs.read(fs: fs))
    }
}
