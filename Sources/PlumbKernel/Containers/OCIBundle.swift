/// The parts of an OCI runtime bundle's config.json that tie a container to a namespace and a pod.
/// containerd (task bundles under /run/containerd) and containers-storage (Podman, CRI-O userdata) both
/// leave one per running container.
struct OCIBundle {
    /// linux.namespaces[type=network].path, canonical. Absent when the runtime let runc create a fresh,
    /// unnamed namespace.
    var netnsPath: String?
    /// The pid when the path is /proc/PID/ns/net: a container joining a pod's or another container's namespace.
    var netnsPid: Int32?
    var annotations: [String: String]

    init?(json: Any?) {
        guard let config = json as? [String: Any] else { return nil }
        annotations = jsonStrings(config["annotations"])
        let linux = config["linux"] as? [String: Any]
        let namespaces = linux?["namespaces"] as? [Any] ?? []
        for case let ns as [String: Any] in namespaces where ns["type"] as? String == "network" {
            guard let path = ns["path"] as? String, !path.isEmpty else { continue }
            if let pid = Canonical.procNetnsPid(path) { netnsPid = pid } else { netnsPath = Canonical.path(path) }
        }
    }

    /// The pod this container belongs to, when a CRI runtime annotated it. containerd and CRI-O use
    /// different annotation keys for the same facts.
    func pod(containerID: String) -> ContainerIdentity? {
        let a = annotations
        guard let name = a["io.kubernetes.cri.sandbox-name"] ?? a["io.kubernetes.pod.name"] else { return nil }
        return ContainerIdentity.pod(containerID: containerID,
                            sandboxID: a["io.kubernetes.cri.sandbox-id"] ?? a["io.kubernetes.cri-o.SandboxID"],
                            namespace: a["io.kubernetes.cri.sandbox-namespace"] ?? a["io.kubernetes.pod.namespace"],
                            name: name,
                            uid: a["io.kubernetes.cri.sandbox-uid"] ?? a["io.kubernetes.pod.uid"])
    }
}

/// Bundles indexed the ways a namespace can be matched to them.
struct BundleIndex {
    struct Entry {
        var identity: ContainerIdentity
        var path: String
    }

    private(set) var byID = [String: Entry]()
    private(set) var byNetns = [String: [Entry]]()
    private(set) var byPid = [Int32: [Entry]]()

    mutating func add(_ bundle: OCIBundle, identity: ContainerIdentity, path: String) {
        let entry = Entry(identity: identity, path: path)
        // A file already indexed under this id (graphroot before runroot) keeps precedence.
        if byID[identity.id] == nil { byID[identity.id] = entry }
        if let p = bundle.netnsPath { byNetns[p, default: []].append(entry) }
        if let pid = bundle.netnsPid { byPid[pid, default: []].append(entry) }
    }

    /// A container's own init pid (a pidfile), which is inside its namespace.
    mutating func add(pid: Int32, identity: ContainerIdentity, path: String) {
        if byID[identity.id] == nil { byID[identity.id] = Entry(identity: identity, path: path) }
        byPid[pid, default: []].append(Entry(identity: identity, path: path))
    }
}
