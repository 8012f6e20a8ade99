import ArgumentParser
import Foundation
import PlumbActions

/// What the shell completions (`make install` installs them) offer for names: the `ip netns` namespaces and
/// Plumb's networks that exist now, and `host` where a target is asked for. Read at completion time; anything
/// unreadable offers nothing.
enum CompletionSources {
    static let namespaces = CompletionKind.custom { _, _, prefix in namespaceNames(prefix: prefix) }
    static let networks = CompletionKind.custom { _, _, prefix in networkNames(prefix: prefix) }
    /// A command's target (snapshot, fw, ss, capture, exec, trace, ...): `host` and the `ip netns` names.
    static let targets = CompletionKind.custom { _, _, prefix in targetNames(prefix: prefix) }

    static func targetNames(prefix: String, directory: String = "/run/netns") -> [String] {
        ("host".hasPrefix(prefix) ? ["host"] : []) + namespaceNames(prefix: prefix, directory: directory).filter { $0 != "host" }
    }

    static func namespaceNames(prefix: String, directory: String = "/run/netns") -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// The store is only opened when it exists: completing never creates a state directory.
    static func networkNames(prefix: String) -> [String] {
        let dir = ProcessInfo.processInfo.environment["PLUMB_STATE_DIR"] ?? "/var/lib/plumb"
        let path = "\(dir)/state.db"
        guard FileManager.default.fileExists(atPath: path), let store = try? StateStore(path: path),
              let nets = try? store.networks() else { return [] }
        return nets.map(\.name).filter { $0.hasPrefix(prefix) }.sorted()
    }
}
