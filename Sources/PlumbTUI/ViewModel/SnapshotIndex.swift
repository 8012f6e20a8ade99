import PlumbModel

/// Lookups a frame needs many times: namespaces by id, and which links in *other* namespaces hang off a
/// link here (a container's macvlan whose parent is the host's eth0). The lookups depend on the snapshot's
/// content only (`Lookups`), so a snapshot that differs only in counters reuses them (`PaneCache`); everything
/// read from a namespace or link comes from `snapshot`, the current one.
struct SnapshotIndex {
    let snapshot: Snapshot
    let lookups: Lookups

    /// Where each namespace is in `snapshot.namespaces`, and the foreign children of each link.
    struct Lookups: Sendable {
        let positions: [UInt64: Int]
        /// Parent link -> children living in a different namespace.
        let foreignChildren: [LinkID: [LinkID]]

        init(_ snapshot: Snapshot) {
            var positions: [UInt64: Int] = [:]
            var children: [LinkID: [LinkID]] = [:]
            // By index throughout: iterating the namespaces by value copies each one.
            snapshot.namespaces.withUnsafeBufferPointer { all in
                positions.reserveCapacity(all.count)
                for i in all.indices where positions[all[i].id] == nil { positions[all[i].id] = i }
                for i in all.indices {
                    let id = all[i].id
                    all[i].links.withUnsafeBufferPointer { links in
                        for j in links.indices {
                            guard let p = links[j].parent, let pns = p.namespace, pns != id else { continue }
                            children[LinkID(namespace: pns, index: p.index), default: []]
                                .append(LinkID(namespace: id, index: links[j].index))
                        }
                    }
                }
            }
            self.positions = positions
            foreignChildren = children
        }
    }

    init(_ snapshot: Snapshot) { self.init(snapshot, lookups: Lookups(snapshot)) }

    /// `lookups` must have been made from a snapshot with the same content (same namespaces in the same order).
    init(_ snapshot: Snapshot, lookups: Lookups) {
        self.snapshot = snapshot
        self.lookups = lookups
    }

    var foreignChildren: [LinkID: [LinkID]] { lookups.foreignChildren }

    /// Where namespace `id` is in `snapshot.namespaces`.
    func position(of id: UInt64) -> Int? { lookups.positions[id] }

    func namespace(_ id: UInt64) -> Namespace? { lookups.positions[id].map { snapshot.namespaces[$0] } }

    func link(_ id: LinkID) -> Link? { namespace(id.namespace)?.link(index: id.index) }

    /// The current link of a topology row (kept rows hold none: `TopologyRow`), by its position; by its index if
    /// that position holds another link (a row older than the snapshot's shape, which `PaneCache` never keeps).
    func link(_ row: TopologyRow) -> Link? {
        withLink(row) { $0 } ?? link(row.id)
    }

    /// `body` on the current link of `row` where its position says, without copying the link; nil when the
    /// position holds another link.
    func withLink<R>(_ row: TopologyRow, _ body: (Link) -> R) -> R? {
        guard let p = lookups.positions[row.id.namespace] else { return nil }
        return snapshot.namespaces.withUnsafeBufferPointer { all in
            all[p].links.withUnsafeBufferPointer { links in
                guard links.indices.contains(row.position), links[row.position].index == row.id.index else { return nil }
                return body(links[row.position])
            }
        }
    }

    /// Display name of a namespace id, or `net:[id]` for one not in the snapshot.
    func name(of id: UInt64) -> String {
        guard let p = lookups.positions[id] else { return "net:[\(id)]" }
        return snapshot.namespaces.withUnsafeBufferPointer { $0[p].displayName }
    }

    /// `eth0@redis` for a link in another namespace, `eth0` in the same one; says so when unresolved.
    func label(_ ref: RemoteLinkRef, from here: UInt64) -> String {
        guard let nsid = ref.namespace else { return "#\(ref.index) (namespace unknown)" }
        guard let p = lookups.positions[nsid] else { return "#\(ref.index)@net:[\(nsid)]" }
        // Through the buffer: namespace(_:) or a subscript copies the namespace, and this runs for every veth row.
        return snapshot.namespaces.withUnsafeBufferPointer { all in
            let name = all[p].links.first { $0.index == ref.index }?.name ?? "#\(ref.index)"
            return nsid == here ? name : "\(name)@\(all[p].displayName)"
        }
    }

    /// `label(ref, from:).displayWidth`, without building the label.
    func labelWidth(_ ref: RemoteLinkRef, from here: UInt64) -> Int {
        guard let nsid = ref.namespace, let p = lookups.positions[nsid] else { return label(ref, from: here).displayWidth }
        return snapshot.namespaces.withUnsafeBufferPointer { all in
            let name = all[p].links.first { $0.index == ref.index }?.name.displayWidth ?? "#\(ref.index)".displayWidth
            return nsid == here ? name : name + 1 + all[p].displayName.displayWidth
        }
    }

    func linkID(_ ref: RemoteLinkRef) -> LinkID? {
        ref.namespace.map { LinkID(namespace: $0, index: ref.index) }
    }
}
