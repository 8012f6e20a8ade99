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

    /// `net inspect`'s cluster lines: one per endpoint on any host.
    static func lines(_ c: NetworkService.ClusterEndpoints) -> String {
        let hosts = Set(c.endpoints.map(\.host)).count
        var s = "  cluster \(c.store): \(counted(c.endpoints.count, "endpoint")) on \(counted(hosts, "host"))\n"
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
