/// One packet the kernel dropped (the skb:kfree_skb tracepoint with a reason other than "consumed"), as the
/// drop watcher reports it. With the BPF watcher every field can be set; the perf-tracepoint fallback knows
/// only the time, reason, location and protocol (`isAttributed` false).
public struct PacketDrop: Sendable, Hashable {
    /// CLOCK_MONOTONIC nanoseconds: the clock the queries' "last N ms" are measured on.
    public var monotonicNanos: UInt64
    /// Seconds since the epoch, for people and JSON.
    public var time: Double
    public var reason: DropReason
    public var location: KernelLocation
    /// The namespace the packet was in when dropped: SO_NETNS_COOKIE (never reused within a boot) and the nsfs
    /// inode (for display, net:[ID]); nil when the reader could not tell.
    public var netnsCookie: UInt64?
    public var netnsInode: UInt64?
    /// The namespace's display name (ip-netns name, container, host), filled in from a snapshot.
    public var namespaceName: String?
    public var ifindex: Int32?
    public var interface: String?
    /// The ethertype (0x0800 IPv4, 0x86dd IPv6, 0x0806 ARP, ...), nil when unknown.
    public var etherType: UInt16?
    public var flow: DropFlow?
    /// skb->len, nil when not read.
    public var length: UInt32?

    public init(monotonicNanos: UInt64, time: Double, reason: DropReason, location: KernelLocation,
                netnsCookie: UInt64? = nil, netnsInode: UInt64? = nil, namespaceName: String? = nil,
                ifindex: Int32? = nil, interface: String? = nil, etherType: UInt16? = nil,
                flow: DropFlow? = nil, length: UInt32? = nil) {
        self.monotonicNanos = monotonicNanos; self.time = time; self.reason = reason; self.location = location
        self.netnsCookie = netnsCookie; self.netnsInode = netnsInode; self.namespaceName = namespaceName
        self.ifindex = ifindex; self.interface = interface; self.etherType = etherType
        self.flow = flow; self.length = length
    }

    /// Whether the drop carries its namespace (the BPF watcher); the tracepoint fallback's drops are host-wide.
    public var isAttributed: Bool { netnsCookie != nil || netnsInode != nil }

    /// "udp", "tcp", "icmp", "ipv4", "arp", ... : the most specific protocol known.
    public var protocolName: String { Self.protocolName(flow: flow, etherType: etherType) }

    /// The protocol name of a drop with this 5-tuple and ethertype.
    public static func protocolName(flow: DropFlow?, etherType: UInt16?) -> String {
        if let flow { return flow.protocolName }
        switch etherType {
        case 0x0800: return "ipv4"
        case 0x86dd: return "ipv6"
        case 0x0806: return "arp"
        case nil, 0: return "unknown"
        case let t?: return "0x" + String(t, radix: 16)
        }
    }

    /// How the namespace is named on screen: its name, else net:[ID], else "host-wide" for the fallback.
    public var namespaceLabel: String {
        if let namespaceName { return namespaceName }
        if let netnsInode { return "net:[\(netnsInode)]" }
        return isAttributed ? "?" : "host-wide"
    }
}

/// A drop reason: the kernel's enum skb_drop_reason value and its name from the tracepoint's format file
/// ("NETFILTER_DROP"); reasons of a subsystem (the high 16 bits) that the format file does not list are
/// named "SUBSYS_N_0xCODE".
public struct DropReason: Sendable, Hashable, CustomStringConvertible {
    public var code: UInt32
    public var name: String
    public init(code: UInt32, name: String) { self.code = code; self.name = name }
    public var description: String { name }
}

/// Where in the kernel the packet was freed: an address and, resolved through /proc/kallsyms, the function
/// and offset ("nft_do_chain+0x3c4") and its module when not built in.
public struct KernelLocation: Sendable, Hashable, CustomStringConvertible {
    public var address: UInt64
    public var symbol: String?
    public var offset: UInt64
    public var module: String?
    public init(address: UInt64, symbol: String? = nil, offset: UInt64 = 0, module: String? = nil) {
        self.address = address; self.symbol = symbol; self.offset = offset; self.module = module
    }
    /// The function alone ("nft_do_chain"), or the address in hex when it could not be resolved.
    public var function: String { symbol ?? "0x" + String(address, radix: 16) }
    public var description: String {
        guard let symbol else { return function }
        return symbol + "+0x" + String(offset, radix: 16) + (module.map { " [\($0)]" } ?? "")
    }
}
