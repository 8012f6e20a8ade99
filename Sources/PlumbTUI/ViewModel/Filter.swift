import PlumbModel

/// The `/` filter: a case-insensitive substring matched against namespace names, container names and ids,
/// link names, MACs, addresses, and the name of a veth peer's namespace (so `/redis` on the host shows the
/// veth leading to redis).
struct Filter {
    let needle: String

    init(_ text: String) { needle = text.lowercased() }

    var isEmpty: Bool { needle.isEmpty }

    /// The namespace itself matches (not just one of its links): show all of its links.
    func matchesNamespaceItself(_ ns: Namespace) -> Bool {
        if isEmpty { return true }
        if hit(ns.displayName) || hit(String(ns.id)) { return true }
        if ns.names.contains(where: hit) { return true }
        return ns.containers.contains { hit($0.name) || hit($0.id) || hit("\($0.runtime.rawValue):\($0.name)") }
    }

    func matches(_ ns: Namespace, index: SnapshotIndex) -> Bool {
        matchesNamespaceItself(ns) || ns.links.contains { matches($0, in: ns, index: index) }
    }

    func matches(_ link: Link, in ns: Namespace, index: SnapshotIndex) -> Bool {
        if isEmpty { return true }
        if hit(link.name) || hit(link.kind.name) { return true }
        if let mac = link.mac, hit(mac) { return true }
        if link.addresses.contains(where: { hit($0.description) }) { return true }
        if let p = link.peer, hit(index.label(p, from: ns.id)) { return true }
        return false
    }

    func hit(_ s: String) -> Bool { s.lowercased().contains(needle) }
}
