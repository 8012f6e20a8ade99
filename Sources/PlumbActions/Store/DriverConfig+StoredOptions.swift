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
            o["subnet6"] = c.subnet6?.description
            o["gateway6"] = c.gateway6?.description
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
        /// The setting stored under `key`, parsed; nil when not given; an error naming it when it does not parse.
        func parsed<T>(_ key: String, _ parse: (String) -> T?) throws -> T? {
            guard let text = o[key] else { return nil }
            guard let value = parse(text) else { throw StoredOptionsError(description: "\(name) \(key) '\(text)'") }
            return value
        }
        switch driver {
        case .bridge:
            // The IPv6 half of a dual-stack network: parsed here, once, as the network's own columns are.
            self = .bridge(BridgeConfig(bridge: o["bridge"], subnet6: try parsed("subnet6") { IPPrefix($0) },
                                        gateway6: try parsed("gateway6") { IPAddress($0) }, nat66: o["nat66"] == "true"))
        case .macvlan:
            guard let parent = o["parent"] else { throw StoredOptionsError(description: "a macvlan network without a parent") }
            self = .macvlan(MacvlanConfig(parent: parent, mode: try parsed("mode") { MacvlanMode(rawValue: $0) }))
        case .vxlan:
            guard let vni = o["vni"].flatMap({ UInt32($0) }) else { throw StoredOptionsError(description: "vxlan vni '\(o["vni"] ?? "")'") }
            // No remote: a cluster overlay (its forwarding comes from `plumb agent`).
            self = .vxlan(VxlanConfig(vni: vni, port: try parsed("dstport") { UInt16($0) }, remote: try parsed("remote") { IPAddress($0) },
                                      local: try parsed("local") { IPAddress($0) }, parent: o["parent"],
                                      bridge: o["bridge"]))
        case .cni:
            // A missing conflist is reported when an endpoint needs it ("recreate it with --cni-config").
            self = .cni(CNIChainConfig(conflist: o["cniConfig"] ?? "",
                                       plugins: (o["cniPlugins"] ?? "").split(separator: "\n").map(String.init),
                                       cniPath: o["cniPath"] ?? CNIChainConfig.defaultPath))
        }
    }
}
