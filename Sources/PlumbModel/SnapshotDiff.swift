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
        // Unchanged tables (the usual case between two live updates) cost one comparison, not 3,000 strings.
        if a.routes == b.routes { return }
        let ra = a.routes, rb = b.routes
        // The live model changes a few routes in place: only the part between the common head and tail differs.
        var lo = 0
        while lo < min(ra.count, rb.count) && ra[lo] == rb[lo] { lo += 1 }
        var hiA = ra.count, hiB = rb.count
        while hiA > lo && hiB > lo && ra[hiA - 1] == rb[hiB - 1] { hiA -= 1; hiB -= 1 }
        func shown(_ r: Route) -> Bool { r.tableName != "local" }
        /// What a route looks like in the events log: two routes of one shape are the same there.
        struct Shape: Hashable {
            var dst: IPPrefix?, gateway: IPAddress?, dev: String?, table: String
            init(_ r: Route) { dst = r.dst; gateway = r.gateway; dev = r.dev; table = r.tableName }
        }
        let oldMid = ra[lo..<hiA].filter(shown), newMid = rb[lo..<hiB].filter(shown)
        // A route counts as added only if no route of the whole old table looks the same (and the reverse). By
        // shape sets: links flapping in a host with 500 veths change routes all over its ~1,500 (IPv6 link-local
        // and multicast ones), and comparing each changed route with every other was a sixth of the TUI's CPU.
        let shapesA = Set(ra.lazy.filter(shown).map(Shape.init)), shapesB = Set(rb.lazy.filter(shown).map(Shape.init))
        let added = newMid.filter { !shapesA.contains(Shape($0)) }
        let removed = oldMid.filter { !shapesB.contains(Shape($0)) }
        for r in Set(added.map(key)).sorted() { add(b, .route, "route added: \(r)") }
        for r in Set(removed.map(key)).sorted() { add(b, .route, "route removed: \(r)") }
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
