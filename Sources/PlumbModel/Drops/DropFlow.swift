/// The 5-tuple of a dropped packet, read from its headers: protocol, addresses and, for TCP, UDP, SCTP and
/// UDP-Lite, the ports; for ICMP and ICMPv6 the type, code and echo id.
public struct DropFlow: Sendable, Hashable, CustomStringConvertible {
    public var protocolNumber: UInt8
    public var src: IPAddress
    public var dst: IPAddress
    public var srcPort: UInt16?
    public var dstPort: UInt16?
    public var icmp: ICMP?

    public struct ICMP: Sendable, Hashable {
        public var type: UInt8
        public var code: UInt8
        public var id: UInt16
        public init(type: UInt8, code: UInt8, id: UInt16) { self.type = type; self.code = code; self.id = id }
    }

    public init(protocolNumber: UInt8, src: IPAddress, dst: IPAddress, srcPort: UInt16? = nil, dstPort: UInt16? = nil,
                icmp: ICMP? = nil) {
        self.protocolNumber = protocolNumber; self.src = src; self.dst = dst
        self.srcPort = srcPort; self.dstPort = dstPort; self.icmp = icmp
    }

    public var protocolName: String { ConntrackProtocol.name(of: protocolNumber) }

    /// "udp 10.213.1.2:40000 > 10.213.1.3:53", "icmp 10.213.1.2 > 10.213.1.3 echo id 7"
    public var description: String {
        func end(_ a: IPAddress, _ p: UInt16?) -> String {
            guard let p else { return a.description }
            return a.family == .ipv6 ? "[\(a)]:\(p)" : "\(a):\(p)"
        }
        var s = "\(protocolName) \(end(src, srcPort)) > \(end(dst, dstPort))"
        if let icmp { s += " type \(icmp.type) code \(icmp.code)" + (icmp.id != 0 ? " id \(icmp.id)" : "") }
        return s
    }
}

/// What a caller asks the drop log for: drops in one namespace, of one flow, of one reason, in the last N ms.
/// Every field left nil matches anything.
public struct DropQuery: Sendable, Hashable {
    public var netnsCookie: UInt64?
    /// The namespace by nsfs inode (for callers that hold a snapshot's id rather than a cookie).
    public var netnsInode: UInt64?
    public var protocolNumber: UInt8?
    public var src: IPAddress?
    public var dst: IPAddress?
    public var srcPort: UInt16?
    public var dstPort: UInt16?
    /// ICMP echo id (the live trace marks its probe with it).
    public var icmpID: UInt16?
    public var reasonName: String?
    /// Only drops of the last this many milliseconds; nil: everything the log still holds.
    public var lastMillis: Int?

    public init(netnsCookie: UInt64? = nil, netnsInode: UInt64? = nil, protocolNumber: UInt8? = nil, src: IPAddress? = nil, dst: IPAddress? = nil,
                srcPort: UInt16? = nil, dstPort: UInt16? = nil, icmpID: UInt16? = nil, reasonName: String? = nil,
                lastMillis: Int? = nil) {
        self.netnsCookie = netnsCookie; self.netnsInode = netnsInode; self.protocolNumber = protocolNumber; self.src = src; self.dst = dst
        self.srcPort = srcPort; self.dstPort = dstPort; self.icmpID = icmpID; self.reasonName = reasonName
        self.lastMillis = lastMillis
    }

    /// Whether the query asks about a flow (then drops without a read 5-tuple never match).
    var namesFlow: Bool { protocolNumber != nil || src != nil || dst != nil || srcPort != nil || dstPort != nil || icmpID != nil }

    /// Whether `drop` matches, its time aside.
    public func matches(_ drop: PacketDrop) -> Bool {
        if let netnsCookie, drop.netnsCookie != netnsCookie { return false }
        if let netnsInode, drop.netnsInode != netnsInode { return false }
        if let reasonName, drop.reason.name != reasonName, drop.reason.name != reasonName.uppercased() { return false }
        guard namesFlow else { return true }
        guard let f = drop.flow else { return false }
        if let protocolNumber, f.protocolNumber != protocolNumber { return false }
        if let src, f.src != src { return false }
        if let dst, f.dst != dst { return false }
        if let srcPort, f.srcPort != srcPort { return false }
        if let dstPort, f.dstPort != dstPort { return false }
        if let icmpID, f.icmp?.id != icmpID { return false }
        return true
    }
}
