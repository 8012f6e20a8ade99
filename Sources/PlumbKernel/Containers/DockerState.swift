/// Docker's per-container state: /var/lib/docker/containers/<id>/config.v2.json, written by dockerd and
/// left in place while it is down. Rootless Docker keeps the same files under ~/.local/share/docker.
struct DockerState {
    static let directory = "/var/lib/docker/containers"

    struct Entry {
        var identity: ContainerIdentity
        /// The config file, reported as the source of a match.
        var path: String
    }

    private(set) var byID = [String: Entry]()
    /// NetworkSettings.SandboxKey, canonical: the bind mount that holds the container's namespace.
    private(set) var bySandboxKey = [String: [Entry]]()
    /// State.Pid of running containers. A container started with --network container:X has no SandboxKey,
    /// so its init pid is the only file evidence that it shares X's namespace.
    private(set) var byPid = [Int32: [Entry]]()

    init(fs: RootFS, directory: String = Self.directory) {
        for dir in fs.list(directory) {
            let path = "\(directory)/\(dir)/config.v2.json"
            guard let config = fs.object(path) else { continue }
            let id = (config["ID"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? dir
            var name = config["Name"] as? String ?? ""
            if name.hasPrefix("/") { name.removeFirst() }
            let entry = Entry(identity: ContainerIdentity(.docker, id: id, name: name), path: path)
            byID[id] = entry
            let settings = config["NetworkSettings"] as? [String: Any]
            if let key = settings?["SandboxKey"] as? String, !key.isEmpty {
                bySandboxKey[Canonical.path(key), default: []].append(entry)
            }
            // A stopped container keeps its last pid in some versions; only a running one can be inside.
            let state = config["State"] as? [String: Any]
            if state?["Running"] as? Bool == true, let pid = jsonInt(state?["Pid"]), pid > 0, pid <= Int(Int32.max) {
                byPid[Int32(pid), default: []].append(entry)
            }
        }
    }
}
