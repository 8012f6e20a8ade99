import Glibc
import Foundation
import PlumbModel

extension SnapshotReader {
    /// One namespace to read without discovery: a file that holds it, and its ip-netns name if any.
    public struct NamespaceFile: Sendable {
        public var path: String
        public var name: String?
        public var isHost: Bool
        public init(path: String, name: String? = nil, isHost: Bool = false) {
            self.path = path; self.name = name; self.isHost = isHost
        }
    }

    /// Reads exactly these namespaces and nothing else: no /proc walk, no mount scan, no other namespace
    /// opened. For operations on a known set of namespaces (`plumb net` with ip-netns targets), where
    /// discovering hundreds of unrelated namespaces would cost more than the change. Files that cannot be
    /// opened are left out (the caller reports them as not found). No processes, containers or peers outside
    /// the set are known.
    public func read(files: [NamespaceFile]) -> Snapshot {
        let started = Date()
        var namespaces: [DiscoveredNamespace] = []
        var device: UInt64 = 0
        for f in files {
            var st = stat()
            guard stat(f.path, &st) == 0 else { continue }
            device = UInt64(st.st_dev)
            let id = UInt64(st.st_ino)
            if let i = namespaces.firstIndex(where: { $0.id == id }) {
                if let n = f.name, !namespaces[i].names.contains(n) { namespaces[i].names.append(n) }
                namespaces[i].isHost = namespaces[i].isHost || f.isHost
                continue
            }
            var ns = DiscoveredNamespace(id: id, isHost: f.isHost)
            if let n = f.name { ns.names = [n] }
            if !f.isHost { ns.paths = [f.path] }
            ns.handles = [f.path]
            namespaces.append(ns)
        }
        let found = DiscoveryResult(namespaces: namespaces, processes: [], stats: DiscoveryStats(), device: device)
        return read(found, started: started, only: nil)
    }
}
