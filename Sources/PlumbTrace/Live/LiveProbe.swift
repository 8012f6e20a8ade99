import PlumbModel

/// The one real packet `plumb trace --live` sends, and what makes it unique: its source port (TCP, UDP) or
/// its ICMP echo id. The tag is reserved machine-wide for the life of the trace, so two traces at once never
/// mark each other's probes.
public struct LiveProbe: Codable, Sendable, Equatable {
    /// tcp, udp, icmp or icmpv6.
    public var proto: String
    public var source: IPAddress?
    public var destination: IPAddress
    public var destinationPort: UInt16?
    /// The source port (tcp, udp) or the echo id (icmp, icmpv6).
    public var tag: UInt16

    public init(proto: String, source: IPAddress?, destination: IPAddress, destinationPort: UInt16?, tag: UInt16) {
        self.proto = proto; self.source = source; self.destination = destination
        self.destinationPort = destinationPort; self.tag = tag
    }

    /// The nft match for this probe alone (forward direction only: replies are not marked). Addresses are
    /// left out on purpose: NAT on the way changes them, the tag stays.
    public var nftMatch: String {
        switch proto {
        case "icmp": return "icmp type echo-request icmp id \(tag)"
        case "icmpv6": return "icmpv6 type echo-request icmpv6 id \(tag)"
        // A TCP probe completes its handshake when something listens: only the SYN is the probe, or the ACK
        // that follows (same source port) would add its ESTABLISHED rule matches to the live path.
        case "tcp": return "tcp sport \(tag) tcp flags & (syn | ack) == syn"
        default: return "meta l4proto \(proto) th sport \(tag)"
        }
    }

    /// Whether a packet with these headers (as a trace event carries them) is this probe; nil without a
    /// transport header to judge by.
    public func matches(network: [UInt8], transport: [UInt8]) -> Bool? {
        guard transport.count >= 8, let first = network.first else { return nil }
        let l4: UInt8
        switch first >> 4 {
        case 4 where network.count >= 20: l4 = network[9]
        case 6 where network.count >= 40: l4 = network[6]
        default: return nil
        }
        let port = UInt16(transport[0]) << 8 | UInt16(transport[1])
        let icmpID = UInt16(transport[4]) << 8 | UInt16(transport[5])
        switch proto {
        case "tcp": return l4 == 6 && port == tag
        case "udp": return l4 == 17 && port == tag
        case "icmp": return l4 == 1 && transport[0] == 8 && icmpID == tag
        case "icmpv6": return l4 == 58 && transport[0] == 128 && icmpID == tag
        default: return nil
        }
    }

    /// "tcp 10.213.0.2:40312 → 10.213.0.3:80" or "icmp id 40312 10.213.0.2 → 10.213.0.3".
    public var label: String {
        let src = source?.description ?? "?"
        if let p = destinationPort { return "\(proto) \(src):\(tag) → \(destination):\(p)" }
        return "\(proto) id \(tag) \(src) → \(destination)"
    }
}

/// The plan that marks one probe in each namespace on its path: a table of Plumb's own per trace and namespace,
/// with a prerouting chain (packets arriving) and an output chain (the probe leaving SRC) at priority -350,
/// before conntrack, raw and NAT, so every rule after it is traced. Undone by deleting the table.
public enum LiveTraceRules {
    public static func table(for probe: LiveProbe, pid: Int32) -> String { LiveTraceTables.name(tag: probe.tag, pid: pid) }

    public static func plan(for probe: LiveProbe, pid: Int32, in namespaces: [NamespaceRef], label: String) -> Plan {
        let t = table(for: probe, pid: pid)
        let batch = """
            add table inet \(t)
            add chain inet \(t) pre { type filter hook prerouting priority -350; policy accept; }
            add chain inet \(t) out { type filter hook output priority -350; policy accept; }
            add rule inet \(t) pre \(probe.nftMatch) meta nftrace set 1
            add rule inet \(t) out \(probe.nftMatch) meta nftrace set 1

            """
        let undo = "delete table inet \(t)\n"
        return Plan(operation: .other(label), steps: namespaces.map { .nftables(batch: batch, undo: undo, in: $0) })
    }
}
