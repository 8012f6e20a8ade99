public enum AddressFamily: String, Codable, Sendable {
    case ipv4, ipv6, other
}

/// One route of any table.
public struct Route: Codable, Sendable, Equatable {
    public var family: AddressFamily
    /// Table number (254 main, 255 local, 253 default) and its name when it has one.
    public var table: UInt32
    public var tableName: String
    /// The destination prefix; nil for the default route (written "default" in JSON and text, as `ip route`).
    public var dst: IPPrefix?
    public var gateway: IPAddress?
    public var dev: String?
    public var ifindex: Int?
    public var protocolName: String
    public var scope: String
    public var type: String
    public var metric: UInt32?
    public var prefsrc: IPAddress?

    public init(family: AddressFamily, table: UInt32, tableName: String, dst: IPPrefix?, gateway: IPAddress? = nil,
                dev: String? = nil, ifindex: Int? = nil, protocolName: String = "", scope: String = "",
                type: String = "unicast", metric: UInt32? = nil, prefsrc: IPAddress? = nil) {
        self.family = family; self.table = table; self.tableName = tableName; self.dst = dst
        self.gateway = gateway; self.dev = dev; self.ifindex = ifindex; self.protocolName = protocolName
        self.scope = scope; self.type = type; self.metric = metric; self.prefsrc = prefsrc
    }

    public var isDefault: Bool { dst == nil }

    /// "default" or the prefix: how JSON, text and `ip route` write the destination.
    public var destinationText: String { dst?.description ?? "default" }

    enum CodingKeys: String, CodingKey {
        case family, table, tableName, dst, gateway, dev, ifindex, protocolName = "protocol", scope, type
        case metric, prefsrc
    }

    /// The synthesized form with `dst` as text: "default" or ADDRESS/LENGTH (a bare address, as `ip -j` writes
    /// host routes, reads as its single-address prefix).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        family = try c.decode(AddressFamily.self, forKey: .family)
        table = try c.decode(UInt32.self, forKey: .table)
        tableName = try c.decode(String.self, forKey: .tableName)
        let dstText = try c.decode(String.self, forKey: .dst)
        if dstText == "default" {
            dst = nil
        } else if let p = IPPrefix(addressOrPrefix: dstText) {
            dst = p
        } else {
            throw DecodingError.dataCorruptedError(forKey: .dst, in: c,
                                                   debugDescription: "'\(dstText)' is neither 'default' nor a prefix")
        }
        gateway = try c.decodeIfPresent(IPAddress.self, forKey: .gateway)
        dev = try c.decodeIfPresent(String.self, forKey: .dev)
        ifindex = try c.decodeIfPresent(Int.self, forKey: .ifindex)
        protocolName = try c.decode(String.self, forKey: .protocolName)
        scope = try c.decode(String.self, forKey: .scope)
        type = try c.decode(String.self, forKey: .type)
        metric = try c.decodeIfPresent(UInt32.self, forKey: .metric)
        prefsrc = try c.decodeIfPresent(IPAddress.self, forKey: .prefsrc)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(family, forKey: .family)
        try c.encode(table, forKey: .table)
        try c.encode(tableName, forKey: .tableName)
        try c.encode(destinationText, forKey: .dst)
        try c.encodeIfPresent(gateway, forKey: .gateway)
        try c.encodeIfPresent(dev, forKey: .dev)
        try c.encodeIfPresent(ifindex, forKey: .ifindex)
        try c.encode(protocolName, forKey: .protocolName)
        try c.encode(scope, forKey: .scope)
        try c.encode(type, forKey: .type)
        try c.encodeIfPresent(metric, forKey: .metric)
        try c.encodeIfPresent(prefsrc, forKey: .prefsrc)
    }
}

/// One neighbour (ARP / NDP) entry.
public struct Neighbor: Codable, Sendable, Equatable {
    public var family: AddressFamily
    public var ip: IPAddress
    public var mac: String?
    public var ifindex: Int
    public var dev: String?
    /// NUD states in lower case: reachable, stale, failed, permanent, noarp, incomplete, delay, probe.
    public var state: [String]

    public init(family: AddressFamily, ip: IPAddress, mac: String?, ifindex: Int, dev: String?, state: [String]) {
        self.family = family; self.ip = ip; self.mac = mac; self.ifindex = ifindex; self.dev = dev
        self.state = state
    }
}

/// The sysctls that decide whether and how packets are forwarded.
public struct Sysctls: Codable, Sendable, Equatable {
    /// net.ipv4.ip_forward (= net.ipv4.conf.all.forwarding).
    public var ipForward: Bool?
    /// net.ipv6.conf.all.forwarding.
    public var ipv6Forwarding: Bool?
    /// net.ipv4.conf.{all,default}.rp_filter: 0 off, 1 strict, 2 loose.
    public var rpFilterAll: Int?
    public var rpFilterDefault: Int?
    /// Per link name.
    public var rpFilter: [String: Int]
    /// Per link name: net.ipv4.conf.LINK.forwarding.
    public var forwarding: [String: Bool]
    public var routeLocalnetAll: Bool?
    public var routeLocalnetDefault: Bool?
    /// net.bridge.bridge-nf-call-iptables / -ip6tables; nil when br_netfilter is not active here.
    public var bridgeNfCallIptables: Bool?
    public var bridgeNfCallIp6tables: Bool?

    public init(ipForward: Bool? = nil, ipv6Forwarding: Bool? = nil, rpFilterAll: Int? = nil,
                rpFilterDefault: Int? = nil, rpFilter: [String: Int] = [:], forwarding: [String: Bool] = [:],
                routeLocalnetAll: Bool? = nil, routeLocalnetDefault: Bool? = nil,
                bridgeNfCallIptables: Bool? = nil, bridgeNfCallIp6tables: Bool? = nil) {
        self.ipForward = ipForward; self.ipv6Forwarding = ipv6Forwarding; self.rpFilterAll = rpFilterAll
        self.rpFilterDefault = rpFilterDefault; self.rpFilter = rpFilter; self.forwarding = forwarding
        self.routeLocalnetAll = routeLocalnetAll; self.routeLocalnetDefault = routeLocalnetDefault
        self.bridgeNfCallIptables = bridgeNfCallIptables; self.bridgeNfCallIp6tables = bridgeNfCallIp6tables
    }
}
