import Foundation

/// containers-storage, shared by Podman and CRI-O: <driver>-containers/containers.json in the graph root names
/// every container, and each running one has an OCI bundle in userdata/ (Podman keeps it in the graph root,
/// CRI-O in the run root) and its init's pid in the run root's userdata/pidfile. Root's storage is at the
/// paths below; a rootless user's under their home and runtime directory (`RootlessState`).
struct StorageState {
    static let graphRoot = "/var/lib/containers/storage"
    static let runRoot = "/run/containers/storage"

    private(set) var bundles = BundleIndex()
    /// Every container in containers.json, running or not, for naming an id seen in a cgroup.
    private(set) var byID = [String: ContainerIdentity]()

    init(fs: RootFS, graphRoot: String = Self.graphRoot, runRoots: [String] = [Self.runRoot]) {
        // One directory per storage driver that was used: overlay-containers, vfs-containers, btrfs-containers.
        for dir in fs.list(graphRoot) where dir.hasSuffix("-containers") {
            load(fs, list: "\(graphRoot)/\(dir)/containers.json", roots: [graphRoot] + runRoots, driverDir: dir)
        }
    }

    private mutating func load(_ fs: RootFS, list: String, roots: [String], driverDir: String) {
        guard let containers = fs.json(list) as? [Any] else { return }
        for case let c as [String: Any] in containers {
            guard let id = c["id"] as? String, !id.isEmpty, byID[id] == nil else { continue }
            let name = (c["names"] as? [Any])?.first as? String
            var identity = ContainerIdentity(.podman, id: id, name: name)
            for root in roots {
                let userdata = "\(root)/\(driverDir)/\(id)/userdata"
                if let bundle = OCIBundle(json: fs.json("\(userdata)/config.json")) {
                    // CRI-O's containers carry pod annotations; they are Kubernetes pods, not Podman containers.
                    if let pod = bundle.pod(containerID: id) { identity = pod }
                    bundles.add(bundle, identity: identity, path: "\(userdata)/config.json")
                }
                // conmon writes the container's init pid here: the one tie for a container whose namespace
                // runc made fresh (`--network none`, rootless), which no path names.
                if let text = fs.text("\(userdata)/pidfile"), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                   pid > 0 {
                    bundles.add(pid: pid, identity: identity, path: "\(userdata)/pidfile")
                }
            }
            byID[id] = identity
        }
    }
}
