import PlumbModel

/// Builds the `HostMap` of a snapshot: uplinks, buses (bridges and macvlan parents), namespaces on them, direct
/// veths, VXLAN tunnels, NAT and published ports, and the aside list of what has no place in the graph.
public enum HostMapBuilder {
    public static func build(_ snap: Snapshot) -> HostMap {
        var b = Builder(snap)
        b.run()
        return b.finish()
    }
}

/// The builder's working state; one use.
private struct Builder {
    let snap: Snapshot
    let hostID: UInt64?
    var namespaces: [UInt64: Namespace] = [:]
    /// (namespace, ifindex) → link: every link of the snapshot.
    var links: [LinkKey: Link] = [:]
    var nodes: [String: MapNode] = [:]
    var edges: [String: MapEdge] = [:]
    var aside: [MapAsideEntry] = []
    /// Namespaces touched by an edge (the rest go aside).
    var attached: Set<UInt64> = []
    /// Host links the graph shows (uplinks, buses, ports, VTEPs, macvlan children); the rest go aside.
    var shownHostLinks: Set<Int> = []

    struct LinkKey: Hashable { var ns: UInt64; var index: Int }

    init(_ snap: Snapshot) {
        self.snap = snap
        hostID = snap.host?.id
        for ns in snap.namespaces {
            namespaces[ns.id] = ns
            for l in ns.links { links[LinkKey(ns: ns.id, index: l.index)] = l }
        }
    }

    func link(_ ref: RemoteLinkRef?) -> (Namespace, Link)? {
        guard let ref, let nsID = ref.namespace, let ns = namespaces[nsID],
              let l = links[LinkKey(ns: nsID, index: ref.index)] else { return nil }
        return (ns, l)
    }

    mutating func run() {
        addUplinks()
        for ns in snap.namespaces {
            for l in ns.links where l.kind == .bridge { addBus(l, in: ns, busKind: .bridge) }
        }
        for ns in snap.namespaces {
            for l in ns.links {
                switch l.kind {
                case .veth: addVeth(l, in: ns)
                case .macvlan, .macvtap: addMacvlan(l, in: ns)
                case .vxlan: addVxlan(l, in: ns)
                default: break
                }
            }
        }
        addNAT()
        addPublishedPorts()
        fillBusDetails()
        addAside()
    }

    // MARK: nodes

    mutating func addUplinks() {
        guard let host = snap.host else { return }
        var seen: Set<Int> = []
        for r in host.routes where r.isDefault && r.table == 254 {
            guard let idx = r.ifindex ?? r.dev.flatMap({ host.link(named: $0)?.index }), !seen.contains(idx),
                  let l = host.link(index: idx), l.kind != .loopback else { continue }
            seen.insert(idx)
            var n = MapNode(id: MapID.uplink(host.id, idx), kind: .uplink, name: l.name, namespace: host.id,
                            namespaceName: host.displayName, ifindex: idx, addresses: Self.visible(l.addresses))
            n.linkState = MapLinkState(l)
            nodes[n.id] = n
            shownHostLinks.insert(idx)
        }
    }

    mutating func addBus(_ l: Link, in ns: Namespace, busKind: MapNode.BusKind) {
        let id = MapID.bus(ns.id, l.index)
        guard nodes[id] == nil else { return }
        var n = MapNode(id: id, kind: .bus, name: l.name, namespace: ns.id, namespaceName: ns.displayName,
                        ifindex: l.index, addresses: Self.visible(l.addresses))
        n.busKind = busKind
        n.linkState = MapLinkState(l)
        if let a = l.addresses.first(where: { $0.isIPv4 && $0.length < 32 })
            ?? l.addresses.first(where: { $0.isIPv6 && !Self.isLinkLocal($0) && $0.length < 128 }) {
            n.subnet = a.canonical
            // A bridge's address is its ports' gateway; a macvlan parent's is only the host's own address.
            if busKind == .bridge { n.gateway = a.address }
        }
        nodes[id] = n
        if ns.id == hostID { shownHostLinks.insert(l.index) }
    }

    mutating func namespaceNode(_ ns: Namespace) -> String {
        let id = MapID.namespace(ns.id)
        attached.insert(ns.id)
        if nodes[id] != nil { return id }
        var n = MapNode(id: id, kind: .namespace, name: Self.clean(ns.displayName), namespace: ns.id, namespaceName: ns.displayName)
        n.runtime = ns.isHost ? "host" : ns.containers.first?.runtime.rawValue ?? (ns.names.isEmpty ? "anonymous" : "netns")
        n.state = ns.isHost || ns.heldBy.contains(where: { $0.kind == .process || $0.kind == .thread }) || !ns.pids.isEmpty
            ? "running" : "no process"
        nodes[id] = n
        return id
    }

    // MARK: edges

    mutating func addVeth(_ l: Link, in ns: Namespace) {
        if l.master != nil { return }  // the bridge side: its namespace end adds the port
        // An uplink that is a veth (a namespace playing host) leads upstream, out of the picture.
        if ns.id == hostID && nodes[MapID.uplink(ns.id, l.index)] != nil { return }
        guard let (pns, p) = link(l.peer) else {
            aside.append(MapAsideEntry(namespace: ns.id, name: "\(ns.displayName): \(l.name)",
                                       reason: "veth whose peer is not in any namespace in view"))
            return
        }
        let state = MapLinkState(l).worse(MapLinkState(p))
        if let m = p.master, let bridge = links[LinkKey(ns: pns.id, index: m.index)], bridge.kind == .bridge {
            let from = namespaceNode(ns)
            let to = MapID.bus(pns.id, bridge.index)
            edges[MapEdge(kind: .port, from: from, to: to, detail: l.name).id] = MapEdge(
                kind: .port, from: from, to: to, detail: l.name, namespace: ns.id, ifindex: l.index, interface: l.name,
                peerInterface: p.name, addresses: Self.visible(l.addresses), state: state)
            if pns.id == hostID { shownHostLinks.insert(p.index) }
            if ns.id == hostID { shownHostLinks.insert(l.index) }
            return
        }
        // Two namespaces joined directly: add it once, from the end with the smaller (namespace, ifindex).
        guard (ns.id, l.index) < (pns.id, p.index) else { return }
        if pns.id == ns.id {
            aside.append(MapAsideEntry(namespace: ns.id, name: "\(ns.displayName): \(l.name)",
                                       reason: "veth pair with both ends here (\(l.name) ⇄ \(p.name))"))
            return
        }
        let a = namespaceNode(ns), z = namespaceNode(pns)
        let e = MapEdge(kind: .veth, from: a, to: z, detail: l.name, namespace: ns.id, ifindex: l.index, interface: l.name,
                        peerInterface: p.name, addresses: Self.visible(l.addresses), state: state)
        edges[e.id] = e
        for (n, i) in [(ns.id, l.index), (pns.id, p.index)] where n == hostID { shownHostLinks.insert(i) }
    }

    mutating func addMacvlan(_ l: Link, in ns: Namespace) {
        guard let (pns, parent) = link(l.parent) else {
            aside.append(MapAsideEntry(namespace: ns.id, name: "\(ns.displayName): \(l.name)",
                                       reason: "\(l.kind) whose parent is not in any namespace in view"))
            return
        }
        addBus(parent, in: pns, busKind: parent.kind == .bridge ? .bridge : .macvlan)
        let from = namespaceNode(ns), to = MapID.bus(pns.id, parent.index)
        let e = MapEdge(kind: .port, from: from, to: to, detail: l.name, namespace: ns.id, ifindex: l.index, interface: l.name,
                        addresses: Self.visible(l.addresses), state: MapLinkState(l).worse(MapLinkState(parent)),
                        label: l.macvlanMode.map { "\(l.kind) \($0)" } ?? l.kind.name)
        edges[e.id] = e
        if ns.id == hostID { shownHostLinks.insert(l.index) }
        if pns.id == hostID { shownHostLinks.insert(parent.index) }
    }

    mutating func addVxlan(_ l: Link, in ns: Namespace) {
        if ns.id == hostID { shownHostLinks.insert(l.index) }
        var from: String
        if let m = l.master, let bridge = links[LinkKey(ns: ns.id, index: m.index)], bridge.kind == .bridge {
            from = MapID.vtep(ns.id, l.index)
            var n = MapNode(id: from, kind: .vtep, name: Self.clean(l.name), namespace: ns.id, namespaceName: ns.displayName,
                            ifindex: l.index, addresses: Self.visible(l.addresses))
            n.vni = l.vxlan?.vni; n.port = l.vxlan?.port; n.local = l.vxlan?.local
            n.linkState = MapLinkState(l)
            nodes[from] = n
            let e = MapEdge(kind: .port, from: from, to: MapID.bus(ns.id, bridge.index), detail: l.name, namespace: ns.id,
                            ifindex: l.index, interface: l.name, addresses: Self.visible(l.addresses),
                            state: MapLinkState(l).worse(MapLinkState(bridge)), label: l.vxlan.map { "vni \($0.vni)" })
            edges[e.id] = e
            attached.insert(ns.id)
        } else {
            from = namespaceNode(ns)
        }
        guard let info = l.vxlan else { return }
        // One tunnel per remote VTEP: the device's remote (unicast peer or multicast group) and its FDB entries.
        var remotes: [IPAddress] = []
        for r in [info.remote].compactMap({ $0 }) + (info.fdbRemotes ?? []) where !r.isUnspecified {
            if !remotes.contains(r) { remotes.append(r) }
        }
        for r in remotes {
            let to = remoteEnd(r, vni: info.vni, excluding: ns.id)
            // Both ends in view: one edge for the pair, from the smaller id.
            if let back = edges.values.first(where: { $0.kind == .tunnel && $0.from == to && $0.to == from }) {
                _ = back
                continue
            }
            let e = MapEdge(kind: .tunnel, from: from, to: to, detail: r.description, namespace: ns.id, ifindex: l.index, interface: l.name,
                            addresses: Self.visible(l.addresses), state: MapLinkState(l), label: "vni \(info.vni) → \(r)")
            edges[e.id] = e
        }
    }

    /// The node at the far end of a tunnel to `address`: the VXLAN (or its namespace) in view that owns the
    /// address, else a remote endpoint node.
    mutating func remoteEnd(_ ip: IPAddress, vni: UInt32, excluding: UInt64) -> String {
        for ns in snap.namespaces where ns.id != excluding {
            guard ns.links.contains(where: { $0.addresses.contains { $0.address == ip } }) else { continue }
            if let vx = ns.links.first(where: { $0.kind == .vxlan && $0.vxlan?.vni == vni }) {
                if let m = vx.master, links[LinkKey(ns: ns.id, index: m.index)]?.kind == .bridge { return MapID.vtep(ns.id, vx.index) }
                return namespaceNode(ns)
            }
            return namespaceNode(ns)
        }
        return remoteNode(ip)
    }

    mutating func remoteNode(_ address: IPAddress) -> String {
        let id = MapID.remote(address.description)
        if nodes[id] == nil {
            var n = MapNode(id: id, kind: .remote, name: Self.clean(address.description), addresses: [.bare(address)])
            n.runtime = address.isMulticast ? "multicast group" : "remote VTEP"
            nodes[id] = n
        }
        return id
    }

    mutating func addNAT() {
        // Uplinks are the host's only: its NAT is the one that matters.
        guard let hostID, let ns = namespaces[hostID] else { return }
        do {
            let uplinks = nodes.values.filter { $0.kind == .uplink && $0.namespace == ns.id }
            guard !uplinks.isEmpty else { return }
            let buses = nodes.values.filter { $0.kind == .bus && $0.namespace == ns.id }
            let rules = MasqueradeRule.find(in: ns.firewall)
            for bus in buses {
                guard let subnet = bus.subnet else { continue }
                for up in uplinks {
                    guard rules.contains(where: { $0.source.family == subnet.family && subnet.contains($0.source) && $0.applies(to: up.name) })
                    else { continue }
                    let e = MapEdge(kind: .nat, from: bus.id, to: up.id, state: up.linkState ?? .unknown, label: subnet.description)
                    edges[e.id] = e
                }
            }
        }
    }

    mutating func addPublishedPorts() {
        guard let ports = snap.publishedPorts, let hostID else { return }
        let uplinks = nodes.values.filter { $0.kind == .uplink && $0.namespace == hostID }.sorted { $0.name < $1.name }
        for p in ports where p.namespace == hostID {
            guard let target = p.targetNamespace, let tns = namespaces[target] else { continue }
            let carriers = uplinks.filter { up in
                p.hostAddress.map { h in up.addresses.contains { $0.address == h } } ?? true
            }
            for up in carriers {
                let to = namespaceNode(tns)
                let label = "\(p.hostEndpoint)→\(p.effectiveTargetPort.map(String.init) ?? "*")"
                let e = MapEdge(kind: .published, from: up.id, to: to, detail: p.hostEndpoint,
                                state: up.linkState ?? .unknown, label: label)
                edges[e.id] = e
            }
        }
    }

    /// A bus without an address of its own gets its subnet from its ports' addresses (VXLAN overlays, internal
    /// networks); its owner comes from the rules and its containers.
    mutating func fillBusDetails() {
        var runtimes: [String: [String]] = [:]
        var portAddresses: [String: [IPPrefix]] = [:]
        for e in edges.values where e.kind == .port {
            if let r = nodes[e.from]?.runtime { runtimes[e.to, default: []].append(r) }
            portAddresses[e.to, default: []] += e.addresses.compactMap(\.prefix).filter { $0.isIPv4 }
        }
        var ownership: [UInt64: BusOwnership] = [:]
        for (id, var bus) in nodes where bus.kind == .bus {
            if bus.subnet == nil, let p = portAddresses[id]?.sorted(by: { $0.description < $1.description }).first {
                bus.subnet = p.canonical
            }
            if bus.busKind == .bridge, let nsID = bus.namespace, let ns = namespaces[nsID] {
                if ownership[nsID] == nil { ownership[nsID] = BusOwnership(firewall: ns.firewall) }
                let byRules = ownership[nsID]!.owner(of: bus.name, subnet: bus.subnet, portRuntimes: runtimes[id] ?? [])
                let network = RuntimeNetworkMatch.network(bridge: bus.name, subnet: bus.subnet,
                                                          in: snap.runtimeNetworks ?? [])
                bus.owner = RuntimeNetworkMatch.refine(byRules, with: network)
            }
            nodes[id] = bus
        }
    }

    mutating func addAside() {
        // A namespace attached to nothing is listed once, with its links; its links' own entries would repeat it.
        aside.removeAll { !attached.contains($0.namespace) && $0.namespace != hostID }
        for ns in snap.namespaces where !attached.contains(ns.id) {
            if ns.isHost {
                continue
            }
            let others = ns.links.filter { $0.kind != .loopback }
            var reason: String
            if others.isEmpty {
                reason = "loopback only"
            } else {
                reason = others.map { "\($0.name) (\($0.kind))" }.joined(separator: ", ") + ": attached to nothing"
            }
            if ns.isOrphan { reason += "; no process (held by \(Self.holders(ns)))" }
            aside.append(MapAsideEntry(namespace: ns.id, name: Self.clean(ns.displayName), reason: reason))
        }
        if let host = snap.host {
            let rest = host.links.filter { $0.kind != .loopback && !shownHostLinks.contains($0.index) }
            if !rest.isEmpty {
                aside.append(MapAsideEntry(namespace: host.id, name: "host",
                                           reason: "not on the map: " + rest.map { "\($0.name) (\($0.kind))" }.joined(separator: ", ")))
            }
        }
    }

    // MARK: result

    /// Sorted by keys computed once per node and edge: the sort closures compared 5-tuples built from dictionary
    /// lookups on every comparison (generic tuple metadata and string hashing), which was half of `build` on a
    /// host with 1,000 endpoints.
    func finish() -> HostMap {
        struct NodeKey { var kind: Int; var host: Int; var ns: String; var name: String; var id: String }
        func less(_ a: NodeKey, _ b: NodeKey) -> Bool {
            if a.kind != b.kind { return a.kind < b.kind }
            if a.host != b.host { return a.host < b.host }
            if a.ns != b.ns { return a.ns < b.ns }
            if a.name != b.name { return a.name < b.name }
            return a.id < b.id
        }
        let sortedNodes = nodes.values
            .map { n in (NodeKey(kind: Self.order(n.kind), host: Self.hostFirst(n, hostID), ns: n.namespaceName ?? "", name: n.name, id: n.id), n) }
            .sorted { less($0.0, $1.0) }
            .map(\.1)
        var rank: [String: Int] = [:]
        rank.reserveCapacity(sortedNodes.count)
        for (i, n) in sortedNodes.enumerated() { rank[n.id] = i }
        struct EdgeKey { var kind: Int; var to: Int; var from: Int; var id: String }
        var keyed: [(EdgeKey, MapEdge)] = []
        keyed.reserveCapacity(edges.count)
        for e in edges.values {
            guard let to = rank[e.to], let from = rank[e.from] else { continue }
            keyed.append((EdgeKey(kind: Self.order(e.kind), to: to, from: from, id: e.id), e))
        }
        let sortedEdges = keyed.sorted { a, b in
            let x = a.0, y = b.0
            if x.kind != y.kind { return x.kind < y.kind }
            if x.to != y.to { return x.to < y.to }
            if x.from != y.from { return x.from < y.from }
            return x.id < y.id
        }.map(\.1)
        let sortedAside = aside.sorted { ($0.name, $0.namespace, $0.reason) < ($1.name, $1.namespace, $1.reason) }
        return HostMap(takenAt: snap.takenAt, nodes: sortedNodes, edges: sortedEdges, aside: sortedAside)
    }

    static func order(_ k: MapNode.Kind) -> Int {
        switch k {
        case .uplink: return 0
        case .bus: return 1
        case .namespace: return 2
        case .vtep: return 3
        case .remote: return 4
        case .remoteEndpoint: return 5
        }
    }

    static func order(_ k: MapEdge.Kind) -> Int {
        switch k {
        case .nat: return 0
        case .published: return 1
        case .port: return 2
        case .veth: return 3
        case .tunnel: return 4
        case .hosted: return 5
        }
    }

    static func hostFirst(_ n: MapNode, _ host: UInt64?) -> Int { n.namespace == host ? 0 : 1 }

    // MARK: helpers

    /// Addresses worth printing: not IPv6 link-local ones (every interface has one).
    /// A link's addresses as the map's nodes and edges show them: without IPv6 link-local ones.
    static func visible(_ addresses: [IPPrefix]) -> [MapAddress] {
        addresses.filter { !isLinkLocal($0) }.map(MapAddress.withPrefix)
    }

    static func isLinkLocal(_ p: IPPrefix) -> Bool {
        p.isIPv6 && p.address.isLinkLocal
    }

    static func holders(_ ns: Namespace) -> String {
        let kinds = Set(ns.heldBy.map(\.kind))
        if kinds.contains(.bindMount) { return ns.paths.first ?? "a bind mount" }
        if kinds.contains(.fd) { return "an open fd" }
        return "nothing seen"
    }

    /// Names are printed into a grid of one cell per character: control characters and characters that may
    /// take two cells (or none) are shown as `?`, so a hostile or exotic name cannot break the picture.
    static func clean(_ s: String) -> String { MapText.clean(s) }
}
