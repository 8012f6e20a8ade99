import PlumbModel

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
    /// The networks its containers are on (NetworkSettings.Networks: name -> NetworkID and the endpoint's
    /// address), by network id: the only place outside dockerd's database that names a network.
    private(set) var networks = [String: RuntimeNetwork]()

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
            for (name, value) in settings?["Networks"] as? [String: Any] ?? [:] {
                addNetwork(name: name, endpoint: value as? [String: Any] ?? [:], path: path)
            }
            // A stopped container keeps its last pid in some versions; only a running one can be inside.
            let state = config["State"] as? [String: Any]
            if state?["Running"] as? Bool == true, let pid = jsonInt(state?["Pid"]), pid > 0, pid <= Int(Int32.max) {
                byPid[Int32(pid), default: []].append(entry)
            }
        }
    }

    /// A network named in a container's config: its id, and the subnet its endpoint's address lies in (a
    /// stopped container's endpoint has no address; the id still names the network).
    private mutating func addNetwork(name: String, endpoint: [String: Any], path: String) {
        guard !name.isEmpty, let id = endpoint["NetworkID"] as? String, !id.isEmpty else { return }
        var network = networks[id] ?? RuntimeNetwork(runtime: .docker, name: name, id: id, source: path)
        if let address = endpoint["IPAddress"] as? String, !address.isEmpty, let length = jsonInt(endpoint["IPPrefixLen"]),
           let subnet = IPPrefix("\(address)/\(length)")?.canonical, !network.subnets.contains(subnet) {
            network.subnets.append(subnet)
            network.subnets.sort { $0.description < $1.description }
        }
        networks[id] = network
    }
}
