import Foundation

// The values stored under the keys of `ClusterKeys`, each JSON (UTF-8). Keys are added over time; a reader
// ignores keys it does not know, and a field is never given another meaning (that takes a new key prefix).

/// A network shared by the cluster (`/plumb/v1/networks/NET`): what every host needs to build the same overlay.
public struct ClusterNetwork: Codable, Sendable, Equatable {
    public var name: String
    /// The driver ("vxlan"; a bridge network can be shared too, for one address pool across hosts).
    public var driver: String
    /// The subnet in CIDR form, its gateway, and the sub-range addresses come from (when not the whole subnet).
    public var subnet: String
    public var gateway: String
    public var ipRange: String?
    public var mtu: Int?
    /// vxlan: the VNI and UDP port (nil: 4789).
    public var vni: UInt32?
    public var port: Int?
    /// The driver's settings as the local store keeps them (`plumb net inspect`'s `options`).
    public var options: [String: String]
    /// The host that created it, and when (seconds since 1970).
    public var createdBy: String
    public var createdAt: Double

    public init(name: String, driver: String, subnet: String, gateway: String, ipRange: String? = nil, mtu: Int? = nil,
                vni: UInt32? = nil, port: Int? = nil, options: [String: String] = [:], createdBy: String, createdAt: Double) {
        self.name = name; self.driver = driver; self.subnet = subnet; self.gateway = gateway; self.ipRange = ipRange
        self.mtu = mtu; self.vni = vni; self.port = port; self.options = options; self.createdBy = createdBy
        self.createdAt = createdAt
    }
}

/// An address taken from a shared network's pool (`/plumb/v1/networks/NET/leases/IP`). Taken by a
/// create-if-absent transaction, so two hosts never hold one address; released on disconnect.
public struct AddressLease: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// Taken, the kernel work not yet done (or it failed and the release did not get through: `plumb gc`
        /// on the host releases it).
        case reserved
        /// The endpoint exists on its host.
        case bound
    }

    public var network: String
    public var address: String
    /// The host holding it (its host id).
    public var host: String
    /// The endpoint's namespace on that host: netns cookie and inode (the identity Plumb checks), and a name
    /// when it has one (ip netns name or container).
    public var namespaceCookie: UInt64?
    public var namespaceInode: UInt64?
    public var namespaceName: String?
    public var container: String?
    /// The interface inside the namespace, and its MAC once the endpoint exists (for peers' neighbour entries).
    public var ifname: String?
    public var mac: String?
    public var state: State
    /// When it was taken (seconds since 1970).
    public var since: Double

    public init(network: String, address: String, host: String, namespaceCookie: UInt64? = nil, namespaceInode: UInt64? = nil,
                namespaceName: String? = nil, container: String? = nil, ifname: String? = nil, mac: String? = nil,
                state: State, since: Double) {
        self.network = network; self.address = address; self.host = host; self.namespaceCookie = namespaceCookie
        self.namespaceInode = namespaceInode; self.namespaceName = namespaceName; self.container = container
        self.ifname = ifname; self.mac = mac; self.state = state; self.since = since
    }
}

/// A live host (`/plumb/v1/hosts/HOST`), written by its agent under the agent's etcd lease: when the agent
/// stops renewing it the key goes, and the host counts as dead.
public struct HostEntry: Codable, Sendable, Equatable {
    public var host: String
    /// The underlay address peers send VXLAN traffic to.
    public var underlay: String?
    /// The etcd lease the host's keys hang on, and its TTL in seconds.
    public var lease: Int64
    public var ttl: Int64
    public var since: Double
    public init(host: String, underlay: String?, lease: Int64, ttl: Int64, since: Double) {
        self.host = host; self.underlay = underlay; self.lease = lease; self.ttl = ttl; self.since = since
    }
}

/// A host's VXLAN endpoint for one network (`/plumb/v1/hosts/HOST/vteps/NET`), under the host's lease.
public struct VTEPEntry: Codable, Sendable, Equatable {
    public var host: String
    public var network: String
    public var vni: UInt32
    /// The underlay address and the VXLAN device's MAC (peers' all-zeros FDB entry points at the address).
    public var underlay: String
    public var mac: String
    public var port: Int
    public init(host: String, network: String, vni: UInt32, underlay: String, mac: String, port: Int) {
        self.host = host; self.network = network; self.vni = vni; self.underlay = underlay; self.mac = mac; self.port = port
    }
}

/// An endpoint as its host's agent sees it in the kernel (`/plumb/v1/hosts/HOST/endpoints/NET/IP`), under the
/// host's lease: peers program static FDB and neighbour entries from it.
public struct EndpointEntry: Codable, Sendable, Equatable {
    public var host: String
    public var network: String
    public var address: String
    public var mac: String
    public var ifname: String?
    public var namespaceName: String?
    public init(host: String, network: String, address: String, mac: String, ifname: String? = nil, namespaceName: String? = nil) {
        self.host = host; self.network = network; self.address = address; self.mac = mac; self.ifname = ifname
        self.namespaceName = namespaceName
    }
}

/// JSON in and out of the store, the same everywhere (sorted keys: a value written twice is the same bytes,
/// which a compare on the value needs).
public enum ClusterJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try e.encode(value))
    }

    public static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}
