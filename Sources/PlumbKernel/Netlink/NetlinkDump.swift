import Glibc
import CNetlink
import PlumbModel

/// A link as dumped, with the raw cross-namespace reference still unresolved: IFLA_LINK (`lowerIndex`) and
/// IFLA_LINK_NETNSID (`lowerNetnsid`, an id that only means something inside this namespace).
struct DumpedLink: Sendable {
    var link: Link
    var lowerIndex: Int?
    var lowerNetnsid: Int32?
}

/// Everything one namespace's route socket says, from one bulk dump per object type.
struct NetlinkDump: Sendable {
    var links: [DumpedLink] = []
    var routes: [Route] = []
    var neighbors: [Neighbor] = []
    var sysctls = Sysctls()
}

/// Reads links, addresses, routes, neighbours and netconf of the socket's namespace through libnl caches,
/// joining them in memory (one dump per type, never one request per object).
enum NetlinkDumper {
    static func dump(_ s: NetlinkSocket, linksOnly: Bool = false) throws -> NetlinkDump {
        var out = NetlinkDump()
        let linkCache = try s.dumpCache("link dump") { rtnl_link_alloc_cache($0, AF_UNSPEC, $1) }
        var names: [Int: String] = [:]
        var positions: [Int: Int] = [:]
        var hasBridgePorts = false
        linkCache.forEach { o in
            let d = readLink(o)
            names[d.link.index] = d.link.name
            positions[d.link.index] = out.links.count
            if d.link.master != nil { hasBridgePorts = true }
            out.links.append(d)
        }
        if linksOnly { return out }

        let addrCache = try s.dumpCache("address dump") { rtnl_addr_alloc_cache($0, $1) }
        addrCache.forEach { o in
            let ifindex = Int(rtnl_addr_get_ifindex(o))
            guard let pos = positions[ifindex],
                  let ip = NetlinkAddress.string(rtnl_addr_get_local(o)) else { return }
            out.links[pos].link.addresses.append("\(ip)/\(rtnl_addr_get_prefixlen(o))")
        }

        if hasBridgePorts, let ports = try? s.dumpCache("bridge port dump", { rtnl_link_alloc_cache($0, AF_BRIDGE, $1) }) {
            ports.forEach { o in
                let idx = Int(rtnl_link_get_ifindex(o))
                let st = rtnl_link_bridge_get_port_state(o)
                guard let pos = positions[idx], st >= 0, out.links[pos].link.master != nil else { return }
                out.links[pos].link.bridgePort = BridgePortInfo(state: bridgePortState(st))
            }
        }

        let routeCache = try s.dumpCache("route dump") { rtnl_route_alloc_cache($0, AF_UNSPEC, 0, $1) }
        routeCache.forEach { o in out.routes.append(readRoute(o, names: names)) }

        let neighCache = try s.dumpCache("neighbour dump") { rtnl_neigh_alloc_cache($0, $1) }
        neighCache.forEach { o in
            let fam = rtnl_neigh_get_family(o)
            guard fam == AF_INET || fam == AF_INET6, let ip = NetlinkAddress.string(rtnl_neigh_get_dst(o)) else { return }
            let ifindex = Int(rtnl_neigh_get_ifindex(o))
            out.neighbors.append(Neighbor(family: fam == AF_INET ? .ipv4 : .ipv6, ip: ip,
                                          mac: NetlinkAddress.string(rtnl_neigh_get_lladdr(o)), ifindex: ifindex,
                                          dev: names[ifindex], state: neighStates(rtnl_neigh_get_state(o))))
        }

        if let nc = try? s.dumpCache("netconf dump", { rtnl_netconf_alloc_cache($0, $1) }) {
            out.sysctls = readNetconf(nc, names: names)
        }
        return out
    }

    // MARK: links

    static func readLink(_ o: OpaquePointer) -> DumpedLink {
        let index = Int(rtnl_link_get_ifindex(o))
        let name = rtnl_link_get_name(o).map { String(cString: $0) } ?? "if\(index)"
        let flags = rtnl_link_get_flags(o)
        var kind = rtnl_link_get_type(o).map { String(cString: $0) } ?? ""
        if kind.isEmpty { kind = flags & UInt32(IFF_LOOPBACK) != 0 ? "loopback" : "device" }
        var link = Link(index: index, name: name, kind: kind,
                        mac: NetlinkAddress.string(rtnl_link_get_addr(o)),
                        mtu: Int(rtnl_link_get_mtu(o)), flags: flagNames(flags),
                        operState: operState(rtnl_link_get_operstate(o)))
        let master = Int(rtnl_link_get_master(o))
        if master > 0 { link.master = LinkRef(index: master) }
        link.stats = readStats(o)

        var netnsid: Int32 = -1
        let hasNetnsid = rtnl_link_get_link_netnsid(o, &netnsid) == 0 && netnsid >= 0
        // Devices report IFLA_LINK == their own index; a peer in another namespace may have our index too.
        var lower: Int? = nil
        let ifLink = Int(rtnl_link_get_link(o))
        if ifLink > 0 && (hasNetnsid || ifLink != index) { lower = ifLink }

        switch kind {
        case "vxlan":
            var vni: UInt32 = 0
            _ = rtnl_link_vxlan_get_id(o, &vni)
            var info = VxlanInfo(vni: vni)
            var a: OpaquePointer?
            if rtnl_link_vxlan_get_group(o, &a) == 0 { info.remote = NetlinkAddress.string(a); nl_addr_put(a) }
            a = nil
            if rtnl_link_vxlan_get_local(o, &a) == 0 { info.local = NetlinkAddress.string(a); nl_addr_put(a) }
            var port: UInt32 = 0
            if rtnl_link_vxlan_get_port(o, &port) == 0 { info.port = Int(port) }
            link.vxlan = info
            var lowerDev: UInt32 = 0
            if rtnl_link_vxlan_get_link(o, &lowerDev) == 0, lowerDev > 0 { lower = Int(lowerDev) }
        case "macvlan", "macvtap":
            var buf = [CChar](repeating: 0, count: 32)
            let mode = rtnl_link_macvlan_get_mode(o)
            if mode != 0, rtnl_link_macvlan_mode2str(Int32(mode), &buf, 32) != nil {
                link.macvlanMode = String(cBuffer: buf)
            }
        default: break
        }
        // IFLA_LINK only means "peer" for veth and "parent" for stacked devices; elsewhere it is noise.
        let wired = ["veth", "macvlan", "macvtap", "vxlan", "vlan", "ipvlan", "ipvtap"].contains(kind)
        return DumpedLink(link: link, lowerIndex: wired ? lower : nil,
                          lowerNetnsid: wired && hasNetnsid ? netnsid : nil)
    }

    static func readStats(_ o: OpaquePointer) -> LinkStats {
        var s = LinkStats()
        s.rxPackets = rtnl_link_get_stat(o, RTNL_LINK_RX_PACKETS)
        s.txPackets = rtnl_link_get_stat(o, RTNL_LINK_TX_PACKETS)
        s.rxBytes = rtnl_link_get_stat(o, RTNL_LINK_RX_BYTES)
        s.txBytes = rtnl_link_get_stat(o, RTNL_LINK_TX_BYTES)
        s.rxErrors = rtnl_link_get_stat(o, RTNL_LINK_RX_ERRORS)
        s.txErrors = rtnl_link_get_stat(o, RTNL_LINK_TX_ERRORS)
        s.rxDropped = rtnl_link_get_stat(o, RTNL_LINK_RX_DROPPED)
        s.txDropped = rtnl_link_get_stat(o, RTNL_LINK_TX_DROPPED)
        return s
    }

    static let flagTable: [(UInt32, String)] = [
        (UInt32(IFF_UP), "up"), (UInt32(IFF_BROADCAST), "broadcast"), (UInt32(IFF_LOOPBACK), "loopback"),
        (UInt32(IFF_POINTOPOINT), "pointopoint"), (UInt32(IFF_NOARP), "noarp"), (UInt32(IFF_PROMISC), "promisc"),
        (UInt32(IFF_MULTICAST), "multicast"), (UInt32(IFF_RUNNING), "running"),
        (0x10000, "lower_up"), (0x20000, "dormant"),
    ]
    static func flagNames(_ f: UInt32) -> [String] { flagTable.filter { f & $0.0 != 0 }.map(\.1) }

    static func operState(_ s: UInt8) -> String {
        switch s {
        case 0: return "unknown"
        case 1: return "notpresent"
        case 2: return "down"
        case 3: return "lowerlayerdown"
        case 4: return "testing"
        case 5: return "dormant"
        case 6: return "up"
        default: return "unknown"
        }
    }

    static func bridgePortState(_ s: Int32) -> String {
        ["disabled", "listening", "learning", "forwarding", "blocking"][safe: Int(s)] ?? "state\(s)"
    }

    // MARK: routes, neighbours, netconf

    static func readRoute(_ o: OpaquePointer, names: [Int: String]) -> Route {
        let fam = Int32(rtnl_route_get_family(o))
        let table = rtnl_route_get_table(o)
        var buf = [CChar](repeating: 0, count: 64)
        func str(_ p: UnsafeMutablePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "" }
        let tableName = str(rtnl_route_table2str(Int32(bitPattern: table), &buf, 64))
        var r = Route(family: fam == AF_INET ? .ipv4 : fam == AF_INET6 ? .ipv6 : .other, table: table,
                      tableName: tableName,
                      dst: NetlinkAddress.cidr(rtnl_route_get_dst(o), defaultWhenEmpty: true) ?? "default")
        r.protocolName = str(rtnl_route_proto2str(Int32(rtnl_route_get_protocol(o)), &buf, 64))
        r.scope = str(rtnl_scope2str(Int32(rtnl_route_get_scope(o)), &buf, 64))
        r.type = str(nl_rtntype2str(Int32(rtnl_route_get_type(o)), &buf, 64))
        let prio = rtnl_route_get_priority(o)
        if prio != 0 { r.metric = prio }
        r.prefsrc = NetlinkAddress.string(rtnl_route_get_pref_src(o))
        if rtnl_route_get_nnexthops(o) > 0, let nh = rtnl_route_nexthop_n(o, 0) {
            r.gateway = NetlinkAddress.string(rtnl_route_nh_get_gateway(nh))
            let idx = Int(rtnl_route_nh_get_ifindex(nh))
            if idx > 0 { r.ifindex = idx; r.dev = names[idx] }
        }
        return r
    }

    static let nudTable: [(Int32, String)] = [
        (0x01, "incomplete"), (0x02, "reachable"), (0x04, "stale"), (0x08, "delay"), (0x10, "probe"),
        (0x20, "failed"), (0x40, "noarp"), (0x80, "permanent"),
    ]
    static func neighStates(_ s: Int32) -> [String] {
        let names = nudTable.filter { s & $0.0 != 0 }.map(\.1)
        return names.isEmpty ? ["none"] : names
    }

    static func readNetconf(_ c: NetlinkCache, names: [Int: String]) -> Sysctls {
        var s = Sysctls()
        c.forEach { o in
            var fam: Int32 = 0, idx: Int32 = 0, v: Int32 = 0
            _ = rtnl_netconf_get_family(o, &fam)
            guard rtnl_netconf_get_ifindex(o, &idx) == 0 else { return }
            let fwd: Bool? = rtnl_netconf_get_forwarding(o, &v) == 0 ? v != 0 : nil
            let rp: Int? = rtnl_netconf_get_rp_filter(o, &v) == 0 ? Int(v) : nil
            // NETCONFA_IFINDEX_ALL = -1, NETCONFA_IFINDEX_DEFAULT = -2
            switch (fam, idx) {
            case (AF_INET, -1): s.ipForward = fwd; s.rpFilterAll = rp
            case (AF_INET, -2): s.rpFilterDefault = rp
            case (AF_INET6, -1): s.ipv6Forwarding = fwd
            case (AF_INET, _):
                if let n = names[Int(idx)] {
                    if let rp { s.rpFilter[n] = rp }
                    if let fwd { s.forwarding[n] = fwd }
                }
            default: break
            }
        }
        return s
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
