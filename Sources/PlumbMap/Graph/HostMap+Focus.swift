extension HostMap {
    /// The part of the map around one namespace (`plumb map TARGET`): the namespace, the buses it is on with
    /// everything on them, the buses it holds, its direct links and tunnels (and theirs, for VTEPs it holds),
    /// the uplinks those buses are NATed to and the ports published to what is kept. The host's namespace
    /// keeps the whole map.
    public func focused(on namespace: UInt64, isHost: Bool) -> HostMap {
        if isHost { return self }
        let me = MapID.namespace(namespace)
        var keep: Set<String> = [me]
        // Nodes living in it: buses and VTEPs it holds.
        for n in nodes where n.namespace == namespace && (n.kind == .bus || n.kind == .vtep) { keep.insert(n.id) }
        // Its own edges' other ends (and the tunnels of its VTEPs).
        for e in edges where keep.contains(e.from) || keep.contains(e.to) {
            if e.kind == .port || e.kind == .veth || e.kind == .tunnel { keep.insert(e.from); keep.insert(e.to) }
        }
        // Everything on the kept buses.
        let buses = Set(nodes.filter { $0.kind == .bus && keep.contains($0.id) }.map(\.id))
        for e in edges where e.kind == .port && buses.contains(e.to) { keep.insert(e.from) }
        // NAT of kept buses, ports published to kept namespaces.
        for e in edges where (e.kind == .nat && keep.contains(e.from)) || (e.kind == .published && keep.contains(e.to)) {
            keep.insert(e.from); keep.insert(e.to)
        }
        return HostMap(takenAt: takenAt, nodes: nodes.filter { keep.contains($0.id) },
                       edges: edges.filter { keep.contains($0.from) && keep.contains($0.to) },
                       aside: aside.filter { $0.namespace == namespace })
    }
}
