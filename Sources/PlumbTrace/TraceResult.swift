import PlumbModel

/// What a trace asks: a packet from a namespace to an address (inside another namespace, or outside).
public struct TraceRequest: Codable, Sendable, Equatable {
    public var sourceNamespace: UInt64
    /// The source address; nil: the one the kernel picks for the destination.
    public var sourceAddress: IPAddress?
    public var destination: IPAddress
    /// The namespace the user named as destination, when it was one (the trace still follows the kernel).
    public var destinationNamespace: UInt64?
    public var proto: String
    public var sourcePort: UInt16?
    public var destinationPort: UInt16?
    public var size: Int

    public init(sourceNamespace: UInt64, sourceAddress: IPAddress? = nil, destination: IPAddress,
                destinationNamespace: UInt64? = nil, proto: String, sourcePort: UInt16? = nil,
                destinationPort: UInt16? = nil, size: Int) {
        self.sourceNamespace = sourceNamespace; self.sourceAddress = sourceAddress; self.destination = destination
        self.destinationNamespace = destinationNamespace; self.proto = proto; self.sourcePort = sourcePort
        self.destinationPort = destinationPort; self.size = size
    }
}

/// One thing checked at a hop, in the order the kernel does it.
public struct TraceStep: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case route, netfilter, bridge, neighbour, link, mtu, sysctl, nat, note
    }
    public var kind: Kind
    /// One line, in words.
    public var text: String
    /// false: the packet is dropped here (this step is the reason).
    public var passed: Bool
    public var query: RouteQuery?
    public var route: RouteDecision?
    public var netfilter: HookResult?

    public init(_ kind: Kind, _ text: String, passed: Bool = true, query: RouteQuery? = nil,
                route: RouteDecision? = nil, netfilter: HookResult? = nil) {
        self.kind = kind; self.text = text; self.passed = passed; self.query = query; self.route = route
        self.netfilter = netfilter
    }
}

/// One namespace the packet passes through.
public struct TraceHop: Codable, Sendable, Equatable {
    public var number: Int
    public var namespace: UInt64
    public var namespaceName: String
    /// send (the source), bridge (layer 2 only), forward (routed on), deliver (the packet's end).
    public var role: String
    public var inInterface: String?
    public var outInterface: String?
    /// The bridge the packet crossed in this namespace (in through one of its ports, or out through one).
    public var bridge: String?
    public var steps: [TraceStep]
    /// The packet as it leaves this hop (after NAT).
    public var packet: TracePacket
    /// A hop on another host of the cluster (role `remote`), followed on that host's published summary; nil for
    /// this host's namespaces.
    public var host: String? = nil
}

/// Where the trace ended.
public enum TraceVerdict: String, Codable, Sendable {
    /// Reached a namespace that owns the destination address.
    case delivered = "DELIVERED"
    /// Left the machine through a physical link: what happens beyond is not visible from here.
    case leftHost = "LEFT-HOST"
    /// Dropped at `dropHop`, for `reason`.
    case dropped = "DROPPED"
    /// Could not be followed or decided (an unevaluated match, a native nft table, a VXLAN tunnel, ...).
    case unknown = "UNKNOWN"
}

public struct TraceResult: Codable, Sendable, Equatable {
    public var request: TraceRequest
    /// The first packet as sent.
    public var packet: TracePacket
    public var hops: [TraceHop]
    public var verdict: TraceVerdict
    /// One sentence: why it ended there.
    public var reason: String
    /// The hop number that dropped it (DROPPED only).
    public var dropHop: Int?
    /// The namespace the packet ended in (DELIVERED) and the link it arrived on.
    public var deliveredTo: String?
    /// Things that could change the answer and were not evaluated (rules that may match, nft tables).
    public var uncertainties: [String]
    /// With UNKNOWN because of `uncertainties`: the verdict if none of those rules matches.
    public var assumedVerdict: TraceVerdict?
}
