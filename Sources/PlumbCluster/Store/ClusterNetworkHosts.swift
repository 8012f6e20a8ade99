/// One host of a shared network as the store sees it: live or not (its agent's lease), its VTEP for the network
/// (registered by its agent), and how many addresses it holds. `net inspect` lists them.
public struct ClusterNetworkHost: Codable, Sendable, Equatable {
    public var host: String
    /// Its `/plumb/v1/hosts/HOST` key exists: its agent runs and keeps its lease.
    public var live: Bool
    /// The VTEP its agent registered for this network (underlay address and VXLAN MAC); nil: none.
    public var vtep: String?
    public var vtepMAC: String?
    /// Address leases it holds on the network.
    public var endpoints: Int

    public init(host: String, live: Bool, vtep: String? = nil, vtepMAC: String? = nil, endpoints: Int) {
        self.host = host; self.live = live; self.vtep = vtep; self.vtepMAC = vtepMAC; self.endpoints = endpoints
    }

    /// Every host that holds a lease on `network` or has a VTEP for it, sorted by name.
    public static func of(network: String, leases: [AddressLease], hosts: [HostEntry], vteps: [VTEPEntry]) -> [ClusterNetworkHost] {
        let live = Set(hosts.map(\.host))
        let mine = vteps.filter { $0.network == network }
        let holders = leases.filter { $0.network == network }
        let names = Set(holders.map(\.host)).union(mine.map(\.host))
        return names.sorted().map { name in
            let v = mine.first { $0.host == name }
            return ClusterNetworkHost(host: name, live: live.contains(name), vtep: v?.underlay, vtepMAC: v?.mac,
                                      endpoints: holders.filter { $0.host == name }.count)
        }
    }

    /// `node-b (live, VTEP 10.0.0.12, 2 endpoints)`.
    public var text: String {
        var parts = [live ? "live" : "no agent"]
        if let vtep { parts.append("VTEP \(vtep)") }
        parts.append("\(endpoints) endpoint\(endpoints == 1 ? "" : "s")")
        return "\(host) (\(parts.joined(separator: ", ")))"
    }
}
