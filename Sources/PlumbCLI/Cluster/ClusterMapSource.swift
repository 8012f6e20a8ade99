import PlumbCluster
import PlumbMap

/// The cluster store's keys as the map needs them (`MapClusterView`): per cluster overlay (a shared vxlan
/// network with a VNI), every host's live VTEP and every bound endpoint with its host. The hosts' snapshot
/// summaries (tens of KB each) are not read: the networks and leases in one range, the hosts' keys without
/// values, then the VTEP values in one transaction (the TUI does this every 5 s).
enum ClusterMapSource {
    static func view(_ store: ClusterStore) throws -> MapClusterView {
        let c = store.client
        let kvs = try runBlocking { () -> [EtcdKeyValue] in
            async let networks = c.range(prefix: ClusterKeys.networksPrefix)
            let hostKeys = try await c.range(prefix: ClusterKeys.hostsPrefix, keysOnly: true).kvs.map(\.key)
            let vtepKeys = hostKeys.filter { if case .vtep = ClusterKeys.parse($0) { return true } else { return false } }
            return try await networks.kvs + c.values(of: vtepKeys)
        }
        var networks: [ClusterNetwork] = [], vteps: [VTEPEntry] = [], leases: [AddressLease] = []
        for kv in kvs {
            // A value this version cannot read is left out, as the agent leaves it out.
            switch ClusterKeys.parse(kv.key) {
            case .network: if let n = try? ClusterJSON.decode(ClusterNetwork.self, kv.value) { networks.append(n) }
            case .vtep: if let v = try? ClusterJSON.decode(VTEPEntry.self, kv.value) { vteps.append(v) }
            case .lease: if let l = try? ClusterJSON.decode(AddressLease.self, kv.value), l.state == .bound { leases.append(l) }
            default: continue
            }
        }
        let overlays = networks.compactMap { n -> MapClusterView.Overlay? in
            guard n.driver == "vxlan", let vni = n.vni else { return nil }
            return .init(network: n.name, vni: vni,
                         vteps: vteps.filter { $0.network == n.name }.map { .init(host: $0.host, underlay: $0.underlay) },
                         endpoints: leases.filter { $0.network == n.name }.sorted { ($0.host, $0.address) < ($1.host, $1.address) }
                            .map { .init(host: $0.host, address: $0.address, name: $0.container ?? $0.namespaceName, ifname: $0.ifname) })
        }
        return MapClusterView(me: store.hostID, overlays: overlays)
    }

    /// The view for a command that has a store; nil without one (or, with a note, when it cannot be read).
    static func read(_ options: StoreOptions) throws -> MapClusterView? {
        try options.read(unreadable: "the map shows this host only", view)
    }
}
