import PlumbModel

extension LiveModel {
    /// Applies address and route events in place (a flapping link's IPv6 link-local address and routes come and
    /// go with it: reading the host's 1,500 routes for each was most of the live view's cost). False when the
    /// namespace's addresses and routes must be read instead:
    /// - a link went down while IPv4 routes use it: IPv4 flushes them without telling anyone;
    /// - a change names an unknown link, removes a route the model does not have, or has several next hops.
    static func applyTables(_ ev: NamespaceEvents, to ns: inout Namespace) -> Bool {
        var complete = true
        // Through the buffer, read once: a closure over the array copied each route (a dozen strings), and each
        // read of `ns.routes` is a reference taken and dropped; 1,500 routes per event.
        let downed = Set(ev.links.lazy.filter { !$0.isUp }.map(\.index))
        if !downed.isEmpty {
            let lost = ns.routes.withUnsafeBufferPointer { all in
                all.indices.contains { all[$0].family == .ipv4 && all[$0].ifindex.map(downed.contains) == true }
            }
            if lost { complete = false }
        }
        for a in ev.addressChanges {
            guard let i = ns.links.firstIndex(where: { $0.index == a.ifindex }) else { complete = false; continue }
            var list = ns.links[i].addresses
            list.removeAll { $0 == a.cidr }
            if !a.removed {
                // Where a dump would put it: IPv4 addresses before IPv6 ones.
                list.insert(a.cidr, at: a.cidr.isIPv4 ? (list.firstIndex { $0.isIPv6 } ?? list.count) : list.count)
            }
            ns.links[i].addresses = list
        }
        if !ev.routeChanges.isEmpty, !applyRoutes(ev.routeChanges, to: &ns) { complete = false }
        return complete
    }

    /// Applies route changes in their order, as one edit of the table: the routes a change names are found
    /// through their ifindex (a batch of a flapping host's changes each scanned its 1,500 routes), removed ones
    /// are marked and the table closed up once (removing each moved the rest of the table: a tenth of the live
    /// view's CPU), and new ones appended at the end, where a dump of the kernel puts them too. A route found
    /// among the ones this batch appended is changed there. False where `applyTables` says.
    static func applyRoutes(_ changes: [RouteChange], to ns: inout Namespace) -> Bool {
        var complete = true
        var names: [Int: String] = [:]
        for l in ns.links { names[l.index] = l.name }
        var routes = ns.routes
        ns.routes = []  // the table is edited out here: the namespace's copy would make each change copy it
        var gone = [Bool](repeating: false, count: routes.count)
        var added: [Route] = []
        // Positions of the table's routes by ifindex (-1: none), made only for batches where a scan per change
        // costs more than the index.
        var byIfindex: [Int: [Int]]? = nil
        if changes.count > 8 {
            var positions: [Int: [Int]] = [:]
            routes.withUnsafeBufferPointer { all in
                for i in all.indices { positions[all[i].ifindex ?? -1, default: []].append(i) }
            }
            byIfindex = positions
        }
        for c in changes {
            if c.multipath { complete = false; continue }
            var r = c.route
            if let idx = r.ifindex {
                guard let name = names[idx] else { complete = false; continue }
                r.dev = name
            }
            // The first route of that identity still in the table, else one this batch added.
            let existing: Int? = routes.withUnsafeBufferPointer { all in
                if let byIfindex {
                    return byIfindex[r.ifindex ?? -1]?.first { !gone[$0] && Self.sameRoute(all[$0], r) }
                }
                return all.indices.first { !gone[$0] && Self.sameRoute(all[$0], r) }
            }
            if let i = existing {
                if c.removed { gone[i] = true } else { routes[i] = r }
            } else if let j = added.firstIndex(where: { Self.sameRoute($0, r) }) {
                if c.removed { added.remove(at: j) } else { added[j] = r }
            } else if c.removed {
                complete = false
            } else {
                added.append(r)
            }
        }
        if gone.contains(true) {
            var kept = 0
            for i in routes.indices where !gone[i] {
                if kept != i { routes.swapAt(kept, i) }
                kept += 1
            }
            routes.removeLast(routes.count - kept)
        }
        routes.append(contentsOf: added)
        ns.routes = routes
        return complete
    }

    /// The kernel's identity of a route (table, destination, metric, and where it leads).
    @inline(__always)
    static func sameRoute(_ a: borrowing Route, _ b: borrowing Route) -> Bool {
        a.ifindex == b.ifindex && a.table == b.table && a.family == b.family && a.table == b.table && a.metric == b.metric && a.dst == b.dst
            && a.gateway == b.gateway && a.type == b.type
    }
}
