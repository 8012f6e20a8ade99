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
        for c in ev.routeChanges {
            if c.multipath { complete = false; continue }
            var r = c.route
            if let idx = r.ifindex {
                guard let name = ns.links.first(where: { $0.index == idx })?.name else { complete = false; continue }
                r.dev = name
            }
            // Found before the change below, with no copy of the array left to make that change copy it.
            let existing = ns.routes.withUnsafeBufferPointer { all in all.indices.first { Self.sameRoute(all[$0], r) } }
            switch (c.removed, existing) {
            case (true, let i?): ns.routes.remove(at: i)
            case (true, nil): complete = false
            case (false, let i?): ns.routes[i] = r
            case (false, nil): ns.routes.append(r)
            }
        }
        return complete
    }

    /// The kernel's identity of a route (table, destination, metric, and where it leads).
    @inline(__always)
    static func sameRoute(_ a: borrowing Route, _ b: borrowing Route) -> Bool {
        a.ifindex == b.ifindex && a.table == b.table && a.family == b.family && a.table == b.table && a.metric == b.metric && a.dst == b.dst
            && a.gateway == b.gateway && a.type == b.type
    }
}
