import PlumbModel

/// Lookups a frame needs many times: namespaces by id, and which links in *other* namespaces hang off a
/// link here (a container's macvlan whose parent is the host's eth0). Built once per frame or key press.
struct SnapshotIndex {
    let snapshot: Snapshot
    private let positions: [UInt64: Int]
    /// Parent link -> children living in a different namespace.
    let foreignChildren: [LinkID: [LinkID]]

    init(_ snapshot: Snapshot) {
        self.snapshot = snapshot
        var positions: [UInt64: Int] = [:]
        // By index throughout: iterating the namespaces by value copies each one, and this runs on every update.
        let all = snapshot.namespaces
        positions.reserveCapacity(all.count)
        for i in all.indices where positions[all[i].id] == nil { positions[all[i].id] = i }
        self.positions = positions
        var children: [LinkID: [LinkID]] = [:]
        for i in all.indices {
            let id = all[i].id
            for j in all[i].links.indices {
                guard let p = all[i].links[j].parent, let pns = p.namespace, pns != id else { continue }
                children[LinkID(namespace: pns, index: p.index), default: []]
                    .append(LinkID(namespace: id, index: all[i].links[j].index))
            }
        }
        foreignChildren = children
    }

    func namespace(_ id: UInt64) -> Namespace? { positions[id].map { snapshot.namespaces[$0] } }

    func link(_ id: LinkID) -> Link? { namespace(id.namespace)?.link(index: id.index) }

    /// Display name of a namespace id, or `net:[id]` for one not in the snapshot.
    func name(of id: UInt64) -> String {
        guard let p = positions[id] else { return "net:[\(id)]" }
        return snapshot.namespaces.withUnsafeBufferPointer { $0[p].displayName }
    }

    /// `eth0@redis` for a link in another namespace, `eth0` in the same one; says so when unresolved.
    func label(_ ref: RemoteLinkRef, from here: UInt64) -> String {
        guard let nsid = ref.namespace else { return "#\(ref.index) (namespace unknown)" }
        guard let p = positions[nsid] else { return "#\(ref.index)@net:[\(nsid)]" }
        // Through the buffer: namespace(_:) or a subscript copies the namespace, and this runs for every veth row.
        return snapshot.namespaces.withUnsafeBufferPointer { all in
            let name = all[p].links.first { $0.index == ref.index }?.name ?? "#\(ref.index)"
            return nsid == here ? name : "\(name)@\(all[p].displayName)"
        }
    }

    /// `label(ref, from:).displayWidth`, without building the label.
    func labelWidth(_ ref: RemoteLinkRef, from here: UInt64) -> Int {
        guard let nsid = ref.namespace, let p = positions[nsid] else { return label(ref, from: here).displayWidth }
        return snapshot.namespaces.withUnsafeBufferPointer { all in
            let name = all[p].links.first { $0.index == ref.index }?.name.displayWidth ?? "#\(ref.index)".displayWidth
            return nsid == here ? name : name + 1 + all[p].displayName.displayWidth
        }
    }

    func linkID(_ ref: RemoteLinkRef) -> LinkID? {
        ref.namespace.map { LinkID(namespace: $0, index: ref.index) }
    }
}
