import Glibc
import CNetlink

/// The tables of a namespace that NetlinkDumper reads through libnl caches.
enum NetlinkCacheTable: Sendable {
    case addresses, neighbours, netconf

    var dumpName: String {
        switch self {
        case .addresses: return "address dump"
        case .neighbours: return "neighbour dump"
        case .netconf: return "netconf dump"
        }
    }

    /// libnl's cache type name, for a cache filled from recorded messages.
    var cacheKind: String {
        switch self {
        case .addresses: return "route/addr"
        case .neighbours: return "route/neigh"
        case .netconf: return "route/netconf"
        }
    }
}

/// Where the netlink readers get one namespace's dump answers from: a live socket bound to the namespace, or
/// messages recorded from one (RecordedNetlinkDump), so the readers are tested on real kernel output without
/// root. Both parse the same bytes with the same code.
protocol NetlinkDumpSource: Sendable {
    /// Every link (RTM_GETLINK).
    func links() throws -> [DumpedLink]
    /// Every route of every table (RTM_GETROUTE).
    func routes() throws -> [plumb_route]
    /// A libnl cache of addresses, neighbours or netconf entries.
    func cache(_ table: NetlinkCacheTable) throws -> NetlinkCache
    /// (ifindex, STP state) of every bridge port, for kernels whose link dump does not carry it.
    func bridgePortStates(capacity: Int) -> [(Int, UInt8)]
    /// Bridge FDB entries with a remote address (the VXLAN devices' remote VTEPs), see VxlanFdbReader.
    func vxlanFdb() throws -> [plumb_vxlan_fdb]
}

extension NetlinkSocket: NetlinkDumpSource {
    func cache(_ table: NetlinkCacheTable) throws -> NetlinkCache {
        switch table {
        case .addresses: return try dumpCache(table.dumpName) { rtnl_addr_alloc_cache($0, $1) }
        case .neighbours: return try dumpCache(table.dumpName) { rtnl_neigh_alloc_cache($0, $1) }
        case .netconf: return try dumpCache(table.dumpName) { rtnl_netconf_alloc_cache($0, $1) }
        }
    }
}

/// One namespace's dumps as the kernel sent them: for each request, the bytes of every answer message in order
/// (what recvmsg returned, NLMSG_DONE included). Tests replay fixtures recorded from a real kernel through it.
struct RecordedNetlinkDump: NetlinkDumpSource {
    var linkMessages: [UInt8]
    var addressMessages: [UInt8]
    var routeMessages: [UInt8]
    var neighbourMessages: [UInt8]
    var netconfMessages: [UInt8] = []

    func links() throws -> [DumpedLink] {
        try replay("link dump", linkMessages) { plumb_replay_links($0, $1, $2) }.map(NetlinkDumper.readLink)
    }

    func routes() throws -> [plumb_route] {
        try replay("route dump", routeMessages) { plumb_replay_routes($0, $1, $2) }
    }

    func cache(_ table: NetlinkCacheTable) throws -> NetlinkCache {
        let bytes: [UInt8]
        switch table {
        case .addresses: bytes = addressMessages
        case .neighbours: bytes = neighbourMessages
        case .netconf: bytes = netconfMessages
        }
        var cache: OpaquePointer?
        let err = bytes.withUnsafeBytes { plumb_replay_cache(table.cacheKind, $0.baseAddress, $0.count, &cache) }
        guard err >= 0, let cache else { throw NetlinkError(operation: table.dumpName, code: err) }
        return NetlinkCache(cache)
    }

    /// Recorded link dumps carry the port states themselves.
    func bridgePortStates(capacity: Int) -> [(Int, UInt8)] { [] }

    private func replay<T>(_ what: String, _ bytes: [UInt8],
                           _ parse: (UnsafeRawPointer?, Int, UnsafeMutablePointer<UnsafeMutablePointer<T>?>) -> Int32) throws -> [T] {
        var raw: UnsafeMutablePointer<T>?
        defer { free(raw) }
        let n = bytes.withUnsafeBytes { parse($0.baseAddress, $0.count, &raw) }
        guard n >= 0 else { throw NetlinkError(operation: what, code: n) }
        return Array(UnsafeBufferPointer(start: raw, count: Int(n)))
    }
}
