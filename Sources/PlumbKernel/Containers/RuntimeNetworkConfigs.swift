import PlumbModel

/// The network configs Podman and CNI keep on disk: CNI's /etc/cni/net.d/*.conflist (and single-plugin *.conf),
/// whose `name` is the network and whose bridge plugin names the device; netavark's
/// /etc/containers/networks/*.json with `name`, `id`, `network_interface` and `subnets`.
enum RuntimeNetworkConfigs {
    static let cniDirectory = "/etc/cni/net.d"
    static let netavarkDirectory = "/etc/containers/networks"

    static func read(fs: RootFS) -> [RuntimeNetwork] {
        cni(fs: fs) + netavark(fs: fs)
    }

    static func cni(fs: RootFS, directory: String = cniDirectory) -> [RuntimeNetwork] {
        var out: [RuntimeNetwork] = []
        for file in fs.list(directory) where file.hasSuffix(".conflist") || file.hasSuffix(".conf") {
            let path = "\(directory)/\(file)"
            guard let config = fs.object(path), let name = config["name"] as? String, !name.isEmpty else { continue }
            // A .conf is one plugin at the top level; a .conflist lists them.
            let plugins = (config["plugins"] as? [Any])?.compactMap { $0 as? [String: Any] } ?? [config]
            guard let bridge = plugins.first(where: { $0["type"] as? String == "bridge" }) else { continue }
            let device = (bridge["bridge"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "cni0"
            let ipam = bridge["ipam"] as? [String: Any] ?? [:]
            // host-local: ranges is a list of range sets, each a list of {subnet, gateway}; older configs say subnet.
            var subnets = (ipam["ranges"] as? [Any] ?? []).flatMap { ($0 as? [Any]) ?? [] }
                .compactMap { (($0 as? [String: Any])?["subnet"] as? String) }
            if let s = ipam["subnet"] as? String { subnets.append(s) }
            out.append(RuntimeNetwork(runtime: isPodmans(device: device, plugin: bridge) ? .podman : .cni, name: name,
                                      bridge: device, subnets: canonical(subnets), source: path))
        }
        return out
    }

    /// Podman names its CNI bridges cni-podmanN and passes its labels and options in the plugin's args.
    static func isPodmans(device: String, plugin: [String: Any]) -> Bool {
        if device.hasPrefix("cni-podman") { return true }
        let args = plugin["args"] as? [String: Any] ?? [:]
        return args.keys.contains { $0.hasPrefix("podman_") }
    }

    static func netavark(fs: RootFS, directory: String = netavarkDirectory) -> [RuntimeNetwork] {
        var out: [RuntimeNetwork] = []
        for file in fs.list(directory) where file.hasSuffix(".json") {
            let path = "\(directory)/\(file)"
            guard let config = fs.object(path), let name = config["name"] as? String, !name.isEmpty,
                  (config["driver"] as? String ?? "bridge") == "bridge" else { continue }
            let subnets = (config["subnets"] as? [Any] ?? []).compactMap { (($0 as? [String: Any])?["subnet"] as? String) }
            out.append(RuntimeNetwork(runtime: .podman, name: name, id: config["id"] as? String,
                                      bridge: config["network_interface"] as? String, subnets: canonical(subnets),
                                      source: path))
        }
        return out
    }

    static func canonical(_ texts: [String]) -> [IPPrefix] {
        var out: [IPPrefix] = []
        for t in texts { if let p = IPPrefix(t)?.canonical, !out.contains(p) { out.append(p) } }
        return out
    }
}
