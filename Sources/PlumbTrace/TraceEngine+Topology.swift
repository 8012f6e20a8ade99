import PlumbModel

/// How the engine finds its way across layer 2: veth peers, who owns an address behind a bridge port, and the
/// bridge FDB.
extension TraceEngine {

    struct Peer { var ns: Namespace; var link: Link }

    func resolvePeer(_ l: Link) -> Peer? {
        guard let p = l.peer, let nsid = p.namespace, let ns = namespace(nsid),
              let link = ns.link(index: p.index) else { return nil }
        return Peer(ns: ns, link: link)
    }

    /// Who answers for an address on a layer-2 segment: a label for the text, and the MAC frames for it carry.
    struct Owner: CustomStringConvertible {
        var label: String
        var mac: String?
        var description: String { label }
    }

    /// Who beyond link `l` (of namespace `ns`) owns `ip` on the same layer-2 segment: the veth peer's namespace,
    /// or anything on a bridge the peer is a port of. nil when nobody does.
    func owner(of ip: IPAddress, beyond l: Link, in ns: Namespace, depth: Int = 0) -> Owner? {
        guard depth < 8 else { return nil }
        if l.kind == .veth, let peer = resolvePeer(l) {
            return owner(of: ip, at: peer.link, in: peer.ns, depth: depth + 1)
        }
        // A cluster overlay's VXLAN device: an endpoint on another host, as the cluster store says.
        if l.kind == .vxlan, let vni = l.vxlan?.vni, let ep = cluster?.remoteEndpoint(ip.description, vni: vni) {
            return Owner(label: "\(ep.name ?? ep.address) on host \(ep.host) (cluster overlay \(ep.network))",
                         mac: ep.mac ?? HardwareAddress.overlayEndpoint(ip)?.description)
        }
        return nil  // vxlan, macvlan, physical ports: what is behind them is not visible
    }

    /// The frame arrives at `l` in `ns`: does this namespace answer for `ip`, or something further on its bridge?
    func owner(of ip: IPAddress, at l: Link, in ns: Namespace, depth: Int) -> Owner? {
        if let master = l.master, let bridge = ns.link(index: master.index) {
            if AddressTypeTable(namespace: ns).type(of: ip) == "LOCAL" {
                return Owner(label: "bridge \(bridge.name) in \(ns.displayName)", mac: bridge.mac)
            }
            for p in ns.links where p.master?.index == bridge.index && p.index != l.index {
                if let o = owner(of: ip, beyond: p, in: ns, depth: depth + 1) { return o }
            }
            return nil
        }
        // Linux answers ARP for any of its addresses on any link (arp_ignore 0): the MAC is the arriving link's.
        if AddressTypeTable(namespace: ns).type(of: ip) == "LOCAL" { return Owner(label: "\(l.name) in \(ns.displayName)", mac: l.mac) }
        return nil
    }

    /// What the bridge's forwarding database says about the owner's MAC, next to the port found by address.
    func fdbStep(_ ns: Namespace, bridge: Link, port: Link, owner: Owner, _ h: inout TraceHop, _ run: inout Run) {
        guard let mac = owner.mac?.lowercased(), let fdb = oracle.forwardingDatabase(bridge: bridge.index, in: ns) else { return }
        let entries = fdb.filter { $0.mac.lowercased() == mac && $0.port != bridge.index }
        if entries.isEmpty {
            h.steps.append(TraceStep(.bridge, "fdb: \(mac) not learned yet: the bridge floods the frame to every port, \(port.name) included"))
        } else if let e = entries.first(where: { $0.port == port.index }) {
            h.steps.append(TraceStep(.bridge, "fdb: \(mac) on \(port.name) (\(e.permanent ? "static" : "learned")"
                                     + (e.vlan.map { ", vlan \($0)" } ?? "") + ")"))
        } else {
            let other = entries.map { ns.link(index: $0.port)?.name ?? "#\($0.port)" }.joined(separator: ", ")
            h.steps.append(TraceStep(.bridge, "fdb: \(mac) on \(other), not on \(port.name) where its owner is"))
            run.uncertainties.append("\(ns.displayName): bridge \(bridge.name)'s fdb sends \(mac) to \(other), though \(owner.label) "
                                     + "is behind \(port.name) (a stale entry, or a MAC moved?)")
        }
    }
}
