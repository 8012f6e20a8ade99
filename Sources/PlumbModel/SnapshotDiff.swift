/// One change between two snapshots, in words: what appeared, vanished or changed state. The live view keeps a
/// log of these (so a user sees *what just broke it*), and `plumb diff A B` prints them for two saved snapshots.
public struct ChangeEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case namespace, link, address, route, firewall
        /// Packets the kernel dropped (the TUI's drops feed), not a snapshot difference.
        case drop
    }
    /// When the later snapshot was taken (seconds since the epoch).
    public var time: Double
    /// The namespace it happened in (display name).
    public var namespace: String
    public var kind: Kind
    public var text: String

    public init(time: Double, namespace: String, kind: Kind, text: String) {
        self.time = time; self.namespace = namespace; self.kind = kind; self.text = text
    }
}

public enum SnapshotDiff {
    /// Every change from `a` to `b`, namespace by namespace, in a stable order.
    /// With `only`, compares the contents of just those namespaces (the live view knows which ones changed);
    /// namespaces that appeared or vanished are always reported.
    public static func events(from a: Snapshot, to b: Snapshot, only: Set<UInt64>? = nil) -> [ChangeEvent] {
        var out: [ChangeEvent] = []
        // Positions, not copies: the live view diffs 500 namespaces several times a second.
        let old = Dictionary(a.namespaces.indices.map { (a.namespaces[$0].id, $0) }, uniquingKeysWith: { x, _ in x })
        let new = Dictionary(b.namespaces.indices.map { (b.namespaces[$0].id, $0) }, uniquingKeysWith: { x, _ in x })
        func add(_ ns: Namespace, _ kind: ChangeEvent.Kind, _ text: String) {
            out.append(ChangeEvent(time: b.takenAt, namespace: ns.displayName, kind: kind, text: text))
        }
        for ns in b.namespaces where old[ns.id] == nil {
            add(ns, .namespace, "namespace appeared (net:[\(ns.id)], held by \(Set(ns.heldBy.map(\.kind.rawValue)).sorted().joined(separator: ",")))")
        }
        for ns in a.namespaces where new[ns.id] == nil { add(ns, .namespace, "namespace vanished (net:[\(ns.id)])") }
        let compared = only.map { ids in ids.compactMap { new[$0] }.sorted() } ?? Array(b.namespaces.indices)
        for j in compared {
            guard let i = old[b.namespaces[j].id] else { continue }
            links(a.namespaces[i], b.namespaces[j], add)
            routes(a.namespaces[i], b.namespaces[j], add)
            firewall(a.namespaces[i], b.namespaces[j], add)
        }
        return out
    }

    static func links(_ a: Namespace, _ b: Namespace, _ add: (Namespace, ChangeEvent.Kind, String) -> Void) {
        // Usually the same links in the same order with a few changed: compare pairwise, no dictionaries.
        if a.links.count == b.links.count, a.links.indices.allSatisfy({ a.links[$0].index == b.links[$0].index }) {
            // Only what events report (state, MTU, name, master, addresses): counters differ on every read.
            for i in a.links.indices
            where a.links[i].flags != b.links[i].flags || a.links[i].mtu != b.links[i].mtu
                || a.links[i].name != b.links[i].name || a.links[i].master != b.links[i].master
                || a.links[i].addresses != b.links[i].addresses {
                compare(a.links[i], b.links[i], in: b, add)
            }
            return
        }
        let old = Dictionary(a.links.map { ($0.index, $0) }, uniquingKeysWith: { x, _ in x })
        let new = Dictionary(b.links.map { ($0.index, $0) }, uniquingKeysWith: { x, _ in x })
        for l in b.links where old[l.index] == nil { add(b, .link, "link \(l.name) (\(l.kind)) appeared, \(state(l))") }
        for l in a.links where new[l.index] == nil { add(b, .link, "link \(l.name) (\(l.kind)) vanished") }
        for l in b.links {
            guard let o = old[l.index] else { continue }
            compare(o, l, in: b, add)
        }
    }

    /// The changes between two versions of one link.
    static func compare(_ o: Link, _ l: Link, in b: Namespace, _ add: (Namespace, ChangeEvent.Kind, String) -> Void) {
        if state(o) != state(l) { add(b, .link, "link \(l.name): \(state(o)) → \(state(l))") }
        if o.mtu != l.mtu { add(b, .link, "link \(l.name): mtu \(o.mtu) → \(l.mtu)") }
        if o.name != l.name { add(b, .link, "link \(o.name) renamed \(l.name)") }
        if o.master != l.master {
            let m = l.master.flatMap { b.link(index: $0.index)?.name } ?? "none"
            add(b, .link, "link \(l.name): master → \(m)")
        }
        if o.addresses != l.addresses {
            for x in Set(l.addresses).subtracting(o.addresses).map(\.description).sorted() { add(b, .address, "\(x) added on \(l.name)") }
            for x in Set(o.addresses).subtracting(l.addresses).map(\.description).sorted() { add(b, .address, "\(x) removed from \(l.name)") }
        }
    }

    static func state(_ l: Link) -> String {
        !l.isUp ? "down" : (!l.hasCarrier && l.kind != .loopback) ? "no carrier" : "up"
    }

    static func routes(_ a: Namespace, _ b: Namespace, _ add: (Namespace, ChangeEvent.Kind, String) -> Void) {
        let ra = a.routes, rb = b.routes
        // Unchanged tables (the usual case between two live updates) cost one comparison, not 3,000 strings.
        if ra == rb { return }
        let (gone, new) = changedRoutes(ra, rb)
        // A route counts as added only if no route of the whole old table looks the same (and the reverse).
        let added = missing(new.map { rb[$0] }, from: ra), removed = missing(gone.map { ra[$0] }, from: rb)
        for r in Set(added.map(key)).sorted() { add(b, .route, "route added: \(r)") }
        for r in Set(removed.map(key)).sorted() { add(b, .route, "route removed: \(r)") }
    }

    private static func shown(_ r: Route) -> Bool { r.tableName != "local" }

    /// What a route looks like in the events log: two routes of one shape are the same there.
    private struct Shape: Hashable {
        var dst: IPPrefix?, gateway: IPAddress?, dev: String?, table: String
        init(_ r: Route) { dst = r.dst; gateway = r.gateway; dev = r.dev; table = r.tableName }
    }

    /// A function of a route's shape (two routes of one shape have the same), quick to make: FNV-1a over the
    /// device's name, with the destination's prefix length and low bits.
    private static func fingerprint(_ r: Route) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var dev = r.dev ?? ""
        dev.withUTF8 { bytes in
            for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        }
        if let dst = r.dst {
            h = (h ^ UInt64(dst.length + 1)) &* 0x100_0000_01b3
            h = (h ^ dst.address.bits.lo) &* 0x100_0000_01b3
        }
        return h
    }

    /// The positions of the routes of `a` that may be gone from `b` and of those of `b` that may be new: every
    /// route not matched by an equal one in a walk of both tables in order (a route whose shape is in neither
    /// other table is never matched, so these include all that the events report). The live model removes
    /// routes in place and appends new ones, and a read keeps the kernel's order, so the walk matches nearly all
    /// of a flapping host's 1,500: hashing each route of both tables was a sixth of the TUI's CPU.
    static func changedRoutes(_ a: [Route], _ b: [Route]) -> (gone: [Int], new: [Int]) {
        var gone: [Int] = [], new: [Int] = []
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                var i = 0, j = 0
                while i < x.count && j < y.count {
                    if x[i] == y[j] { i += 1; j += 1; continue }
                    // One route removed or one inserted: step over it alone, so the rest still pairs up.
                    if i + 1 < x.count && x[i + 1] == y[j] { gone.append(i); i += 1; continue }
                    if j + 1 < y.count && x[i] == y[j + 1] { new.append(j); j += 1; continue }
                    gone.append(i); new.append(j); i += 1; j += 1
                }
                gone.append(contentsOf: i..<x.count)
                new.append(contentsOf: j..<y.count)
            }
        }
        return (gone, new)
    }

    /// The shown routes of `candidates` whose shape no shown route of `table` has.
    private static func missing(_ candidates: [Route], from table: [Route]) -> [Route] {
        let wanted = candidates.filter(shown)
        guard !wanted.isEmpty else { return [] }
        var left = Set(wanted.map(Shape.init))
        // A cheap fingerprint first: most routes of the table look like no candidate, and a flapping host's are
        // all fe80::/64, told apart only by their device.
        let prints = Set(wanted.map(fingerprint))
        table.withUnsafeBufferPointer { all in
            for i in all.indices where prints.contains(fingerprint(all[i])) && shown(all[i]) {
                left.remove(Shape(all[i]))
                if left.isEmpty { break }
            }
        }
        return wanted.filter { left.contains(Shape($0)) }
    }

    private static func key(_ r: Route) -> String {
        r.destinationText + (r.gateway.map { " via \($0)" } ?? "") + (r.dev.map { " dev \($0)" } ?? "")
            + (r.tableName == "main" ? "" : " table \(r.tableName)")
    }

    static func firewall(_ a: Namespace, _ b: Namespace, _ add: (Namespace, ChangeEvent.Kind, String) -> Void) {
        if a.firewall.tables == b.firewall.tables { return }
        func rules(_ fw: Firewall) -> [String: Set<String>] {
            var out: [String: Set<String>] = [:]
            for t in fw.tables { for c in t.chains { out["\(t.family) \(t.name) \(c.name)"] = Set(c.rules.map(\.rule)) } }
            return out
        }
        let old = rules(a.firewall), new = rules(b.firewall)
        for (chain, r) in new.sorted(by: { $0.key < $1.key }) {
            guard let o = old[chain] else { add(b, .firewall, "chain \(chain) created (\(counted(r.count, "rule")))"); continue }
            if !o.isEmpty && r.isEmpty { add(b, .firewall, "chain \(chain) flushed (\(counted(o.count, "rule")) gone)"); continue }
            for x in r.subtracting(o).sorted() { add(b, .firewall, "rule added to \(chain): \(x)") }
            for x in o.subtracting(r).sorted() { add(b, .firewall, "rule removed from \(chain): \(x)") }
        }
        for chain in old.keys.sorted() where new[chain] == nil { add(b, .firewall, "chain \(chain) deleted") }
    }
}
