import Foundation
import PlumbKernel
import PlumbModel

/// Runs a CNI plugin chain the way the CNI spec (https://www.cni.dev/docs/spec/) asks a runtime to: each plugin
/// binary is spawned with argv only, its parameters in CNI_* variables and its configuration on stdin (the
/// conflist entry plus `name`, `cniVersion`, `prevResult`, and the `runtimeConfig` keys it declares in
/// `capabilities`). Runs in the calling thread's network namespace (the runtime's "host").
struct CNIRunner: Sendable {
    var plugins: [String]
    var conflist: String
    var runtimeConfig: String?
    var containerID: String
    var netns: String
    var ifname: String
    var cniPath: String

    /// ADD through the chain, each plugin getting the previous result; returns the last result (JSON text).
    /// When plugin k fails, DEL runs for plugins k...0 (the spec's cleanup) before the error is thrown.
    func add() throws -> String {
        let list = try CNIConfig.parse(conflist)
        var prev: Any?
        for (i, path) in plugins.enumerated() {
            do {
                let out = try invoke(path, "ADD", entry: list.plugins[i], list: list, prevResult: prev)
                prev = try JSONSerialization.jsonObject(with: out)
            } catch {
                let undo = prev.flatMap { try? JSONSerialization.data(withJSONObject: $0) }.map { String(decoding: $0, as: UTF8.self) }
                try? CNIRunner(plugins: Array(plugins[...i]), conflist: conflist, runtimeConfig: runtimeConfig,
                               containerID: containerID, netns: netns, ifname: ifname, cniPath: cniPath).del(prevResult: undo)
                throw error
            }
        }
        guard let prev else { return "{}" }
        return String(decoding: try JSONSerialization.data(withJSONObject: prev, options: [.sortedKeys]), as: UTF8.self)
    }

    /// DEL in reverse order, every plugin getting the ADD result as prevResult (when known). Keeps going past a
    /// failing plugin so the others still release what they hold; throws the first failure.
    func del(prevResult: String?) throws {
        let list = try CNIConfig.parse(conflist)
        let prev = try prevResult.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) }
        var firstError: (any Error)?
        for (i, path) in plugins.enumerated().reversed() {
            do { _ = try invoke(path, "DEL", entry: list.plugins[i], list: list, prevResult: prev) } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
    }

    /// CHECK in order with the ADD result (CNI 0.4.0 and later). Returns one line per failing plugin.
    func check(prevResult: String) throws -> [String] {
        let list = try CNIConfig.parse(conflist)
        let prev = try JSONSerialization.jsonObject(with: Data(prevResult.utf8))
        var failures: [String] = []
        for (i, path) in plugins.enumerated() {
            do { _ = try invoke(path, "CHECK", entry: list.plugins[i], list: list, prevResult: prev) } catch {
                failures.append("\(error)")
            }
        }
        return failures
    }

    private func invoke(_ path: String, _ command: String, entry: [String: Any], list: CNIConfig,
                        prevResult: Any?) throws -> Data {
        var conf = entry
        conf["name"] = list.name
        conf["cniVersion"] = list.cniVersion
        if let prevResult { conf["prevResult"] = prevResult }
        // runtimeConfig carries only the capabilities this plugin declares (e.g. portmap's portMappings).
        if let rcText = runtimeConfig,
           let rc = try? JSONSerialization.jsonObject(with: Data(rcText.utf8)) as? [String: Any],
           let caps = entry["capabilities"] as? [String: Any] {
            let wanted = rc.filter { (caps[$0.key] as? Bool) == true }
            if !wanted.isEmpty { conf["runtimeConfig"] = wanted }
        }
        let stdin = try JSONSerialization.data(withJSONObject: conf, options: [.sortedKeys])
        let env = ["CNI_COMMAND=\(command)", "CNI_CONTAINERID=\(containerID)", "CNI_NETNS=\(netns)",
                   "CNI_IFNAME=\(ifname)", "CNI_PATH=\(cniPath)"]
        let type = entry["type"] as? String ?? path
        let out = try CommandRunner.run(path, [], stdin: Array(stdin), environment: env)
        if out.status != 0 {
            throw ActionError.command(step: "CNI \(command) \(type) (container \(containerID), \(netns))",
                                      message: CNIError.describe(stdout: out.stdout, stderr: out.stderrText, status: out.status))
        }
        if command == "ADD" {
            guard (try? JSONSerialization.jsonObject(with: Data(out.stdout))) is [String: Any] else {
                throw ActionError.command(step: "CNI ADD \(type)", message: "the plugin printed no JSON result")
            }
        }
        return Data(out.stdout)
    }
}

/// The CNI error object {cniVersion, code, msg, details} as one line.
enum CNIError {
    static func describe(stdout: [UInt8], stderr: String, status: Int32) -> String {
        if let obj = try? JSONSerialization.jsonObject(with: Data(stdout)) as? [String: Any], let msg = obj["msg"] as? String {
            var s = msg
            if let d = obj["details"] as? String, !d.isEmpty { s += " (\(d))" }
            if let c = obj["code"] as? Int { s += " [CNI error code \(c)]" }
            return s
        }
        let text = String(decoding: stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let why = [text, stderr].filter { !$0.isEmpty }.joined(separator: "; ")
        return (why.isEmpty ? "exit \(status)" : why).replacingOccurrences(of: "\n", with: " ")
    }
}

/// A CNI network configuration list (a single plugin config is read as a list of one), validated the way
/// `plumb net create --driver cni` needs it: JSON, a cniVersion, a name, and every plugin (and IPAM plugin)
/// binary present in CNI_PATH.
public struct CNIConfig {
    public var name: String
    public var cniVersion: String
    public var plugins: [[String: Any]]

    public var types: [String] { plugins.map { $0["type"] as? String ?? "" } }

    public static func parse(_ text: String) throws -> CNIConfig {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw ActionError.invalid("the CNI config is not a JSON object")
        }
        guard let version = obj["cniVersion"] as? String, !version.isEmpty else {
            throw ActionError.invalid("the CNI config has no cniVersion: add e.g. \"cniVersion\": \"1.0.0\"")
        }
        let name = obj["name"] as? String ?? ""
        let plugins: [[String: Any]]
        if let list = obj["plugins"] {
            guard let l = list as? [[String: Any]], !l.isEmpty else {
                throw ActionError.invalid("the CNI conflist's \"plugins\" must be a non-empty array of objects")
            }
            plugins = l
        } else {
            var single = obj
            single["cniVersion"] = nil; single["name"] = nil
            plugins = [single]
        }
        for (i, p) in plugins.enumerated() where (p["type"] as? String ?? "").isEmpty {
            throw ActionError.invalid("plugin \(i + 1) of the CNI config has no \"type\"")
        }
        return CNIConfig(name: name, cniVersion: version, plugins: plugins)
    }

    /// The conflist as JSON text (what is stored and handed to the runner).
    public func json() throws -> String {
        let obj: [String: Any] = ["name": name, "cniVersion": cniVersion, "plugins": plugins]
        return String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self)
    }

    /// The plugin directories: $CNI_PATH's entries, then /usr/lib/cni.
    public static func searchPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var dirs = (environment["CNI_PATH"] ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
        if !dirs.contains("/usr/lib/cni") { dirs.append("/usr/lib/cni") }
        return dirs
    }

    /// Absolute paths of the chain's plugin binaries; throws naming the first one missing (IPAM plugins too).
    public func resolve(in dirs: [String]) throws -> [String] {
        func find(_ type: String) throws -> String {
            guard !type.contains("/"), let dir = dirs.first(where: { access("\($0)/\(type)", X_OK) == 0 }) else {
                throw ActionError.unavailable("CNI plugin '\(type)' not found in CNI_PATH (\(dirs.joined(separator: ":"))): install it (Debian's containernetworking-plugins has bridge, host-local, portmap, firewall, ...) or add its directory to CNI_PATH")
            }
            return "\(dir)/\(type)"
        }
        for p in plugins { if let ipam = (p["ipam"] as? [String: Any])?["type"] as? String { _ = try find(ipam) } }
        return try types.map(find)
    }

    /// CHECK exists from CNI 0.4.0 on.
    public var supportsCheck: Bool {
        let parts = cniVersion.split(separator: ".").compactMap { Int($0) }
        return (parts.first ?? 0, parts.dropFirst().first ?? 0) >= (0, 4)
    }

    /// The IPAM subnet and gateway of the first plugin that has host-local-style IPAM (`subnet` or `ranges`).
    public var ipamSubnet: (subnet: String, gateway: String?)? {
        for p in plugins {
            guard let ipam = p["ipam"] as? [String: Any] else { continue }
            if let s = ipam["subnet"] as? String { return (s, ipam["gateway"] as? String) }
            if let r = (ipam["ranges"] as? [[[String: Any]]])?.first?.first, let s = r["subnet"] as? String {
                return (s, r["gateway"] as? String)
            }
        }
        return nil
    }

    /// The bridge devices the chain's `bridge` plugins make (default cni0).
    public var bridges: [String] {
        plugins.filter { $0["type"] as? String == "bridge" }.map { $0["bridge"] as? String ?? "cni0" }
    }
}

/// The parts of a CNI result Plumb records: the sandbox's addresses and the host-side interfaces. The
/// addresses are parsed here, where the plugin's JSON comes in; one that does not parse is not recorded.
struct CNIResult {
    var addresses: [IPPrefix] = []
    var sandboxInterfaces: [String] = []
    var hostInterfaces: [String] = []

    init(_ text: String) {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return }
        for i in obj["interfaces"] as? [[String: Any]] ?? [] {
            guard let n = i["name"] as? String else { continue }
            if let sb = i["sandbox"] as? String, !sb.isEmpty { sandboxInterfaces.append(n) } else { hostInterfaces.append(n) }
        }
        addresses = (obj["ips"] as? [[String: Any]] ?? []).compactMap { ($0["address"] as? String).flatMap { IPPrefix(addressOrPrefix: $0) } }
    }
}
