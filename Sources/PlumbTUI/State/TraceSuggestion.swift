import PlumbMap
import PlumbModel

/// Where `t` starts the live trace, and the destination it offers in the prompt, for what is selected outside the
/// panes: a node of the map, or a doctor finding. The offer is only typed into the prompt: the user reads it,
/// may change it, and sends the one real packet with Enter.
struct TraceSuggestion: Equatable {
    var source: UInt64
    /// "DST [PORT[/udp]]" as `LiveTraceRequest.parse` reads it; nil: the prompt starts empty.
    var destination: String?

    /// A map node: from its namespace (a bus, uplink or VTEP: the namespace it lives in), towards the first place
    /// its packets meet: a namespace on a bus → the bus's gateway; the end of a direct veth → the other end's
    /// address; a bus → its first port's address. Nil for a node outside the host (a remote VTEP).
    static func forMapNode(_ node: MapNode, placedBy edge: MapEdge?, map: HostMap, snapshot: Snapshot) -> TraceSuggestion? {
        guard let ns = node.namespace else { return nil }
        var destination: String?
        switch node.kind {
        case .namespace:
            let edges = edge.map { [$0] } ?? map.edges(of: node.id).filter { $0.kind == .port || $0.kind == .veth }
            for e in edges where destination == nil {
                switch e.kind {
                case .port:
                    let bus = map.node(e.from == node.id ? e.to : e.from)
                    destination = bus?.gateway.flatMap(Self.address)
                case .veth:
                    destination = otherEnd(of: e, from: node, snapshot: snapshot)
                default: break
                }
            }
        case .bus:
            destination = map.edges(of: node.id).first { $0.kind == .port && $0.to == node.id && !$0.addresses.isEmpty }
                .flatMap { $0.addresses.lazy.compactMap(Self.address).first }
        default:
            break   // an uplink, a VTEP: no first hop to offer
        }
        return TraceSuggestion(source: ns, destination: destination)
    }

    /// A finding: the first flow it is about (from the namespace that owns the flow's source address, else the
    /// namespace whose rules decide it), else from the first namespace it names (a container rather than the host).
    static func forFinding(_ f: Finding, snapshot: Snapshot) -> TraceSuggestion? {
        if let flow = f.impact?.flows.first(where: { $0.concerned && $0.destination != nil }), let dst = flow.destination {
            let sender = flow.source.flatMap { Self.owner(of: $0, in: snapshot) }
            var text = dst
            if let port = flow.destinationPort, flow.proto == "tcp" || flow.proto == "udp" {
                text += " \(port)" + (flow.proto == "udp" ? "/udp" : "")
            }
            return TraceSuggestion(source: sender ?? flow.namespace, destination: text)
        }
        let host = snapshot.host?.id
        let named = f.subjects.map(\.namespace).filter { snapshot.namespace(id: $0) != nil }
        guard let ns = named.first(where: { $0 != host }) ?? named.first else { return nil }
        return TraceSuggestion(source: ns, destination: nil)
    }

    /// The namespace that has `address` on one of its links (a container rather than the host when both do).
    static func owner(of address: String, in snapshot: Snapshot) -> UInt64? {
        guard let a = IPAddress(address) else { return nil }
        let owners = snapshot.namespaces.filter { ns in ns.links.contains { $0.addresses.contains { $0.address == a } } }
        return (owners.first { !$0.isHost } ?? owners.first)?.id
    }

    /// The address of the veth's other end, read from the snapshot (the map keeps only the `from` end's).
    private static func otherEnd(of e: MapEdge, from node: MapNode, snapshot: Snapshot) -> String? {
        if e.from != node.id { return e.addresses.lazy.compactMap(Self.address).first }
        guard let ns = e.namespace, let i = e.ifindex,
              let peer = snapshot.namespace(id: ns)?.links.first(where: { $0.index == i })?.peer,
              let link = peer.namespace.flatMap({ snapshot.namespace(id: $0) })?.links.first(where: { $0.index == peer.index }) else { return nil }
        return link.addresses.first { !$0.address.isLinkLocal }?.address.description
    }

    /// "10.213.0.1/24" → "10.213.0.1"; a link-local address is no destination to offer.
    private static func address(_ a: MapAddress) -> String? { address(a.address) }

    private static func address(_ a: IPAddress) -> String? { a.isLinkLocal ? nil : a.description }
}
