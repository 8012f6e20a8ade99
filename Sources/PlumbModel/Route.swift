public enum AddressFamily: String, Codable, Sendable {
    case ipv4, ipv6, other
}

/// One route of any table.
public struct Route: Codable, Sendable, Equatable {
    public var family: AddressFamily
    /// Table number (254 main, 255 local, 253 default) and its name when it has one.
    public var table: UInt32
    public var tableName: String
    /// "default" or a CIDR.
    public var dst: String
    public var gateway: String?
    public var dev: String?
    public var ifindex: Int?
    public var protocolName: String
    public var scope: String
    public var type: String
    public var metric: UInt32?
    public var prefsrc: String?

    public init(family: AddressFamily, table: UInt32, tableName: String, dst: String, gateway: String? = nil,
                dev: String? = nil, ifindex: Int? = nil, protocolName: String = "", scope: String = "",
                type: String = "unicast", metric: UInt32? = nil, prefsrc: String? = nil) {
        self.family = family; self.table = table; self.tableName = tableName; self.dst = dst
        self.gateway = gateway; self.dev = dev; self.ifindex = ifindex; self.protocolName = protocolName
        self.scope = scope; self.type = type; self.metric = metric; self.prefsrc = prefsrc
    }

    enum CodingKeys: String, CodingKey {
        case family, table, tableName, dst, gateway, dev, ifindex, protocolName = "protocol", scope, type
        case metric, prefsrc
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
