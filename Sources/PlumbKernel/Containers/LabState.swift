import Foundation

/// The demo lab's record of its namespaces (`plumb lab up`): /run/plumb-lab-PREFIX/containers.json, written
/// when the lab is up and removed with its directory by `lab down`. /run is a tmpfs, so the record goes with
/// the namespaces at a reboot; no state directory is involved, so every `--state-dir` sees the same lab.
public struct LabRecord: Codable, Equatable, Sendable {
    /// One namespace the lab made: its `ip netns` bind mount and the nsfs inode it had, so a namespace made
    /// later under the same name (the lab gone without `lab down`) is not taken for the lab's.
    public struct Member: Codable, Equatable, Sendable {
        public var name: String
        public var path: String
        public var inode: UInt64?

        public init(name: String, path: String, inode: UInt64?) {
            self.name = name; self.path = path; self.inode = inode
        }
    }

    public var prefix: String
    public var namespaces: [Member]

    public init(prefix: String, namespaces: [Member]) {
        self.prefix = prefix; self.namespaces = namespaces
    }

    /// Every lab's directory starts so under /run; the lab's web root is the same directory.
    public static let directoryPrefix = "plumb-lab-"
    public static let fileName = "containers.json"

    public static func directory(prefix: String) -> String { "/run/\(directoryPrefix)\(prefix)" }
    public static func path(prefix: String) -> String { "\(directory(prefix: prefix))/\(fileName)" }
}

/// Every lab record under /run, indexed by bind path: the lab's namespaces are attributed to runtime `plumb`
/// like containers, named as the lab named them. Costs one directory listing of /run per read.
struct LabState {
    struct Entry {
        var identity: ContainerIdentity
        var inode: UInt64?
        /// The record file, reported as the source.
        var path: String
    }

    private(set) var byPath = [String: [Entry]]()

    init(fs: RootFS) {
        for dir in fs.list("/run") where dir.hasPrefix(LabRecord.directoryPrefix) {
            let file = "/run/\(dir)/\(LabRecord.fileName)"
            guard let bytes = fs.bytes(file, limit: 1 << 20), !bytes.isEmpty,
                  let record = try? JSONDecoder().decode(LabRecord.self, from: Data(bytes)),
                  "\(LabRecord.directoryPrefix)\(record.prefix)" == dir else { continue }
            for m in record.namespaces where !m.name.isEmpty {
                let identity = ContainerIdentity(.plumb, id: m.name, name: m.name, keys: ["lab:" + m.name])
                byPath[Canonical.path(m.path), default: []].append(Entry(identity: identity, inode: m.inode, path: file))
            }
        }
    }

    /// The lab entries naming this bind path, when the namespace there is still the one the lab made.
    func entries(path: String, inode: UInt64) -> [Entry] {
        (byPath[path] ?? []).filter { $0.inode == nil || $0.inode == inode }
    }
}
