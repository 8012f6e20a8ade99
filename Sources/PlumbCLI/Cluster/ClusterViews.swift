import PlumbActions
import PlumbCluster
import PlumbModel

/// `net ls` and `net inspect` with a cluster store: every host's endpoints, from the address leases. When the
/// store cannot be read, the command still shows this host's view, with a note saying so.
enum ClusterViews {
    /// Runs a read against the store; on failure prints the note and returns nil (the local view stands).
    static func read<T>(_ svc: NetworkService, _ body: (ClusterStore) throws -> T) -> T? {
        guard let cluster = svc.cluster else { return nil }
        do {
            return try body(cluster)
        } catch {
            printNotes(["showing this host's view only: \(error)"])
            return nil
        }
    }

    /// The `cluster` object of a `net ls` row: endpoints and hosts across the cluster.
    static func usage(_ leases: [AddressLease], network: String, onThisHost: Bool) -> ClusterUsage {
        let mine = leases.filter { $0.network == network }
        return ClusterUsage(endpoints: mine.count, hosts: Set(mine.map(\.host)).sorted(), onThisHost: onThisHost)
    }

    /// A shared network's record and its endpoints and hosts across the cluster (nil record: not shared).
    static func endpoints(of name: String, _ store: ClusterStore) throws -> (ClusterNetwork?, NetworkService.ClusterEndpoints) {
        let state = try store.state(ofNetwork: name)
        let (hosts, vteps) = try store.hostsAndVTEPs()
        let leases = state.leases.sorted { ($0.host, $0.address) < ($1.host, $1.address) }
        return (state.network, .init(store: store.location, endpoints: leases,
                                     hosts: ClusterNetworkHost.of(network: name, leases: leases, hosts: hosts, vteps: vteps)))
    }

    /// `net inspect` of a network the store shares and this host has not created; nil when the store does
    /// not know it either.
    static func storeOnly(_ name: String, _ store: ClusterStore) throws -> StoreOnlyInspection? {
        let (network, cluster) = try endpoints(of: name, store)
        return network.map { StoreOnlyInspection(network: $0, cluster: cluster) }
    }

    /// `net inspect`'s cluster lines: the hosts, then one line per endpoint on any host.
    static func lines(_ c: NetworkService.ClusterEndpoints) -> String {
        let hosts = Set(c.endpoints.map(\.host)).count
        var s = "  cluster \(c.store): \(counted(c.endpoints.count, "endpoint")) on \(counted(hosts, "host"))\n"
        if let all = c.hosts, !all.isEmpty { s += "  hosts: \(all.map(\.text).joined(separator: ", "))\n" }
        for l in c.endpoints {
            let who = l.container ?? l.namespaceName ?? l.namespaceInode.map { "net:[\($0)]" } ?? "-"
            s += "    \(l.host) \(l.address) \(who) \(l.ifname ?? "-") \(l.state.rawValue)\n"
        }
        return s
    }
}

/// A `net ls` row's cluster-wide count (present with a store only).
struct ClusterUsage: Encodable, Equatable {
    var endpoints: Int
    var hosts: [String]
    /// False for a network the cluster shares that this host has not created.
    var onThisHost: Bool

    var text: String { "\(endpoints) on \(counted(hosts.count, "host"))\(onThisHost ? "" : ", not here")" }
}

/// `plumb net inspect NET` of a network only the cluster store has here: the store's record (subnet, VNI, who
/// created it), every host's endpoints and the hosts, and `onThisHost` false. JSON keys as a local network's
/// inspect (`network`, `endpoints`, `drift`, `cluster`, `onThisHost`), with the store's record as `network`.
struct StoreOnlyInspection: CommandOutput, Encodable {
    var network: ClusterNetwork
    /// No endpoint and no drift here: the network does not exist on this host.
    var endpoints: [String] = []
    var drift: [String] = []
    var cluster: NetworkService.ClusterEndpoints
    var onThisHost = false

    func text() -> String {
        let n = network
        var s = "\(n.name): \(n.driver) \(n.subnet) gateway \(n.gateway)"
        if let v = n.vni { s += " vni \(v)" }
        if let p = n.port, p != 4789 { s += " port \(p)" }
        if let m = n.mtu { s += " mtu \(m)" }
        s += "\n  not on this host: shared through the cluster store (created by \(n.createdBy)); "
        s += n.driver == "vxlan" ? "`plumb net create \(n.name) --driver vxlan --local THIS-HOST-UNDERLAY-IP` builds it here\n"
                                 : "`plumb net create \(n.name) --driver \(n.driver)` builds it here\n"
        return s + ClusterViews.lines(cluster)
    }
}
