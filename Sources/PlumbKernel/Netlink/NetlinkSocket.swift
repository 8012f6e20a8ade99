import Glibc
import CNetlink
import PlumbSystem
import PlumbModel

/// A libnl socket bound to the namespace of the thread that opened it. It stays bound there afterwards, so a
/// namespace's socket can be kept and reused from any thread without entering the namespace again.
public final class NetlinkSocket: @unchecked Sendable {
    let sk: OpaquePointer

    /// Opens a NETLINK_ROUTE socket (or another protocol) in the calling thread's namespace.
    public init(protocol proto: Int32 = NETLINK_ROUTE) throws {
        guard let s = plumb_nl_open(proto) else {
            throw SystemError("nl_connect", "netlink protocol \(proto)", errno: errno == 0 ? EPROTO : errno)
        }
        sk = s
    }

    deinit { nl_socket_free(sk) }

    /// The netns cookie of the namespace this socket lives in (one getsockopt).
    public var namespaceCookie: UInt64? { NamespaceCookie.of(socket: nl_socket_get_fd(sk)) }

    /// The libnl socket, for the C calls of this module (it never leaves PlumbKernel).
    func withRaw<T>(_ body: (OpaquePointer) throws -> T) rethrows -> T { try body(sk) }

    /// Dumps into a libnl cache, retrying dumps the kernel interrupted (NLM_F_DUMP_INTR) because the table
    /// changed under it.
    func dumpCache(_ what: String, _ alloc: (OpaquePointer, UnsafeMutablePointer<OpaquePointer?>) -> Int32)
        throws -> NetlinkCache {
        var lastErr: Int32 = 0
        for _ in 0..<5 {
            var cache: OpaquePointer?
            let err = alloc(sk, &cache)
            if err >= 0, let cache { return NetlinkCache(cache) }
            if let cache { nl_cache_free(cache) }
            lastErr = err
            if -err != NLE_DUMP_INTR { break }
        }
        throw NetlinkError(operation: what, code: lastErr)
    }

    /// Every link of the namespace, from one RTM_GETLINK dump.
    func links() throws -> [DumpedLink] {
        try flatDump("link dump", plumb_link_dump).map(NetlinkDumper.readLink)
    }

    /// Counters of every link by ifindex, from one RTM_GETSTATS dump (no per-veth netnsid lookups).
    func linkStats() throws -> [Int: LinkStats] {
        var out: [Int: LinkStats] = [:]
        for r in try flatDump("stats dump", plumb_stats_dump) { out[Int(r.index)] = Self.stats(r) }
        return out
    }

    /// Counters of the links `indexes` by ifindex: one RTM_GETSTATS request each (not a dump), all sent at once.
    /// A link the kernel no longer has (ENODEV) is left out, not an error.
    func linkStats(of indexes: [Int]) throws -> [Int: LinkStats] {
        guard !indexes.isEmpty else { return [:] }
        let wanted = indexes.map { Int32(truncatingIfNeeded: $0) }
        var raw = [plumb_stats](repeating: plumb_stats(), count: wanted.count)
        let n = plumb_stats_get(sk, wanted, Int32(wanted.count), &raw)
        guard n >= 0 else { throw NetlinkError(operation: "stats get", code: n) }
        var out: [Int: LinkStats] = [:]
        out.reserveCapacity(Int(n))
        for r in raw where r.index != 0 { out[Int(r.index)] = Self.stats(r) }
        return out
    }

    private static func stats(_ r: plumb_stats) -> LinkStats {
        var s = LinkStats()
        s.rxPackets = r.rx_packets; s.txPackets = r.tx_packets
        s.rxBytes = r.rx_bytes; s.txBytes = r.tx_bytes
        s.rxErrors = r.rx_errors; s.txErrors = r.tx_errors
        s.rxDropped = r.rx_dropped; s.txDropped = r.tx_dropped
        return s
    }

    /// Every route of every table, from one RTM_GETROUTE dump.
    func routes() throws -> [plumb_route] {
        try flatDump("route dump", plumb_route_dump)
    }

    /// Runs a C dump that fills a malloc'd array of flat records, retrying when the kernel interrupted it
    /// (NLM_F_DUMP_INTR: the table changed mid-dump).
    private func flatDump<T>(_ what: String,
                             _ dump: (OpaquePointer, UnsafeMutablePointer<UnsafeMutablePointer<T>?>) -> Int32) throws -> [T] {
        var lastErr: Int32 = 0
        for _ in 0..<5 {
            var raw: UnsafeMutablePointer<T>?
            let n = dump(sk, &raw)
            defer { free(raw) }
            if n >= 0 { return Array(UnsafeBufferPointer(start: raw, count: Int(n))) }
            lastErr = n
            if -n != NLE_DUMP_INTR { break }
        }
        throw NetlinkError(operation: what, code: lastErr)
    }

    /// (ifindex, STP state) of every bridge port, from one AF_BRIDGE dump parsed in C (no libnl objects).
    func bridgePortStates(capacity: Int) -> [(Int, UInt8)] {
        var idx = [Int32](repeating: 0, count: capacity)
        var st = [UInt8](repeating: 0, count: capacity)
        let n = plumb_bridge_port_states(sk, &idx, &st, Int32(capacity))
        guard n > 0 else { return [] }
        return (0..<Int(n)).map { (Int(idx[$0]), st[$0]) }
    }

    /// RTM_GETNSID for many namespace fds in one round trip: nsid per fd (nil where none is assigned).
    func nsids(ofNamespaceFds fds: [Int32]) -> [Int32?] {
        var out = [Int32](repeating: -1, count: fds.count)
        let n = fds.withUnsafeBufferPointer { f in
            plumb_nl_get_nsids(sk, f.baseAddress, Int32(fds.count), &out)
        }
        guard n >= 0 else { return fds.map { nsid(ofNamespaceFd: $0) } }
        return out.map { $0 >= 0 ? $0 : nil }
    }

    /// RTM_GETNSID: the nsid the namespace behind `fd` has in this socket's namespace (nil: none assigned).
    func nsid(ofNamespaceFd fd: Int32) -> Int32? {
        let r = plumb_nl_get_nsid(sk, fd)
        return r >= 0 ? r : nil
    }
}

/// Owns a libnl cache and walks its objects without callbacks.
final class NetlinkCache {
    let cache: OpaquePointer
    init(_ c: OpaquePointer) { cache = c }
    deinit { nl_cache_free(cache) }

    func forEach(_ body: (OpaquePointer) -> Void) {
        var obj = nl_cache_get_first(cache)
        while let o = obj {
            body(o)
            obj = nl_cache_get_next(o)
        }
    }
}

public struct NetlinkError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let code: Int32
    public var description: String {
        "netlink \(operation) failed: \(String(cString: nl_geterror(code))) (libnl error \(code))"
    }
}
