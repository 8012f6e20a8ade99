/// containers-storage, shared by Podman and CRI-O: containers.json in the graph root names every container,
/// and each running one has an OCI bundle in userdata/ (Podman keeps it in the graph root, CRI-O in the run
/// root). Rootless storage under users' homes is not read.
struct StorageState {
    static let graphRoot = "/var/lib/containers/storage"
    static let runRoot = "/run/containers/storage"

    private(set) var bundles = BundleIndex()
    /// Every container in containers.json, running or not, for naming an id seen in a cgroup.
    private(set) var byID = [String: ContainerIdentity]()

    init(fs: RootFS) {
        let list = "\(Self.graphRoot)/overlay-containers/containers.json"
        guard let containers = fs.json(list) as? [Any] else { return }
        for case let c as [String: Any] in containers {
            guard let id = c["id"] as? String, !id.isEmpty else { continue }
            let name = (c["names"] as? [Any])?.first as? String
            var identity = ContainerIdentity(.podman, id: id, name: name)
            for root in [Self.graphRoot, Self.runRoot] {
                let path = "\(root)/overlay-containers/\(id)/userdata/config.json"
                guard let bundle = OCIBundle(json: fs.json(path)) else { continue }
                // CRI-O's containers carry pod annotations; they are Kubernetes pods, not Podman containers.
                if let pod = bundle.pod(containerID: id) { identity = pod }
                bundles.add(bundle, identity: identity, path: path)
            }
            byID[id] = identity
        }
    }
}
