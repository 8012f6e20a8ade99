import Foundation
import PlumbAgent
import PlumbCluster
import PlumbTrace

/// The cluster store's keys as a trace into a cluster overlay needs them (`TraceCluster`): the endpoints of each
/// shared vxlan network with their host and MAC, the live VTEPs, and every live host's published summary. One
/// range read of /plumb/v1/.
enum ClusterTraceSource {
    static func view(_ store: ClusterStore) throws -> TraceCluster {
        let c = store.client
        let r = try runBlocking { try await c.range(prefix: ClusterKeys.root) }
        var vni: [String: UInt32] = [:], leases: [AddressLease] = [], vteps: [TraceCluster.VTEP] = []
        var summaries: [String: TraceCluster.Summary] = [:]
        for kv in r.kvs {
            // A value this version cannot read is left out (the trace then says what it does not know).
            switch ClusterKeys.parse(kv.key) {
            case .network:
                if let n = try? ClusterJSON.decode(ClusterNetwork.self, kv.value), n.driver == "vxlan", let v = n.vni { vni[n.name] = v }
            case .lease:
                if let l = try? ClusterJSON.decode(AddressLease.self, kv.value), l.state == .bound { leases.append(l) }
            case .vtep:
                if let v = try? ClusterJSON.decode(VTEPEntry.self, kv.value) {
                    vteps.append(.init(host: v.host, network: v.network, underlay: v.underlay, port: v.port))
                }
            case .snapshot(let host):
                if let s = try? ClusterJSON.decode(HostSummary.self, kv.value) { summaries[host] = summary(s) }
            default: continue
            }
        }
        let endpoints = leases.compactMap { l -> TraceCluster.Endpoint? in
            guard let v = vni[l.network] else { return nil }
            return .init(network: l.network, vni: v, address: l.address, mac: l.mac, host: l.host, name: l.container ?? l.namespaceName)
        }
        return TraceCluster(me: store.hostID, store: store.location, endpoints: endpoints, vteps: vteps, summaries: summaries,
                            now: Date().timeIntervalSince1970)
    }

    static func summary(_ s: HostSummary) -> TraceCluster.Summary {
        let overlays = s.overlays.map { o in
            TraceCluster.Summary.Overlay(network: o.network, bridge: o.bridge, device: o.device,
                                         endpoints: Dictionary(o.endpoints.map { ($0.address, $0.hostIfname) }, uniquingKeysWith: { a, _ in a }),
                                         endpointsOmitted: o.endpointsOmitted)
        }
        return .init(time: s.time, overlays: overlays, firewall: s.firewall,
                     firewallMissing: s.firewall == nil ? (s.firewallMissing ?? "not published by this host's agent version") : nil,
                     nftTables: s.nftTables ?? [], bridgeNfCallIptables: s.bridgeNfCallIptables,
                     bridgeNfCallIp6tables: s.bridgeNfCallIp6tables, underlayDevice: s.underlayDevice)
    }

    /// The view for a trace that has a store; nil without one (or, with a note, when it cannot be read: the trace
    /// then stops at a tunnel as without a store).
    static func read(_ options: StoreOptions) throws -> TraceCluster? {
        try options.read(unreadable: "the trace does not follow cluster tunnels", view)
    }
}
