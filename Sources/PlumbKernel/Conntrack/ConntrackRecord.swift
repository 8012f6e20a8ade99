import Glibc
import CNetlink
import PlumbModel

// Between the flat C record and the model value. The C tuple arrays are read in place, so a conversion
// allocates nothing.

extension ConntrackEntry {
    init(_ r: borrowing plumb_ct) {
        let family: IPAddress.Family = Int32(r.family) == AF_INET6 ? .ipv6 : .ipv4
        let counters = r.has_counters != 0
            ? ConntrackCounters(originalPackets: r.orig_packets, originalBytes: r.orig_bytes,
                                replyPackets: r.reply_packets, replyBytes: r.reply_bytes)
            : nil
        self.init(family: family, protocolNumber: r.proto,
                  original: ConntrackTuple(r.orig, family: family), reply: ConntrackTuple(r.reply, family: family),
                  tcpState: r.has_tcp_state != 0 ? ConntrackTCPState(rawValue: r.tcp_state) : nil,
                  status: ConntrackStatus(rawValue: r.status), mark: r.mark, zone: r.zone,
                  timeout: r.has_timeout != 0 ? r.timeout : nil, counters: counters, id: r.id)
    }
}

extension ConntrackTuple {
    init(_ t: plumb_ct_tuple, family: IPAddress.Family) {
        var t = t
        self.init(src: Self.address(&t.src, family), dst: Self.address(&t.dst, family),
                  srcPort: t.has_ports != 0 ? t.sport : nil, dstPort: t.has_ports != 0 ? t.dport : nil,
                  icmp: t.has_icmp != 0 ? ICMPKey(type: t.icmp_type, code: t.icmp_code, id: t.icmp_id) : nil)
    }

    private static func address<T>(_ bytes: inout T, _ family: IPAddress.Family) -> IPAddress {
        withUnsafeBytes(of: &bytes) { b in
            if family == .ipv4 {
                return IPAddress(ipv4: UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3]))
            }
            return IPAddress(networkBytes: UnsafeRawBufferPointer(rebasing: b[0..<16]))!
        }
    }

    /// The tuple as the C record holds it (for a delete request).
    func record(family: IPAddress.Family) -> plumb_ct_tuple {
        var t = plumb_ct_tuple()
        withUnsafeMutableBytes(of: &t.src) { b in for (i, x) in src.networkBytes.enumerated() { b[i] = x } }
        withUnsafeMutableBytes(of: &t.dst) { b in for (i, x) in dst.networkBytes.enumerated() { b[i] = x } }
        if let s = srcPort, let d = dstPort { t.sport = s; t.dport = d; t.has_ports = 1 }
        if let icmp { t.icmp_type = icmp.type; t.icmp_code = icmp.code; t.icmp_id = icmp.id; t.has_icmp = 1 }
        return t
    }
}

extension plumb_ct {
    /// What a delete request needs of an entry: family, protocol, original tuple, zone and id.
    init(_ e: ConntrackEntry) {
        self.init()
        family = UInt8(e.family == .ipv6 ? AF_INET6 : AF_INET)
        proto = e.protocolNumber
        orig = e.original.record(family: e.family)
        reply = e.reply.record(family: e.family)
        zone = e.zone
        id = e.id
    }
}
