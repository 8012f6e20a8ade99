import PlumbModel

/// The state database keeps a network's settings as a JSON object of strings (the `options` column, written
/// by every Plumb so far), and `--json` prints that object. Typed settings are converted here, at that
/// boundary, so old databases load unchanged and new ones stay readable by older Plumbs.
extension DriverConfig {
    /// A stored value that does not make a valid setting (the database was edited by hand).
    struct StoredOptionsError: Error, CustomStringConvertible {
        var description: String
    }

    /// The keys and values older Plumbs wrote: bridge; parent, mode; vni, remote, local, dstport, parent;
    /// cniConfig, cniPlugins (one path per line), cniPath. A setting that was not given has no key.
    var storedOptions: [String: String] {
        var o: [String: String] = [:]
        switch self {
        case .bridge(let c):
            o["bridge"] = c.bridge
            o["subnet6"] = c.subnet6
            o["gateway6"] = c.gateway6
            if c.nat66 { o["nat66"] = "true" }
        case .macvlan(let c):
            o["parent"] = c.parent
            o["mode"] = c.mode?.rawValue
        case .vxlan(let c):
            o["bridge"] = c.bridge
            o["vni"] = String(c.vni)
            o["remote"] = c.remote?.description
            o["local"] = c.local?.description
            o["dstport"] = c.port.map { String($0) }
            o["parent"] = c.parent
        case .cni(let c):
            o["cniConfig"] = c.conflist
            o["cniPlugins"] = c.plugins.joined(separator: "\n")
            o["cniPath"] = c.cniPath
        }
        return o
    }

    /// Reads the stored form back. Keys a driver does not use are ignored (older Plumbs stored every option
    /// given, whatever the driver).
    init(driver name: String, storedOptions o: [String: String]) throws {
        guard let driver = NetworkDriver(rawValue: name) else {
            throw StoredOptionsError(description: "unknown driver '\(name)'")
        }
        switch driver {
        case .bridge:
            self = .bridge(BridgeConfig(bridge: o["bridge"], subnet6: o["subnet6"], gateway6: o["gateway6"], nat66: o["nat66"] == "true"))
        case .macvlan:
            guard let parent = o["parent"] else { throw StoredOptionsError(description: "a macvlan network without a parent") }
            var mode: MacvlanMode?
            if let m = o["mode"] {
                guard let known = MacvlanMode(rawValue: m) else { throw StoredOptionsError(description: "macvlan mode '\(m)'") }
                mode = known
            }
            self = .macvlan(MacvlanConfig(parent: parent, mode: mode))
        case .vxlan:
            guard let vni = o["vni"].flatMap({ UInt32($0) }) else { throw StoredOptionsError(description: "vxlan vni '\(o["vni"] ?? "")'") }
            // No remote: a cluster overlay (its forwarding comes from `plumb agent`).
            var remote: IPAddress?
            if let r = o["remote"] {
                guard let a = IPAddress(r) else { throw StoredOptionsError(description: "vxlan remote '\(r)'") }
                remote = a
            }
            var port: UInt16?
            if let p = o["dstport"] {
                guard let n = UInt16(p) else { throw StoredOptionsError(description: "vxlan dstport '\(p)'") }
                port = n
            }
            var local: IPAddress?
            if let l = o["local"] {
                guard let a = IPAddress(l) else { throw StoredOptionsError(description: "vxlan local '\(l)'") }
                local = a
            }
            self = .vxlan(VxlanConfig(vni: vni, port: port, remote: remote, local: local, parent: o["parent"],
                                      bridge: o["bridge"]))
        case .cni:
            // A missing conflist is reported when an endpoint needs it ("recreate it with --cni-config").
            self = .cni(CNIChainConfig(conflist: o["cniConfig"] ?? "",
                                       plugins: (o["cniPlugins"] ?? "").split(separator: "\n").map(String.init),
                                       cniPath: o["cniPath"] ?? CNIChainConfig.defaultPath))
        }
    }
}
