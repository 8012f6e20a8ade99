import Glibc
import PlumbCapture
import PlumbKernel
import PlumbModel

/// Turns `plumb capture` targets (the same selectors as `plumb ns`/`net connect`: namespace name, pid:N,
/// container name/id, namespace id, host) and `-i` options into capture sources.
enum CaptureTargets {
    /// `-i` pairs with targets in order; a single `-i` (or none: `any`) applies to every target.
    static func interfaces(_ given: [String], targets: Int) throws -> [String] {
        if given.isEmpty { return Array(repeating: "any", count: targets) }
        if given.count == 1 { return Array(repeating: given[0], count: targets) }
        guard given.count == targets else {
            throw CommandFailure(description: "\(given.count) -i options for \(counted(targets, "target")): give one -i for all, or one per target in order",
                                 code: PlumbExit.usage)
        }
        return given
    }

    static func resolve(_ targets: [String], interfaces: [String]) throws -> [CaptureSource] {
        var options = SnapshotOptions()
        options.firewall = false
        options.processDetails = false
        options.linksOnly = true
        let reader = SnapshotReader(options: options)
        // One target: read only its namespace when discovery can tell which one it is.
        let snap = targets.count == 1 ? reader.read(target: targets[0]) : reader.read()
        var sources: [CaptureSource] = []
        for (target, iface) in zip(targets, interfaces) {
            let ns = try resolveTarget(target, in: snap)
            if iface != "any" && ns.link(named: iface) == nil {
                let have = ns.links.map(\.name).joined(separator: ", ")
                throw CommandFailure(description: "no interface \(iface) in namespace \(ns.displayName) (it has: \(have.isEmpty ? "none" : have)); use -i with one of them or any",
                                     code: PlumbExit.notFound)
            }
            let label = "\(ns.displayName)/\(iface)"
            sources.append(try source(for: ns, interface: iface, label: label))
        }
        return sources
    }

    /// Every path that refers to the namespace now: how to enter it, and what to watch to notice its deletion.
    static func source(for ns: Namespace, interface: String, label: String) throws -> CaptureSource {
        var candidates = ns.paths
        for h in ns.heldBy {
            switch h.kind {
            case .bindMount: if let p = h.path { candidates.append(p) }
            case .process: if let pid = h.pid { candidates.append("/proc/\(pid)/ns/net") }
            case .thread: if let pid = h.pid, let tid = h.tid { candidates.append("/proc/\(pid)/task/\(tid)/ns/net") }
            case .fd: if let pid = h.pid, let fd = h.fd { candidates.append("/proc/\(pid)/fd/\(fd)") }
            }
        }
        candidates += ns.pids.map { "/proc/\($0)/ns/net" }
        var seen = Set<String>()
        // plumb's own fds are not holders: the snapshot read may have had this namespace open a moment ago.
        let own = "/proc/\(getpid())/"
        let live = candidates.filter { !$0.hasPrefix(own) && seen.insert($0).inserted && inode($0) == ns.id }
        let description = describe(ns)
        let names = Dictionary(ns.links.map { ($0.index, $0.name) }, uniquingKeysWith: { a, _ in a })
        if inode("/proc/self/ns/net") == ns.id {
            // plumb's own namespace (the host, usually): nothing to enter, nothing that could vanish under us.
            return CaptureSource(label: label, namespace: .host, interface: interface,
                                 namespaceDescription: description, holders: [], interfaceNames: names)
        }
        guard let entry = live.first else {
            throw CommandFailure(description: "namespace \(ns.displayName) (net:[\(ns.id)]) has no file left to enter it by: it was just deleted",
                                 code: PlumbExit.notFound)
        }
        return CaptureSource(label: label, namespace: NamespaceHandle(.path(entry), cookie: ns.cookie, inode: ns.id),
                             interface: interface,
                             namespaceDescription: description, holders: live, interfaceNames: names)
    }

    /// `netns NAME (container RUNTIME:NAME) net:[ID]`, for pcapng interface descriptions.
    static func describe(_ ns: Namespace) -> String {
        var parts: [String] = []
        if ns.isHost { parts.append("host namespace") }
        if let n = ns.names.first { parts.append("netns \(n)") }
        for c in ns.containers { parts.append("container \(c.runtime.rawValue):\(c.name.isEmpty ? String(c.id.prefix(12)) : c.name)") }
        parts.append("net:[\(ns.id)]")
        return parts.joined(separator: " ")
    }

    private static func inode(_ path: String) -> UInt64? {
        var st = stat()
        return stat(path, &st) == 0 ? UInt64(st.st_ino) : nil
    }
}
