import Foundation

/// Plumb's view of the cluster store: shared networks and their address leases, in the `/plumb/v1/` layout.
/// Synchronous (the CLI and the actions are): each call waits for etcd with `runBlocking`. One instance per
/// command; `hostID` is this host's name in the cluster.
public final class ClusterStore: Sendable {
    public let client: EtcdClient
    public let hostID: String

    public init(client: EtcdClient, hostID: String) {
        self.client = client
        self.hostID = hostID
    }

    /// `etcd://…`, for messages.
    public var location: String { "\(client.location)" }

    // MARK: networks

    /// A shared network and its leases, read in one range (the record and its leases share a prefix).
    public struct NetworkState: Sendable, Equatable {
        public var network: ClusterNetwork?
        public var leases: [AddressLease]
        /// The store's revision at the read.
        public var revision: Int64
    }

    public func state(ofNetwork name: String) throws -> NetworkState {
        let c = client
        let recordKey = ClusterKeys.network(name)
        let (kvs, revision) = try runBlocking { () -> ([EtcdKeyValue], Int64) in
            // The record and its "NET/…" keys, read at once (a prefix "NET" alone would also match "NET2").
            async let record = c.get(recordKey)
            async let rest = c.range(prefix: ClusterKeys.networkPrefix(name))
            let r = try await rest
            let own = try await record
            return ((own.map { [$0] } ?? []) + r.kvs, r.revision)
        }
        var state = NetworkState(network: nil, leases: [], revision: revision)
        for kv in kvs {
            switch ClusterKeys.parse(kv.key) {
            case .network: state.network = try decode(ClusterNetwork.self, kv)
            case .lease: state.leases.append(try decode(AddressLease.self, kv))
            default: continue
            }
        }
        return state
    }

    /// Every shared network and every lease, in one range.
    public func allNetworks() throws -> (networks: [ClusterNetwork], leases: [AddressLease]) {
        let c = client
        let r = try runBlocking { try await c.range(prefix: ClusterKeys.networksPrefix) }
        var nets: [ClusterNetwork] = [], leases: [AddressLease] = []
        for kv in r.kvs {
            switch ClusterKeys.parse(kv.key) {
            case .network: nets.append(try decode(ClusterNetwork.self, kv))
            case .lease: leases.append(try decode(AddressLease.self, kv))
            default: continue
            }
        }
        return (nets, leases)
    }

    /// Records the network unless one of that name exists; returns the record the store holds afterwards
    /// (this one, or the existing one, which the caller compares).
    public func register(_ network: ClusterNetwork) throws -> (created: Bool, stored: ClusterNetwork) {
        let c = client, key = ClusterKeys.network(network.name)
        let bytes = try ClusterJSON.encode(network)
        let r = try runBlocking { try await c.create(key, value: bytes) }
        if r.created { return (true, network) }
        guard let holder = r.holder else { return (false, network) }
        return (false, try decode(ClusterNetwork.self, holder))
    }

    /// Removes a shared network's record and this host's leases of it; other hosts' leases keep the record
    /// alive (a network is unshared only when no host has endpoints on it). Returns the hosts still on it.
    @discardableResult
    public func unregister(network name: String) throws -> [String] {
        let state = try state(ofNetwork: name)
        try release(network: name, addresses: state.leases.filter { $0.host == hostID }.map(\.address))
        let others = Set(state.leases.filter { $0.host != hostID }.map(\.host)).sorted()
        if others.isEmpty {
            let c = client, key = ClusterKeys.network(name)
            try runBlocking { _ = try await c.delete(key) }
        }
        return others
    }

    // MARK: address leases

    /// A lease this call took, with the revision that wrote it (a later update checks nobody replaced it).
    public struct Taken: Sendable, Equatable {
        public var lease: AddressLease
        public var revision: Int64
    }

    public enum LeaseError: Error, CustomStringConvertible, Equatable {
        case taken(address: String, network: String, host: String)
        case exhausted(network: String)

        public var description: String {
            switch self {
            case .taken(let a, let n, let h):
                return "address \(a) on network \(n) is held by host \(h) (see `plumb net inspect \(n)`): pick another, or leave --ip out"
            case .exhausted(let n):
                return "network \(n) has no free address left across the cluster: disconnect endpoints, or `plumb net gc --store` to reclaim dead hosts' leases"
            }
        }
    }

    /// Takes one address per template with a create-if-absent transaction each (the lease key's create
    /// revision must be 0). A template with an address asks for exactly that one; otherwise `pick` chooses
    /// from what is free (given every taken address). Losing a race re-reads the leases in the same round trip
    /// and picks again. On any failure the leases this call took are released and the error is thrown.
    public func reserve(network: String, _ templates: [AddressLease], taken known: [AddressLease],
                        pick: (Set<String>) throws -> String?) throws -> [Taken] {
        let c = client
        let prefix = ClusterKeys.leasesPrefix(network: network)
        var took: [Taken] = []
        do {
            var taken = Set(known.map(\.address))
            for template in templates {
                var lease = template
                let wanted = template.address.isEmpty ? nil : template.address
                while true {
                    guard let address = try wanted ?? pick(taken) else { throw LeaseError.exhausted(network: network) }
                    lease.address = address
                    let key = ClusterKeys.lease(network: network, address: address)
                    let bytes = try ClusterJSON.encode(lease)
                    let r = try runBlocking {
                        try await c.txn([.absent(key)], success: [.put(key, value: bytes)], failure: [.getPrefix(prefix)])
                    }
                    if r.succeeded {
                        took.append(Taken(lease: lease, revision: r.revision))
                        taken.insert(address)
                        break
                    }
                    let now = try (r.reads.first ?? []).map { try decode(AddressLease.self, $0) }
                    taken = Set(now.map(\.address)).union(took.map(\.lease.address))
                    if wanted != nil {
                        let holder = now.first { $0.address == address }?.host ?? "another host"
                        throw LeaseError.taken(address: address, network: network, host: holder)
                    }
                }
            }
        } catch {
            try? release(took)
            throw error
        }
        return took
    }

    /// Rewrites leases this call took (state `bound`, the endpoint's MAC), each only if unchanged since it was
    /// taken: one transaction for all. Returns false when one was replaced meanwhile (nothing is written then).
    @discardableResult
    public func update(_ taken: [Taken]) throws -> Bool {
        guard !taken.isEmpty else { return true }
        let c = client
        var compare: [EtcdCompare] = [], ops: [EtcdOperation] = []
        for t in taken {
            let key = ClusterKeys.lease(network: t.lease.network, address: t.lease.address)
            compare.append(.modRevision(key, equals: t.revision))
            ops.append(.put(key, value: try ClusterJSON.encode(t.lease)))
        }
        let (conditions, writes) = (compare, ops)
        return try runBlocking { try await c.txn(conditions, success: writes).succeeded }
    }

    /// Releases leases this call took (each only if unchanged since).
    public func release(_ taken: [Taken]) throws {
        guard !taken.isEmpty else { return }
        let c = client
        let pairs = taken.map { (ClusterKeys.lease(network: $0.lease.network, address: $0.lease.address), $0.revision) }
        try runBlocking {
            // One transaction per lease: one replaced meanwhile must not keep the others from going.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (key, rev) in pairs {
                    group.addTask { _ = try await c.txn([.modRevision(key, equals: rev)], success: [.delete(key)]) }
                }
                try await group.waitForAll()
            }
        }
    }

    /// Releases addresses of `network` that this host holds; another host's lease is left alone. Returns
    /// the addresses released.
    @discardableResult
    public func release(network: String, addresses: [String], anyHost: Bool = false) throws -> [String] {
        guard !addresses.isEmpty else { return [] }
        let c = client, me = hostID
        let keys = addresses.map { ($0, ClusterKeys.lease(network: network, address: $0)) }
        return try runBlocking {
            try await withThrowingTaskGroup(of: String?.self) { group in
                for (address, key) in keys {
                    group.addTask {
                        guard let kv = try await c.get(key) else { return nil }
                        let lease = try? ClusterJSON.decode(AddressLease.self, kv.value)
                        guard anyHost || lease?.host == me else { return nil }
                        let r = try await c.txn([.modRevision(key, equals: kv.modRevision)], success: [.delete(key)])
                        return r.succeeded ? address : nil
                    }
                }
                var done: [String] = []
                for try await a in group { if let a { done.append(a) } }
                return done.sorted()
            }
        }
    }

    /// Writes a lease as given (gc's repair of a local endpoint whose lease is missing), only if the key is free.
    @discardableResult
    public func restore(_ lease: AddressLease) throws -> Bool {
        let c = client, key = ClusterKeys.lease(network: lease.network, address: lease.address)
        let bytes = try ClusterJSON.encode(lease)
        return try runBlocking { try await c.create(key, value: bytes).created }
    }

    /// The leases this host holds, in every network.
    public func myLeases() throws -> [AddressLease] {
        try allNetworks().leases.filter { $0.host == hostID }
    }

    // MARK: hosts

    /// The live hosts: those whose `/plumb/v1/hosts/HOST` key exists (their agent keeps its lease).
    public func liveHosts() throws -> [HostEntry] {
        let c = client
        let r = try runBlocking { try await c.range(prefix: ClusterKeys.hostsPrefix) }
        return try r.kvs.compactMap { kv in
            guard case .host = ClusterKeys.parse(kv.key) else { return nil }
            return try decode(HostEntry.self, kv)
        }
    }

    func decode<T: Decodable>(_ type: T.Type, _ kv: EtcdKeyValue) throws -> T {
        do {
            return try ClusterJSON.decode(type, kv.value)
        } catch {
            throw EtcdError.badResponse(endpoint: location, reason: "key \(kv.key) does not hold a \(type) (\(error))")
        }
    }
}

extension ClusterStore {
    /// Whether a member answers (etcd's /health).
    public func ping() throws {
        let c = client
        try runBlocking { try await c.health() }
    }
}

// MARK: reclaiming dead hosts' leases

extension ClusterStore {
    /// Leases held by hosts that are dead (no `/plumb/v1/hosts/HOST` key: their agent's lease expired) and
    /// were taken more than `grace` seconds ago. This host's own leases are never in it: `plumb gc` reconciles
    /// those with the kernel.
    public func deadHostLeases(grace: Double, now: Double) throws -> (leases: [AddressLease], liveHosts: [String]) {
        let live = Set(try liveHosts().map(\.host))
        let leases = try allNetworks().leases
        let dead = leases.filter { !live.contains($0.host) && $0.host != hostID && $0.since <= now - grace }
        return (dead.sorted { ($0.host, $0.network, $0.address) < ($1.host, $1.network, $1.address) }, live.sorted())
    }

    /// Releases these leases, whoever holds them (each only if it still belongs to the same host). Returns
    /// those released.
    public func reclaim(_ leases: [AddressLease]) throws -> [AddressLease] {
        var done: [AddressLease] = []
        for (network, group) in Dictionary(grouping: leases, by: \.network) {
            let released = Set(try release(network: network, addresses: group.map(\.address), anyHost: true))
            done += group.filter { released.contains($0.address) }
        }
        return done
    }
}

// MARK: which hosts a network lives on

extension ClusterStore {
    /// The live hosts and every live host's VTEPs, in one range of /plumb/v1/hosts/ (snapshots and the agents'
    /// endpoint keys are skipped).
    public func hostsAndVTEPs() throws -> (hosts: [HostEntry], vteps: [VTEPEntry]) {
        let c = client
        let r = try runBlocking { try await c.range(prefix: ClusterKeys.hostsPrefix) }
        var hosts: [HostEntry] = [], vteps: [VTEPEntry] = []
        for kv in r.kvs {
            switch ClusterKeys.parse(kv.key) {
            case .host: hosts.append(try decode(HostEntry.self, kv))
            case .vtep: vteps.append(try decode(VTEPEntry.self, kv))
            default: continue
            }
        }
        return (hosts, vteps)
    }
}
