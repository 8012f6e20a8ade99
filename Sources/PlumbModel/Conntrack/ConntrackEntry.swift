/// One connection the kernel's connection tracker knows, as ctnetlink reports it. All fields are plain
/// values (no strings, no arrays), so a 100,000-entry table is one contiguous array and costs no allocation
/// per entry.
public struct ConntrackEntry: Sendable, Hashable {
    public var family: IPAddress.Family
    /// The IP protocol number (6 tcp, 17 udp, 1 icmp, …); `protocolName` names it.
    public var protocolNumber: UInt8
    /// The direction the first packet went.
    public var original: ConntrackTuple
    /// The direction answers are expected in; it differs from the inverted original when NAT applies.
    public var reply: ConntrackTuple
    /// TCP only: the tracker's state of the connection.
    public var tcpState: ConntrackTCPState?
    public var status: ConntrackStatus
    public var mark: UInt32
    public var zone: UInt16
    /// Seconds until the entry expires (nil: the kernel did not say, as for an event of a destroyed entry).
    public var timeout: UInt32?
    /// Packet and byte counters per direction; nil when accounting (net.netfilter.nf_conntrack_acct) is off.
    public var counters: ConntrackCounters?
    /// The kernel's id of the entry (CTA_ID): a delete names it so that a new connection reusing the tuple
    /// is not deleted instead.
    public var id: UInt32

    public init(family: IPAddress.Family, protocolNumber: UInt8, original: ConntrackTuple, reply: ConntrackTuple,
                tcpState: ConntrackTCPState? = nil, status: ConntrackStatus = [], mark: UInt32 = 0, zone: UInt16 = 0,
                timeout: UInt32? = nil, counters: ConntrackCounters? = nil, id: UInt32 = 0) {
        self.family = family; self.protocolNumber = protocolNumber
        self.original = original; self.reply = reply
        self.tcpState = tcpState; self.status = status; self.mark = mark; self.zone = zone
        self.timeout = timeout; self.counters = counters; self.id = id
    }

    /// "tcp", "udp", "icmp", … or the number for protocols without a common name.
    public var protocolName: String { ConntrackProtocol.name(of: protocolNumber) }

    /// The address translation the entry applies, derived from its tuples: without NAT the reply tuple is
    /// the original one reversed; a source rewrite shows in the reply's destination, a destination rewrite in
    /// the reply's source.
    public var nat: ConntrackNAT {
        let snat = reply.dst != original.src || reply.dstPort != original.srcPort
        let dnat = reply.src != original.dst || reply.srcPort != original.dstPort
        switch (snat, dnat) {
        case (false, false): return .none
        case (true, false): return .snat
        case (false, true): return .dnat
        case (true, true): return .both
        }
    }
}

/// One direction of a tracked connection: addresses, and ports (TCP, UDP, SCTP, DCCP, UDP-Lite) or the ICMP
/// type, code and id.
public struct ConntrackTuple: Sendable, Hashable {
    public var src: IPAddress
    public var dst: IPAddress
    public var srcPort: UInt16?
    public var dstPort: UInt16?
    public var icmp: ICMPKey?

    public init(src: IPAddress, dst: IPAddress, srcPort: UInt16? = nil, dstPort: UInt16? = nil, icmp: ICMPKey? = nil) {
        self.src = src; self.dst = dst; self.srcPort = srcPort; self.dstPort = dstPort; self.icmp = icmp
    }

    /// What identifies an ICMP flow to the tracker.
    public struct ICMPKey: Sendable, Hashable {
        public var type: UInt8
        public var code: UInt8
        public var id: UInt16
        public init(type: UInt8, code: UInt8, id: UInt16) { self.type = type; self.code = code; self.id = id }
    }
}

/// Packets and bytes seen in each direction (when nf_conntrack_acct is on).
public struct ConntrackCounters: Sendable, Hashable, Codable {
    public var originalPackets: UInt64
    public var originalBytes: UInt64
    public var replyPackets: UInt64
    public var replyBytes: UInt64

    public init(originalPackets: UInt64, originalBytes: UInt64, replyPackets: UInt64, replyBytes: UInt64) {
        self.originalPackets = originalPackets; self.originalBytes = originalBytes
        self.replyPackets = replyPackets; self.replyBytes = replyBytes
    }

    public var packets: UInt64 { originalPackets &+ replyPackets }
    public var bytes: UInt64 { originalBytes &+ replyBytes }
}

/// Which addresses an entry translates.
public enum ConntrackNAT: String, Sendable, Codable, CaseIterable {
    case none, snat, dnat, both
    public var translates: Bool { self != .none }
    public var translatesSource: Bool { self == .snat || self == .both }
    public var translatesDestination: Bool { self == .dnat || self == .both }
}

extension ConntrackEntry {
    /// The `conntrack -D` command that deletes this entry, for plans and `--dry-run`.
    public var deleteCommand: String {
        var s = "conntrack -D"
        if family == .ipv6 { s += " -f ipv6" }
        s += " -p \(protocolName) -s \(original.src) -d \(original.dst)"
        if let sp = original.srcPort, let dp = original.dstPort { s += " --sport \(sp) --dport \(dp)" }
        if let i = original.icmp { s += " --icmp-type \(i.type) --icmp-code \(i.code) --icmp-id \(i.id)" }
        if zone != 0 { s += " -w \(zone)" }
        return s
    }
}
