import PlumbCluster
import PlumbModel

/// What an agent knows of the cluster: the keys under /plumb/v1/ as last read or watched, and what they mean
/// for one host's overlays. Pure: the agent feeds it the range and the watch events, and asks it what each
/// overlay's VXLAN device must hold.
public struct ClusterView: Sendable {
    /// Raw values by key (the watch replaces and deletes them one by one).
    private(set) var values: [String: [UInt8]] = [:]

    public init() {}

    /// Everything under the prefix, as one range read returned it.
    public mutating func reset(_ kvs: [EtcdKeyValue]) {
        values = Dictionary(kvs.map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b })
    }

    /// Applies one watch event. Returns whether it can change forwarding (a snapshot summary cannot).
    @discardableResult
    public mutating func apply(_ event: EtcdWatchEvent) -> Bool { apply(event.kind, key: event.kv.key, value: event.kv.value) }

    /// A put (the new value) or a delete of `key`.
    @discardableResult
    public mutating func apply(_ kind: EtcdWatchEvent.Kind, key: String, value: [UInt8]) -> Bool {
        switch kind {
        case .put: values[key] = value
        case .delete: values[key] = nil
        }
        if case .snapshot = ClusterKeys.parse(key) { return false }
        return true
    }

    /// The live VTEPs of `network` by host (a VTEP key exists only while its host's agent lease lives).
    public func vteps(network: String) -> [String: VTEPEntry] {
        var out: [String: VTEPEntry] = [:]
        for (key, value) in values {
            guard case .vtep(let host, let net) = ClusterKeys.parse(key), net == network,
                  let entry = try? ClusterJSON.decode(VTEPEntry.self, value) else { continue }
            out[host] = entry
        }
        return out
    }

    /// The address leases of `network` (every host's, dead or alive).
    public func leases(network: String) -> [AddressLease] {
        values.compactMap { key, value in
            guard case .lease(let net, _) = ClusterKeys.parse(key), net == network else { return nil }
            return try? ClusterJSON.decode(AddressLease.self, value)
        }
    }

    /// The live hosts (their liveness keys).
    public var hosts: [String: HostEntry] {
        var out: [String: HostEntry] = [:]
        for (key, value) in values {
            guard case .host(let host) = ClusterKeys.parse(key), let entry = try? ClusterJSON.decode(HostEntry.self, value) else { continue }
            out[host] = entry
        }
        return out
    }

    /// Every host's published snapshot summary, by host.
    public var snapshots: [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for (key, value) in values {
            if case .snapshot(let host) = ClusterKeys.parse(key) { out[host] = value }
        }
        return out
    }

    /// What host `me`'s VXLAN device of `network` must hold: an all-zeros entry per other live VTEP, and for
    /// each endpoint bound on another live host, its MAC → that host's VTEP and its IP → its MAC. An endpoint
    /// whose host has no live VTEP (its agent's lease expired) is left out, so its entries go; its address lease
    /// stays. The MAC is the lease's, else the one derived from the address (cluster overlays set it so).
    public func forwarding(network: String, me: String) -> OverlayForwarding {
        var vtepOf: [String: IPAddress] = [:]
        for (host, entry) in vteps(network: network) where host != me {
            if let a = IPAddress(entry.underlay) { vtepOf[host] = a }
        }
        var want = OverlayForwarding(vteps: Set(vtepOf.values))
        for lease in leases(network: network) where lease.host != me && lease.state == .bound {
            guard let vtep = vtepOf[lease.host], let ip = IPAddress(lease.address),
                  let mac = lease.mac.flatMap(HardwareAddress.init) ?? HardwareAddress.overlayEndpoint(ip) else { continue }
            want.endpoints.insert(.init(ip: ip, mac: mac, vtep: vtep))
        }
        return want
    }
}
