/// What the cluster store says about the overlays this host shares with others, as the map needs it: per cluster
/// overlay, the other hosts' live VTEPs and every endpoint with its host. Pure values: the CLI and the TUI read
/// them from etcd (`/plumb/v1/`) and hand them over; without a store there is none, and the map is the host's
/// alone, exactly as before.
public struct MapClusterView: Sendable, Equatable {
    public struct VTEP: Sendable, Equatable {
        public var host: String
        public var underlay: String
        public init(host: String, underlay: String) { self.host = host; self.underlay = underlay }
    }

    public struct Endpoint: Sendable, Equatable {
        public var host: String
        public var address: String
        /// The container or namespace name on its host, when the lease has one.
        public var name: String?
        public var ifname: String?
        public init(host: String, address: String, name: String? = nil, ifname: String? = nil) {
            self.host = host; self.address = address; self.name = name; self.ifname = ifname
        }
    }

    public struct Overlay: Sendable, Equatable {
        public var network: String
        public var vni: UInt32
        /// Live VTEPs of every host (this one's too: it is skipped).
        public var vteps: [VTEP]
        /// Endpoints bound on every host (this one's too: they are skipped).
        public var endpoints: [Endpoint]
        public init(network: String, vni: UInt32, vteps: [VTEP], endpoints: [Endpoint]) {
            self.network = network; self.vni = vni; self.vteps = vteps; self.endpoints = endpoints
        }
    }

    /// This host's id in the cluster.
    public var me: String
    public var overlays: [Overlay]

    public init(me: String, overlays: [Overlay]) { self.me = me; self.overlays = overlays }
}

extension HostMap {
    /// The map with the cluster's view added to each local VTEP of a cluster overlay (matched by VNI): the other
    /// hosts' VTEPs named by their host (a tunnel the FDB lacks is added with state `unknown`), and their
    /// endpoints as `remote-endpoint` nodes, each `hosted` on its host's VTEP (or on a `remote-host` node when
    /// the host has no live VTEP: its agent is not running). Nodes and edges already there keep their order; the
    /// new ones follow, sorted.
    public func adding(_ cluster: MapClusterView) -> HostMap {
        var map = self
        var index = Dictionary(nodes.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var edgeIDs = Set(edges.map(\.id))
        var newNodes: [MapNode] = [], newEdges: [MapEdge] = []
        func upsert(_ id: String, make: () -> MapNode, change: (inout MapNode) -> Void) {
            if let i = index[id] {
                change(&map.nodes[i])
            } else if let j = newNodes.firstIndex(where: { $0.id == id }) {
                change(&newNodes[j])
            } else {
                var n = make()
                change(&n)
                newNodes.append(n)
            }
        }
        for vtep in nodes where vtep.kind == .vtep {
            guard let vni = vtep.vni, let overlay = cluster.overlays.first(where: { $0.vni == vni }) else { continue }
            var hostNode: [String: String] = [:]
            for v in overlay.vteps where v.host != cluster.me {
                let id = MapID.remote(v.underlay)
                hostNode[v.host] = id
                upsert(id, make: { MapNode(id: id, kind: .remote, name: v.underlay, addresses: MapAddress(v.underlay).map { [$0] } ?? []) }) { n in
                    n.name = MapText.clean(v.host)
                    n.host = v.host
                    n.runtime = "remote VTEP \(v.underlay)"
                }
                let tunnel = MapEdge(kind: .tunnel, from: vtep.id, to: id, detail: v.underlay, namespace: vtep.namespace,
                                     ifindex: vtep.ifindex, interface: vtep.name, addresses: vtep.addresses, state: .unknown,
                                     label: "vni \(vni) → \(v.underlay) (not in the FDB)")
                // The FDB's tunnel to that address has this very id.
                if edgeIDs.insert(tunnel.id).inserted { newEdges.append(tunnel) }
            }
            for ep in overlay.endpoints where ep.host != cluster.me {
                let to: String
                if let id = hostNode[ep.host] {
                    to = id
                } else {
                    to = MapID.remoteHost(ep.host)
                    upsert(to, make: { MapNode(id: to, kind: .remote, name: MapText.clean(ep.host)) }) { n in
                        n.host = ep.host
                        n.runtime = "no live VTEP: its agent is not running"
                    }
                }
                let id = MapID.remoteEndpoint(network: overlay.network, address: ep.address)
                upsert(id, make: { MapNode(id: id, kind: .remoteEndpoint, name: MapText.clean(ep.name ?? ep.address), addresses: MapAddress(ep.address).map { [$0] } ?? []) }) { n in
                    n.host = ep.host
                    n.network = overlay.network
                }
                let e = MapEdge(kind: .hosted, from: id, to: to, interface: ep.ifname, addresses: MapAddress(ep.address).map { [$0] } ?? [], state: .unknown,
                                label: "on \(ep.host)")
                if edgeIDs.insert(e.id).inserted { newEdges.append(e) }
            }
        }
        map.nodes += newNodes.sorted { ($0.kind.rawValue, $0.name, $0.id) < ($1.kind.rawValue, $1.name, $1.id) }
        map.edges += newEdges.sorted { ($0.kind.rawValue, $0.to, $0.from) < ($1.kind.rawValue, $1.to, $1.from) }
        return map
    }
}
