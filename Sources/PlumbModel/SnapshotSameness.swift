/// How much two snapshots of one live source differ, for its versions (`LiveModel.contentVersion`,
/// `objectsVersion`): a read of a namespace usually finds it as it was but for its counters (the namespace on
/// screen is read again every 10 s for the tabs that show what sends no events), and counting that as a change
/// made the views and the doctor do their work again for nothing.
public enum SnapshotSameness: Int, Comparable, Sendable {
    /// Something besides counters and discovery differs: links, addresses, routes, firewall, sockets, namespaces.
    case differentObjects
    /// The same objects; processes, or the namespaces' names, bind mounts, holders or pids differ.
    case sameObjects
    /// Equal but for counters and time.
    case same

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// `a` against `b`, namespace by namespace in their order (a new order counts as different objects).
    public static func of(_ a: Snapshot, _ b: Snapshot) -> SnapshotSameness {
        guard a.namespaces.count == b.namespaces.count, a.notes == b.notes, a.publishedPorts == b.publishedPorts,
              a.runtimeNetworks == b.runtimeNetworks else { return .differentObjects }
        var result: SnapshotSameness = a.processes == b.processes ? .same : .sameObjects
        for (x, y) in zip(a.namespaces, b.namespaces) {
            if x.sharesFields(with: y) { continue }
            guard x.sameObjects(as: y) else { return .differentObjects }
            if !x.sameDiscovery(as: y) { result = .sameObjects }
        }
        return result
    }
}

extension Namespace {
    /// What discovery finds of a namespace: its names, bind mounts, holders, pids, and since when it is held.
    public func sameDiscovery(as other: Namespace) -> Bool {
        names == other.names && paths == other.paths && heldBy == other.heldBy && pids == other.pids
            && heldSince == other.heldSince
    }

    /// Equal to `other` but for its links' counters and what discovery finds (`sameDiscovery`).
    public func sameObjects(as other: Namespace) -> Bool {
        if sharesFields(with: other) { return true }
        guard id == other.id, links.likeness(to: other.links) == .same else { return false }
        // The rest whole (`==`), so a field added to `Namespace` counts by default; the links, compared above,
        // as the other's array itself (no copy).
        var a = self
        a.links = other.links
        if !sameDiscovery(as: other) {
            a.names = other.names; a.paths = other.paths; a.heldBy = other.heldBy; a.pids = other.pids
            a.heldSince = other.heldSince
        }
        return a == other
    }
}
