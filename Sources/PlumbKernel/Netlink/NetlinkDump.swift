import PlumbSystem
import Glibc
import Foundation
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
    /// With `second` (another socket bound to the same namespace), routes, neighbours and netconf are dumped on
    /// a second thread while this one dumps links and addresses: for a single big namespace (the host with
    /// hundreds of veths) the two halves take similar time, so wall time nearly halves on two cores.
    static func dump<Source: NetlinkDumpSource>(_ s: Source, second: Source? = nil, linksOnly: Bool = false,
                     light: Bool = false) throws -> NetlinkDump {
        var out = NetlinkDump()
        if linksOnly {
            out.links = try s.links()
            return out
        }
        if light {
            try dumpLinks(s, into: &out)
            return out
        }
        var tables: Result<Tables, any Error> = .failure(NetlinkError(operation: "route dump", code: 0))
        let joined = DispatchSemaphore(value: 0)
        if let second {
            let box = ResultBox<Tables>()
            Thread { box.set(Result { try dumpTables(second) }); joined.signal() }.start()
            defer { joined.wait(); tables = Result { try box.get() } }
            try dumpLinks(s, into: &out)
        } else {
            try dumpLinks(s, into: &out)
            tables = Result { try dumpTables(s) }
        }
        join(&out, try tables.get())
        return out
    }

    /// ifindex -> name, what routes, neighbours and netconf entries are labelled with.
    static func linkNames(_ links: [DumpedLink]) -> [Int: String] {
        var names: [Int: String] = [:]
        for d in links { names[d.link.index] = d.link.name }
        return names
    }

    /// Puts the tables half of a dump beside its links half: routes and neighbours get their device names.
    static func join(_ out: inout NetlinkDump, _ t: Tables) {
        let names = linkNames(out.links)
        out.routes = t.convertedRoutes ?? t.routes.map { readRoute($0, names: names) }
        out.neighbors = t.neighbors.map { n in var n = n; n.dev = names[n.ifindex]; return n }
        out.sysctls = t.netconf.sysctls(names: names)
    }

    /// Links, their addresses and bridge-port states.
    static func dumpLinks(_ s: some NetlinkDumpSource, into out: inout NetlinkDump) throws {
        var positions: [Int: Int] = [:]
        var needsPortDump = false
        for d in try s.links() {
            positions[d.link.index] = out.links.count
            // Kernels that put the port state in the link dump's slave data need no AF_BRIDGE dump.
            if d.link.master != nil && d.link.bridgePort == nil { needsPortDump = true }
            out.links.append(d)
        }
        let addrCache = try s.cache(.addresses)
        addrCache.forEach { o in
            let ifindex = Int(rtnl_addr_get_ifindex(o))
            guard let pos = positions[ifindex], let a = address(o) else { return }
            out.links[pos].link.addresses.append(a)
        }
        if needsPortDump {
            for (idx, st) in s.bridgePortStates(capacity: out.links.count) {
                guard let pos = positions[idx], out.links[pos].link.master != nil else { continue }
                out.links[pos].link.bridgePort = BridgePortInfo(state: bridgePortState(Int32(st & 0x7f)),
                                                                hairpin: st & 0x80 != 0)
            }
        }
        VxlanFdbReader.fill(&out.links, from: s)
    }

    /// Addresses by ifindex and routes of all tables, without the link dump (whose per-veth netnsid lookups are
    /// the expensive part on a big host): what the live view reads after address or route events.
    static func addressesAndRoutes(_ s: some NetlinkDumpSource, names: [Int: String]) throws -> (addresses: [Int: [IPPrefix]], routes: [Route]) {
        var addresses: [Int: [IPPrefix]] = [:]
        let addrCache = try s.cache(.addresses)
        addrCache.forEach { o in
            guard let a = address(o) else { return }
            addresses[Int(rtnl_addr_get_ifindex(o)), default: []].append(a)
        }
        return (addresses, try s.routes().map { readRoute($0, names: names) })
    }

    /// An address dump entry's local address and prefix length.
    static func address(_ o: OpaquePointer) -> IPPrefix? {
        NetlinkAddress.address(rtnl_addr_get_local(o)).map { IPPrefix(unchecked: $0, length: Int(rtnl_addr_get_prefixlen(o))) }
    }

    /// Routes, neighbours and netconf, before link names are known.
    struct Tables: Sendable {
        var routes: [plumb_route] = []
        /// `routes` already turned into the model's routes, by a thread that knew the link names.
        var convertedRoutes: [Route]? = nil
        var neighbors: [Neighbor] = []
        var netconf = NetconfEntries()
    }

    static func dumpTables(_ s: some NetlinkDumpSource) throws -> Tables {
        var t = Tables()
        for part in TablePart.allCases { try dump(part, s, into: &t) }
        return t
    }

    /// The three dumps a `Tables` is made of, so that two threads can share them (HostPrefetch).
    enum TablePart: Int, CaseIterable, Sendable { case routes, neighbors, netconf }

    static func dump(_ part: TablePart, _ s: some NetlinkDumpSource, into t: inout Tables) throws {
        switch part {
        case .routes:
            t.routes = try s.routes()
        case .neighbors:
            let neighCache = try s.cache(.neighbours)
            var list: [Neighbor] = []
            neighCache.forEach { o in
                let fam = rtnl_neigh_get_family(o)
                guard fam == AF_INET || fam == AF_INET6, let ip = NetlinkAddress.address(rtnl_neigh_get_dst(o)) else { return }
                list.append(Neighbor(family: fam == AF_INET ? .ipv4 : .ipv6, ip: ip,
                                     mac: NetlinkAddress.string(rtnl_neigh_get_lladdr(o)),
                                     ifindex: Int(rtnl_neigh_get_ifindex(o)), dev: nil,
                                     state: neighStates(rtnl_neigh_get_state(o))))
            }
            t.neighbors = list
        case .netconf:
            if let nc = try? s.cache(.netconf) {
                t.netconf = readNetconf(nc)
            }
        }
    }

    // MARK: links

    /// Builds the model's Link from one flat C record of the link dump.
    static func readLink(_ r: plumb_link) -> DumpedLink {
        var r = r
        let index = Int(r.index)
        let name = withUnsafeBytes(of: &r.name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        let kindName = withUnsafeBytes(of: &r.kind) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        let kind: LinkKind = kindName.isEmpty ? (r.flags & UInt32(IFF_LOOPBACK) != 0 ? .loopback : .device) : LinkKind(kindName)
        let mac: String? = r.mac_len > 0
            ? withUnsafeBytes(of: &r.mac) { $0.prefix(Int(r.mac_len)).map(NetlinkAddress.hexByte).joined(separator: ":") }
            : nil
        var link = Link(index: index, name: name, kind: kind, mac: mac, mtu: Int(r.mtu), flags: flagNames(r.flags),
                        operState: operState(r.operstate))
        if r.master > 0 { link.master = LinkRef(index: Int(r.master)) }
        if r.has_brport != 0 {
            link.bridgePort = BridgePortInfo(state: bridgePortState(Int32(r.brport_state & 0x7f)),
                                             hairpin: r.brport_state & 0x80 != 0)
        }
        link.stats.rxPackets = r.rx_packets
        link.stats.txPackets = r.tx_packets
        link.stats.rxBytes = r.rx_bytes
        link.stats.txBytes = r.tx_bytes
        link.stats.rxErrors = r.rx_errors
        link.stats.txErrors = r.tx_errors
        link.stats.rxDropped = r.rx_dropped
        link.stats.txDropped = r.tx_dropped

        let hasNetnsid = r.has_link_netnsid != 0 && r.link_netnsid >= 0
        // Devices report IFLA_LINK == their own index; a peer in another namespace may have our index too.
        var lower: Int? = nil
        if r.link > 0 && (hasNetnsid || Int(r.link) != index) { lower = Int(r.link) }

        if r.is_vxlan != 0 {
            var info = VxlanInfo(vni: r.vni)
            info.remote = withUnsafeBytes(of: &r.vx_group) { NetlinkAddress.address(family: r.vx_group_family, $0) }
            info.local = withUnsafeBytes(of: &r.vx_local) { NetlinkAddress.address(family: r.vx_local_family, $0) }
            if r.vx_port > 0 { info.port = Int(r.vx_port) }
            link.vxlan = info
            if r.vx_link > 0 { lower = Int(r.vx_link) }
        }
        if kind.isMacvlanFamily { link.macvlanMode = macvlanMode(r.macvlan_mode) }
        // IFLA_LINK only means "peer" for veth and "parent" for stacked devices; elsewhere it is noise.
        let wired = kind.hasLowerLink
        return DumpedLink(link: link, lowerIndex: wired ? lower : nil,
                          lowerNetnsid: wired && hasNetnsid ? r.link_netnsid : nil)
    }

    /// MACVLAN_MODE_* (linux/if_link.h).
    static func macvlanMode(_ m: UInt32) -> String? {
        switch m {
        case 1: return "private"
        case 2: return "vepa"
        case 4: return "bridge"
        case 8: return "passthru"
        case 16: return "source"
        default: return nil
        }
    }

    /// In bit order: the order `flags` lists them in.
    static let flagBits: [(UInt32, LinkFlag)] = [
        (UInt32(IFF_UP), .up), (UInt32(IFF_BROADCAST), .broadcast), (UInt32(IFF_LOOPBACK), .loopback),
        (UInt32(IFF_POINTOPOINT), .pointToPoint), (UInt32(IFF_NOARP), .noArp), (UInt32(IFF_PROMISC), .promisc),
        (UInt32(IFF_MULTICAST), .multicast), (UInt32(IFF_RUNNING), .running),
        (0x10000, .lowerUp), (0x20000, .dormant),
    ]
    static let flagTable: [(UInt32, String)] = flagBits.map { ($0.0, $0.1.rawValue) }
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

    static func readRoute(_ r: plumb_route, names: [Int: String]) -> Route {
        var r = r
        var buf = [CChar](repeating: 0, count: 64)
        func str(_ p: UnsafeMutablePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "" }
        let fam = r.family
        func ip(_ bytes: inout NetlinkAddress.Bytes16) -> IPAddress? { NetlinkAddress.address(family: fam, &bytes) }
        // A zero-length destination is the default route; so is one of a family without addresses (as before).
        let dst = r.has_dst != 0 && r.dst_len > 0 ? ip(&r.dst).map { IPPrefix(unchecked: $0, length: Int(r.dst_len)) } : nil
        var route = Route(family: fam == AF_INET ? .ipv4 : fam == AF_INET6 ? .ipv6 : .other, table: r.table,
                          tableName: str(rtnl_route_table2str(Int32(bitPattern: r.table), &buf, 64)), dst: dst)
        route.protocolName = str(rtnl_route_proto2str(Int32(r.protocol), &buf, 64))
        route.scope = str(rtnl_scope2str(Int32(r.scope), &buf, 64))
        route.type = str(nl_rtntype2str(Int32(r.type), &buf, 64))
        if r.has_priority != 0 && r.priority != 0 { route.metric = r.priority }
        if r.has_prefsrc != 0 { route.prefsrc = ip(&r.prefsrc) }
        if r.has_gateway != 0 { route.gateway = ip(&r.gateway) }
        if r.oif > 0 { route.ifindex = Int(r.oif); route.dev = names[Int(r.oif)] }
        return route
    }

    static let nudTable: [(Int32, String)] = [
        (0x01, "incomplete"), (0x02, "reachable"), (0x04, "stale"), (0x08, "delay"), (0x10, "probe"),
        (0x20, "failed"), (0x40, "noarp"), (0x80, "permanent"),
    ]
    static func neighStates(_ s: Int32) -> [String] {
        let names = nudTable.filter { s & $0.0 != 0 }.map(\.1)
        return names.isEmpty ? ["none"] : names
    }

    static func readNetconf(_ c: NetlinkCache) -> NetconfEntries {
        var entries = NetconfEntries()
        c.forEach { o in
            var fam: Int32 = 0, idx: Int32 = 0, v: Int32 = 0
            _ = rtnl_netconf_get_family(o, &fam)
            guard rtnl_netconf_get_ifindex(o, &idx) == 0 else { return }
            let fwd: Bool? = rtnl_netconf_get_forwarding(o, &v) == 0 ? v != 0 : nil
            let rp: Int? = rtnl_netconf_get_rp_filter(o, &v) == 0 ? Int(v) : nil
            entries.items.append(.init(family: fam, ifindex: idx, forwarding: fwd, rpFilter: rp))
        }
        return entries
    }
}

/// RTM_GETNETCONF answers, keyed by interface index until names are known.
struct NetconfEntries: Sendable {
    struct Item: Sendable { var family: Int32; var ifindex: Int32; var forwarding: Bool?; var rpFilter: Int? }
    var items: [Item] = []

    func sysctls(names: [Int: String]) -> Sysctls {
        var s = Sysctls()
        for e in items {
            // NETCONFA_IFINDEX_ALL = -1, NETCONFA_IFINDEX_DEFAULT = -2
            switch (e.family, e.ifindex) {
            case (AF_INET, -1): s.ipForward = e.forwarding; s.rpFilterAll = e.rpFilter
            case (AF_INET, -2): s.rpFilterDefault = e.rpFilter
            case (AF_INET6, -1): s.ipv6Forwarding = e.forwarding
            case (AF_INET, _):
                if let n = names[Int(e.ifindex)] {
                    if let rp = e.rpFilter { s.rpFilter[n] = rp }
                    if let fwd = e.forwarding { s.forwarding[n] = fwd }
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
