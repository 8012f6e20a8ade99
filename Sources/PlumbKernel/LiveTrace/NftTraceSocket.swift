import Glibc
import CLiveTrace
import PlumbModel
import PlumbSystem

/// A listener on one namespace's nftables trace group (NFNLGRP_NFTRACE): every trace event of that namespace,
/// parsed by libnftnl (whose types stay in CLiveTrace and this file).
public final class NftTraceSocket: @unchecked Sendable {
    let fd: SharedFileDescriptor
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var parsed = [plumb_nftrace_event](repeating: plumb_nftrace_event(), count: 64)
    /// Whether the kernel dropped events because the socket buffer was full (ENOBUFS).
    public private(set) var overrun = false

    /// Opens the listener in the calling thread's namespace.
    public init() throws {
        let raw = plumb_nftrace_open(4 << 20)
        if raw < 0 { throw SystemError("socket", "NETLINK_NETFILTER group NFNLGRP_NFTRACE", errno: -raw) }
        fd = SharedFileDescriptor(FileDescriptor(owning: raw))
    }

    /// Opens the listener inside `ns`.
    public static func open(in ns: NamespaceHandle) throws -> NftTraceSocket {
        if ns.isHost { return try NftTraceSocket() }
        let file = try NamespaceOpener.open(ns)
        return try NamespaceWorkers.run(inNamespaceFd: file.rawValue) { try NftTraceSocket() }
    }

    public var descriptor: Int32 { fd.rawValue }

    /// Reads every event waiting now, without blocking.
    public func drain() -> [NftTraceEvent] {
        var out: [NftTraceEvent] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd.rawValue, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == ENOBUFS { overrun = true; continue }
                return out
            }
            if n == 0 { return out }
            let count = buffer.withUnsafeBytes { b in
                parsed.withUnsafeMutableBufferPointer { plumb_nftrace_parse(b.baseAddress, n, $0.baseAddress, Int32($0.count)) }
            }
            for i in 0..<Int(count) { out.append(Self.event(parsed[i])) }
        }
    }

    static func event(_ e: plumb_nftrace_event) -> NftTraceEvent {
        var copy = e
        let table = withUnsafeBytes(of: &copy.table) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let chain = withUnsafeBytes(of: &copy.chain) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let jump = withUnsafeBytes(of: &copy.jump_target) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let net = withUnsafeBytes(of: &copy.network_header) { Array($0.prefix(Int(e.network_header_len))) }
        let transport = withUnsafeBytes(of: &copy.transport_header) { Array($0.prefix(Int(e.transport_header_len))) }
        let kind: NftTraceEvent.Kind
        switch e.type {
        case 1: kind = .policy
        case 2: kind = .return
        case 3: kind = .rule
        default: kind = .unknown
        }
        return NftTraceEvent(id: e.id, kind: kind, family: family(e.family), table: table, chain: chain,
                             handle: e.has_handle != 0 ? e.handle : nil,
                             verdict: e.has_verdict != 0 ? verdict(e.verdict) : nil,
                             jumpTarget: jump.isEmpty ? nil : jump,
                             inInterface: e.has_iif != 0 ? e.iif : nil, outInterface: e.has_oif != 0 ? e.oif : nil,
                             mark: e.has_mark != 0 ? e.mark : nil, networkHeader: net, transportHeader: transport)
    }

    /// NFPROTO_* as nft names it.
    static func family(_ f: UInt32) -> String {
        switch f {
        case 1: return "inet"
        case 2: return "ip"
        case 3: return "arp"
        case 5: return "netdev"
        case 7: return "bridge"
        case 10: return "ip6"
        default: return "family\(f)"
        }
    }

    /// NF_DROP/NF_ACCEPT/... and nft's own negative verdicts (NFT_CONTINUE, NFT_JUMP, ...).
    static func verdict(_ v: Int32) -> String {
        switch v {
        case 0: return "drop"
        case 1: return "accept"
        case 2: return "stolen"
        case 3: return "queue"
        case 4: return "repeat"
        case -1: return "continue"
        case -2: return "break"
        case -3: return "jump"
        case -4: return "goto"
        case -5: return "return"
        default:
            // NF_DROP_ERR and NF_QUEUE_NR carry data in the upper bits; the verdict is the low byte.
            switch v & 0xff { case 0: return "drop"; case 3: return "queue"; default: return "verdict \(v)" }
        }
    }
}
