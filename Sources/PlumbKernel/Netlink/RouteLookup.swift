import Glibc
import PlumbSystem
import Foundation
import CNetlink
import PlumbModel

/// Asks the kernel of any namespace where a packet would go (RTM_GETROUTE, the question `ip route get` asks),
/// instead of re-implementing route selection, policy rules, ip_forward and rp_filter.
///
/// One route socket per namespace is opened on a namespace worker thread the first time that namespace is
/// asked about; the socket stays bound to its namespace, so later lookups run from any thread without setns.
public final class RouteLookup: @unchecked Sendable {
    private var sockets: [UInt64: NetlinkSocket] = [:]
    private let lock = NSLock()

    public init() {}

    /// The kernel's decision in namespace `ns` for `query`, plus the routing-table entry that matched
    /// (a second RTM_GETROUTE with RTM_F_FIB_MATCH). Throws only when the namespace cannot be entered or the
    /// socket fails; a kernel refusal (no route, forwarding off, rp_filter) is an answer, with `errorName` set.
    public func lookup(_ query: RouteQuery, in ns: Namespace) throws -> RouteDecision {
        let sock = try socket(for: ns)
        var decision = try ask(sock, query, fibMatch: false)
        if !decision.failed, let match = try? ask(sock, query, fibMatch: true), !match.failed {
            decision.matchedPrefix = match.matchedPrefix
            decision.matchedProtocol = match.matchedProtocol
        }
        return decision
    }

    /// The forwarding database of bridge `bridgeIndex` in namespace `ns` (RTM_GETNEIGH, AF_BRIDGE dump).
    public func bridgeForwardingDatabase(bridgeIndex: Int, in ns: Namespace) throws -> [BridgeFdbEntry] {
        let sock = try socket(for: ns)
        var raw: UnsafeMutablePointer<plumb_fdb_entry>?
        let n = sock.withRaw { plumb_fdb_dump($0, Int32(bridgeIndex), &raw) }
        defer { free(raw) }
        if n < 0 { throw NetlinkError(operation: "bridge fdb dump", code: n) }
        return UnsafeBufferPointer(start: raw, count: Int(n)).map { e in
            var e = e
            let mac = withUnsafeBytes(of: &e.mac) { $0.map { NetlinkAddress.hexByte($0) }.joined(separator: ":") }
            return BridgeFdbEntry(mac: mac, port: Int(e.ifindex), permanent: e.state & UInt16(NUD_PERMANENT) != 0,
                                  vlan: e.vlan >= 0 ? Int(e.vlan) : nil)
        }
    }

    /// The forwarding entries of one VXLAN device (`bridge fdb show dev VX`: inner MAC → remote VTEP), for a
    /// trace into a cluster overlay.
    public func vxlanForwardingDatabase(deviceIndex: Int, in ns: Namespace) throws -> [OverlayFdbEntry] {
        try socket(for: ns).vxlanFdb().compactMap { e in
            var e = e
            guard Int(e.ifindex) == deviceIndex, e.has_mac != 0,
                  let dst = withUnsafeBytes(of: &e.dst, { NetlinkAddress.address(family: e.family, $0) }),
                  let mac = HardwareAddress(withUnsafeBytes(of: &e.mac) { $0.map { NetlinkAddress.hexByte($0) }.joined(separator: ":") })
            else { return nil }
            return OverlayFdbEntry(mac: mac, dst: dst)
        }
    }

    private func socket(for ns: Namespace) throws -> NetlinkSocket {
        lock.lock(); defer { lock.unlock() }
        if let s = sockets[ns.id] { return s }
        guard let file = NamespaceFiles.open(NamespaceFiles.handles(for: ns), expecting: ns.id) else {
            throw SystemError("open", "namespace \(ns.displayName) (net:[\(ns.id)]): it vanished", errno: ENOENT)
        }
        let s = try withExtendedLifetime(file) { try NamespaceWorkers.run(inNamespaceFd: file.rawValue) { try NetlinkSocket() } }
        sockets[ns.id] = s
        return s
    }

    private func ask(_ sock: NetlinkSocket, _ q: RouteQuery, fibMatch: Bool) throws -> RouteDecision {
        var cq = plumb_route_query()
        // The query holds values: their bytes go into C as they are.
        let dst = q.destination
        cq.family = dst.isIPv4 ? AF_INET : AF_INET6
        Self.store(dst, into: &cq.dst)
        if let src = q.source {
            guard src.family == dst.family else {
                throw SystemError("RTM_GETROUTE", "source '\(src)' is not an \(dst.family.name) address", errno: EINVAL)
            }
            Self.store(src, into: &cq.src)
            cq.has_src = 1
        }
        cq.iif = Int32(q.inputInterface ?? 0)
        cq.oif = Int32(q.outputInterface ?? 0)
        if let m = q.mark { cq.mark = m; cq.has_mark = 1 }
        cq.ip_proto = Int32(q.ipProtocol ?? 0)
        cq.sport = Int32(q.sourcePort ?? 0)
        cq.dport = Int32(q.destinationPort ?? 0)
        cq.fib_match = fibMatch ? 1 : 0
        var a = plumb_route_answer()
        let rc = sock.withRaw { plumb_route_get($0, &cq, &a) }
        if rc != 0 { throw SystemError("RTM_GETROUTE", "route lookup for \(q.destination)") }
        if a.error != 0 {
            return .refused(Self.errnoName(a.error), String(cString: strerror(a.error)))
        }
        var buf = [CChar](repeating: 0, count: 64)
        func str(_ p: UnsafeMutablePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "" }
        let fam = cq.family
        func ip(_ bytes: inout NetlinkAddress.Bytes16) -> IPAddress? { NetlinkAddress.address(family: fam, &bytes) }
        var d = RouteDecision(type: str(nl_rtntype2str(Int32(a.type), &buf, 64)), table: a.table)
        if a.oif > 0 { d.outputInterface = Int(a.oif) }
        if a.has_gateway != 0 { d.gateway = ip(&a.gateway) }
        if a.has_prefsrc != 0 { d.preferredSource = ip(&a.prefsrc) }
        if a.mtu > 0 { d.mtu = Int(a.mtu) }
        if fibMatch {
            d.matchedPrefix = a.dst_len == 0 ? .default
                : (a.has_dst != 0 ? ip(&a.dst).map { .prefix(IPPrefix(unchecked: $0, length: Int(a.dst_len))) } : nil)
            d.matchedProtocol = str(rtnl_route_proto2str(Int32(a.protocol), &buf, 64))
        }
        return d
    }

    /// An address's bytes (network order) in a C `unsigned char[16]` field.
    private static func store(_ a: IPAddress, into out: inout NetlinkAddress.Bytes16) {
        let bytes = a.networkBytes
        withUnsafeMutableBytes(of: &out) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
    }

    /// The symbolic names of the errnos a route lookup answers with (the trace explains each).
    static func errnoName(_ e: Int32) -> String {
        switch e {
        case EHOSTUNREACH: return "EHOSTUNREACH"
        case ENETUNREACH: return "ENETUNREACH"
        case EXDEV: return "EXDEV"
        case EACCES: return "EACCES"
        case EPERM: return "EPERM"
        case EINVAL: return "EINVAL"
        case EAGAIN: return "EAGAIN"
        case ENODEV: return "ENODEV"
        case ENETDOWN: return "ENETDOWN"
        case EADDRNOTAVAIL: return "EADDRNOTAVAIL"
        default: return "errno \(e)"
        }
    }
}
