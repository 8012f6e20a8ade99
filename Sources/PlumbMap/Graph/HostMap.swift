import PlumbModel

/// The host's container network as a graph: what `plumb map` exports and the TUI's Map view draws. Built from
/// one snapshot (`HostMapBuilder`), pure values. Node and edge ids are made of the snapshot's ids (namespace
/// inode, ifindex), so a script can join them with `plumb snapshot --json`.
///
/// Nodes and edges are sorted by stable keys (names first, ids last), so the same snapshot always gives the
/// same graph and a new container only adds its own node and edge.
public struct HostMap: Codable, Sendable, Equatable {
    public var schemaVersion = 1
    /// When the snapshot it was built from was read (seconds since the epoch).
    public var takenAt: Double
    public var nodes: [MapNode]
    public var edges: [MapEdge]
    /// What is not drawn as part of the graph, each with the reason: namespaces with only a loopback or with
    /// nothing attached, links that lead nowhere. Nothing is left out silently.
    public var aside: [MapAsideEntry]

    public init(takenAt: Double, nodes: [MapNode], edges: [MapEdge], aside: [MapAsideEntry]) {
        self.takenAt = takenAt; self.nodes = nodes; self.edges = edges; self.aside = aside
    }

    public func node(_ id: String) -> MapNode? { nodes.first { $0.id == id } }

    /// Edges touching `id`, in graph order.
    public func edges(of id: String) -> [MapEdge] { edges.filter { $0.from == id || $0.to == id } }
}

/// One thing the map draws.
public struct MapNode: Codable, Sendable, Equatable, Identifiable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// A default-route device of the host (eth0): where NAT and published ports meet the outside.
        case uplink
        /// A bridge, or the parent of macvlan/macvtap children: a bus that ports hang from.
        case bus
        /// A network namespace: a container, an `ip netns` namespace, an anonymous one, or the host itself.
        case namespace
        /// A VXLAN device (a tunnel endpoint).
        case vtep
        /// A tunnel endpoint outside every namespace in view (another machine's VTEP address).
        case remote
        /// An endpoint of a cluster overlay on another host (from the cluster store): `host` names the host.
        case remoteEndpoint = "remote-endpoint"
    }

    /// `uplink:NS:IFINDEX`, `bus:NS:IFINDEX`, `ns:NS`, `vtep:NS:IFINDEX`, `remote:ADDRESS` (NS: a namespace id);
    /// with a cluster store, `remote-endpoint:NETWORK:ADDRESS` and `remote-host:HOST` (a host with no live VTEP).
    public var id: String
    public var kind: Kind
    /// What the picture prints: the device name, the container name, the `ip netns` name, `host`, an address.
    public var name: String
    /// The namespace the node is (namespace nodes) or lives in (uplinks, buses, VTEPs); nil for remotes.
    public var namespace: UInt64?
    /// That namespace's name as Plumb shows it.
    public var namespaceName: String?
    /// The link (uplinks, buses, VTEPs).
    public var ifindex: Int?
    /// Addresses of the device (uplinks, buses, VTEPs), CIDR; a remote's own address, bare.
    public var addresses: [MapAddress]
    /// Buses: `bridge` or `macvlan` (the parent of macvlan/macvtap children).
    public enum BusKind: String, Codable, Sendable, Hashable { case bridge, macvlan }
    public var busKind: BusKind?
    /// Buses: the subnet (from the bridge's address, else from its ports' addresses) and the gateway.
    public var subnet: IPPrefix?
    public var gateway: IPAddress?
    public var owner: BusOwner?
    /// Namespaces: docker, podman, cni, containerd, kubernetes, lxc, nspawn, plumb, netns (an `ip netns`
    /// name only), anonymous, host.
    public var runtime: String?
    /// Namespaces: `running` (a process lives in it) or `no process` (held by a bind mount or an fd only).
    public var state: String?
    /// VTEPs: the VNI, the UDP port, the local address.
    public var vni: UInt32?
    public var port: Int?
    public var local: IPAddress?
    /// Uplinks, buses, VTEPs: the device's state (up, down, no carrier).
    public var linkState: MapLinkState?
    /// With a cluster store: the host a remote VTEP or a remote endpoint belongs to, and the cluster overlay
    /// (network) a remote endpoint is on.
    public var host: String?
    public var network: String?

    public init(id: String, kind: Kind, name: String, namespace: UInt64? = nil, namespaceName: String? = nil,
                ifindex: Int? = nil, addresses: [MapAddress] = []) {
        self.id = id; self.kind = kind; self.name = name; self.namespace = namespace
        self.namespaceName = namespaceName; self.ifindex = ifindex; self.addresses = addresses
    }
}

/// Who made a bridge, and how Plumb knows.
public struct BusOwner: Codable, Sendable, Equatable {
    /// The tool that made the bus: a container runtime, or `manual` (made by hand, or by a tool Plumb does not
    /// know). The JSON and the labels write the raw value.
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        case docker, podman, cni, containerd, kubernetes, lxc, nspawn, plumb, unknown, manual
        /// The runtime a container or a runtime network names.
        public init(_ runtime: Container.Runtime) { self = Kind(rawValue: runtime.rawValue) ?? .unknown }
    }
    public var kind: Kind
    /// The network's name in that tool (Docker's `bridge`, a Plumb network, a CNI network), when known.
    public var network: String?
    /// The evidence: "rule tagged plumb:web", "DOCKER chains name it", "bridge name", "its containers".
    public var evidence: String
    /// The runtime's id of that network (Docker's, netavark's), when its files give one.
    public var networkID: String?

    public init(kind: Kind, network: String? = nil, networkID: String? = nil, evidence: String) {
        self.kind = kind; self.network = network; self.networkID = networkID; self.evidence = evidence
    }

    /// "docker network bridge", "plumb network web", "hand-made".
    public var label: String {
        if kind == .manual { return "hand-made" }
        return network.map { "\(kind.rawValue) network \($0)" } ?? kind.rawValue
    }
}

/// A link's state as the map colours it.
public enum MapLinkState: String, Codable, Sendable, CaseIterable {
    case up
    /// Administratively down at either end.
    case down
    /// Up, but no carrier (the other end is down or missing).
    case noCarrier = "no-carrier"
    case unknown

    public init(_ link: Link?) {
        guard let link else { self = .unknown; return }
        if !link.isUp { self = .down } else if link.kind == .loopback || link.hasCarrier { self = .up } else { self = .noCarrier }
    }

    /// The worse of two ends: down beats no carrier beats unknown beats up.
    public func worse(_ other: MapLinkState) -> MapLinkState { other.rank > rank ? other : self }

    var rank: Int {
        switch self {
        case .up: return 0
        case .unknown: return 1
        case .noCarrier: return 2
        case .down: return 3
        }
    }
}

/// A connection between two nodes.
public struct MapEdge: Codable, Sendable, Equatable, Identifiable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// A namespace's (or VTEP's) port on a bus: a veth whose other end is enslaved to the bridge, a VXLAN
        /// enslaved to it, or a macvlan/macvtap child of the bus's parent. `from` is the port, `to` the bus.
        case port
        /// A bus whose subnet the uplink masquerades (`from` the bus, `to` the uplink).
        case nat
        /// A host port published to a namespace (`from` the uplink, `to` the namespace).
        case published
        /// A veth pair joining two namespaces directly, with no bridge.
        case veth
        /// A VXLAN tunnel from a VTEP to a remote VTEP (a device's remote or an FDB entry; with a cluster store,
        /// also a peer VTEP the store lists that the FDB lacks, with state `unknown`).
        case tunnel
        /// A remote endpoint on its host (`from` the endpoint, `to` its host's remote VTEP, or its `remote-host`
        /// node when the host has no live VTEP), from the cluster store.
        case hosted
    }

    /// `KIND:FROM~TO[:DETAIL]`: unique within the map.
    public var id: String
    public var kind: Kind
    public var from: String
    public var to: String
    /// The link at the `from` end (a namespace's eth0, a VTEP), by namespace id and ifindex, with its name.
    public var namespace: UInt64?
    public var ifindex: Int?
    public var interface: String?
    /// The other end's link name (a veth's host end, the peer veth), when there is one.
    public var peerInterface: String?
    /// The `from` end's addresses (CIDR; bare for another host's endpoint).
    public var addresses: [MapAddress]
    /// Both ends' state, the worse of the two.
    public var state: MapLinkState
    /// What the picture prints on it: a NAT subnet, `8080/tcp→80`, `vni 42`.
    public var label: String?

    public init(kind: Kind, from: String, to: String, detail: String? = nil, namespace: UInt64? = nil,
                ifindex: Int? = nil, interface: String? = nil, peerInterface: String? = nil,
                addresses: [MapAddress] = [], state: MapLinkState = .unknown, label: String? = nil) {
        self.id = "\(kind.rawValue):\(from)~\(to)" + (detail.map { ":\($0)" } ?? "")
        self.kind = kind; self.from = from; self.to = to; self.namespace = namespace; self.ifindex = ifindex
        self.interface = interface; self.peerInterface = peerInterface; self.addresses = addresses
        self.state = state; self.label = label
    }
}

/// Something the map does not draw in the graph, and why.
public struct MapAsideEntry: Codable, Sendable, Equatable {
    /// The namespace it is in or is.
    public var namespace: UInt64
    public var name: String
    /// `loopback only`, `no process, nothing attached`, `veth dangling0: peer not found`, ...
    public var reason: String

    public init(namespace: UInt64, name: String, reason: String) {
        self.namespace = namespace; self.name = name; self.reason = reason
    }
}

/// The ids the builder gives nodes: stable across snapshots of the same objects.
public enum MapID {
    public static func namespace(_ ns: UInt64) -> String { "ns:\(ns)" }
    public static func bus(_ ns: UInt64, _ ifindex: Int) -> String { "bus:\(ns):\(ifindex)" }
    public static func uplink(_ ns: UInt64, _ ifindex: Int) -> String { "uplink:\(ns):\(ifindex)" }
    public static func vtep(_ ns: UInt64, _ ifindex: Int) -> String { "vtep:\(ns):\(ifindex)" }
    public static func remote(_ address: String) -> String { "remote:\(address)" }
    public static func remoteEndpoint(network: String, address: String) -> String { "remote-endpoint:\(network):\(address)" }
    public static func remoteHost(_ host: String) -> String { "remote-host:\(host)" }
}
