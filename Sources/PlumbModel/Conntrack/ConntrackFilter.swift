/// Which entries `plumb conntrack` (and `conntrack delete`) selects. Every given criterion must hold.
///
/// An address criterion matches the address before or after translation, so a DNATed connection is found by
/// the public address the client used and by the container address it reached: `src` matches the original
/// source or the reply's destination, `dst` the original destination or the reply's source. `port` matches
/// any port of either tuple.
public struct ConntrackFilter: Sendable, Hashable, Codable {
    public var src: IPPrefix?
    public var dst: IPPrefix?
    public var port: UInt16?
    public var protocolNumber: UInt8?
    /// Only entries that translate an address or port.
    public var natOnly: Bool

    public init(src: IPPrefix? = nil, dst: IPPrefix? = nil, port: UInt16? = nil, protocolNumber: UInt8? = nil,
                natOnly: Bool = false) {
        self.src = src; self.dst = dst; self.port = port; self.protocolNumber = protocolNumber; self.natOnly = natOnly
    }

    /// No criterion: selects every entry (a delete refuses it unless told `--all`).
    public var isEmpty: Bool { src == nil && dst == nil && port == nil && protocolNumber == nil && !natOnly }

    public func matches(_ e: ConntrackEntry) -> Bool {
        if let p = protocolNumber, e.protocolNumber != p { return false }
        if let src, !(src.contains(e.original.src) || src.contains(e.reply.dst)) { return false }
        if let dst, !(dst.contains(e.original.dst) || dst.contains(e.reply.src)) { return false }
        if let port {
            let o = e.original, r = e.reply
            if o.srcPort != port && o.dstPort != port && r.srcPort != port && r.dstPort != port { return false }
        }
        if natOnly && !e.nat.translates { return false }
        return true
    }

    /// The criteria as command-line options (`--src 10.0.0.0/8 --proto tcp`), for plans and messages.
    public var description: String {
        var parts: [String] = []
        if let src { parts.append("--src \(src)") }
        if let dst { parts.append("--dst \(dst)") }
        if let port { parts.append("--port \(port)") }
        if let p = protocolNumber { parts.append("--proto \(ConntrackProtocol.name(of: p))") }
        if natOnly { parts.append("--nat") }
        return parts.isEmpty ? "--all" : parts.joined(separator: " ")
    }
}
