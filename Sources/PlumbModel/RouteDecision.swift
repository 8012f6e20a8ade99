/// One question to the kernel's routing code (RTM_GETROUTE, what `ip route get` asks): where would a packet to
/// `destination` go in one namespace. With `inputInterface` it is the forwarding decision for a packet received
/// on that link (the kernel then also applies ip_forward and rp_filter); without it, the decision for a packet
/// the namespace sends itself. Addresses are values (the JSON holds their text, as before).
public struct RouteQuery: Codable, Sendable, Hashable {
    public var destination: IPAddress
    public var source: IPAddress?
    /// ifindex the packet arrived on (an input lookup).
    public var inputInterface: Int?
    /// ifindex the sender bound to (SO_BINDTODEVICE / the masquerade source for a given out link).
    public var outputInterface: Int?
    /// fwmark set by a MARK rule (policy routing may depend on it).
    public var mark: UInt32?
    /// IP protocol number (6 tcp, 17 udp, 1 icmp, 58 icmpv6) and ports, for policy rules on them.
    public var ipProtocol: UInt8?
    public var sourcePort: UInt16?
    public var destinationPort: UInt16?

    public init(destination: IPAddress, source: IPAddress? = nil, inputInterface: Int? = nil, outputInterface: Int? = nil,
                mark: UInt32? = nil, ipProtocol: UInt8? = nil, sourcePort: UInt16? = nil,
                destinationPort: UInt16? = nil) {
        self.destination = destination; self.source = source; self.inputInterface = inputInterface
        self.outputInterface = outputInterface; self.mark = mark; self.ipProtocol = ipProtocol
        self.sourcePort = sourcePort; self.destinationPort = destinationPort
    }
}

/// The kernel's answer to a `RouteQuery`, as it gave it.
public struct RouteDecision: Codable, Sendable, Equatable {
    /// Set when the kernel refused: the errno's symbolic name (EHOSTUNREACH, ENETUNREACH, EXDEV, EACCES,
    /// EINVAL, ...) and its text.
    public var errorName: String?
    public var errorText: String?
    /// unicast, local, broadcast, multicast, unreachable, blackhole, prohibit, throw, ...
    public var type: String
    public var table: UInt32
    /// ifindex the packet would leave through (for `local`: the loopback device).
    public var outputInterface: Int?
    public var gateway: IPAddress?
    /// The source address the kernel would pick for a packet it sends (output lookups).
    public var preferredSource: IPAddress?
    /// A route MTU (route metric or learned path MTU), when the route carries one.
    public var mtu: Int?
    /// The routing table entry that matched (RTM_F_FIB_MATCH), e.g. "10.0.0.0/24" or "default".
    public var matchedPrefix: RouteDestination?
    public var matchedProtocol: String?

    public init(errorName: String? = nil, errorText: String? = nil, type: String = "unicast", table: UInt32 = 254,
                outputInterface: Int? = nil, gateway: IPAddress? = nil, preferredSource: IPAddress? = nil,
                mtu: Int? = nil, matchedPrefix: RouteDestination? = nil, matchedProtocol: String? = nil) {
        self.errorName = errorName; self.errorText = errorText; self.type = type; self.table = table
        self.outputInterface = outputInterface; self.gateway = gateway; self.preferredSource = preferredSource
        self.mtu = mtu; self.matchedPrefix = matchedPrefix; self.matchedProtocol = matchedProtocol
    }

    public var failed: Bool { errorName != nil }

    /// A refusal written as the kernel's own words: "EHOSTUNREACH (No route to host)".
    public static func refused(_ name: String, _ text: String) -> RouteDecision {
        RouteDecision(errorName: name, errorText: text, type: "unreachable")
    }
}

/// One entry of a bridge's forwarding database (`bridge fdb show br BRIDGE`): where the bridge sends frames for
/// a MAC address.
public struct BridgeFdbEntry: Codable, Sendable, Equatable {
    public var mac: String
    /// ifindex of the bridge port (the bridge itself for its own addresses).
    public var port: Int
    /// permanent (static, or the bridge's and its ports' own addresses) or learned from traffic.
    public var permanent: Bool
    public var vlan: Int?

    public init(mac: String, port: Int, permanent: Bool, vlan: Int? = nil) {
        self.mac = mac; self.port = port; self.permanent = permanent; self.vlan = vlan
    }
}
