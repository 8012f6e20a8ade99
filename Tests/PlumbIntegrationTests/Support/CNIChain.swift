import Foundation
import XCTest

/// Debian's CNI plugins (/usr/lib/cni) run by hand the way cnitool runs a network list: ADD through each
/// plugin in order, each given the previous result as `prevResult`; DEL in reverse. The plugins run in a
/// RuntimeHost's network namespace, so the bridge and the CNI-* chains land there.
struct CNIChain {
    let host: RuntimeHost
    let name: String
    /// The plugin configurations of the list, in order (JSON objects without name/cniVersion/prevResult).
    let plugins: [[String: Any]]
    static let directory = "/usr/lib/cni"

    /// Adds `netns` (an `ip netns` name) as container `id`; returns the final result.
    @discardableResult
    func add(id: String, netns: String, runtimeConfig: [String: Any] = [:]) throws -> [String: Any] {
        var previous: [String: Any]?
        for p in plugins {
            previous = try invoke("ADD", p, id: id, netns: netns, runtimeConfig: runtimeConfig, previous: previous)
        }
        results[id] = previous
        return previous ?? [:]
    }

    func delete(id: String, netns: String, runtimeConfig: [String: Any] = [:]) throws {
        for p in plugins.reversed() {
            _ = try invoke("DEL", p, id: id, netns: netns, runtimeConfig: runtimeConfig, previous: results[id])
        }
    }

    private final class Box: @unchecked Sendable { var results: [String: [String: Any]] = [:] }
    private let box = Box()
    private var results: [String: [String: Any]] {
        get { box.results }
        nonmutating set { box.results = newValue }
    }

    private func invoke(_ command: String, _ plugin: [String: Any], id: String, netns: String,
                        runtimeConfig: [String: Any], previous: [String: Any]?) throws -> [String: Any]? {
        var config = plugin
        config["name"] = name
        config["cniVersion"] = "1.0.0"
        if let previous { config["prevResult"] = previous }
        if !runtimeConfig.isEmpty { config["runtimeConfig"] = runtimeConfig }
        let stdin = String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self)
        let type = try XCTUnwrap(plugin["type"] as? String)
        let r = try Shell.result(host.inHost(["\(Self.directory)/\(type)"]),
                                 env: ["CNI_COMMAND": command, "CNI_CONTAINERID": id, "CNI_NETNS": "/run/netns/\(netns)",
                                       "CNI_IFNAME": "eth0", "CNI_PATH": Self.directory],
                                 stdin: stdin)
        guard r.status == 0 else {
            throw Shell.Failed(command: [type, command], status: r.status, stderr: r.stdout + r.stderr)
        }
        guard command == "ADD" else { return nil }
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    }
}
