import Foundation
import PlumbCluster
import PlumbModel

/// The cluster store's part of `plumb net`: with a store, VXLAN networks are shared. Their record lives in
/// etcd, and every address of theirs is leased there with a compare-and-swap transaction before the local
/// store allocates it, so hosts sharing the network never hand out one address twice. Everything else (the
/// plan, the journal, the local store, rollback) is as without a store; the lease is one more thing a failure
/// undoes, and `plumb gc` reconciles leases with the local store after a crash (`reconcileLeases`).
extension NetworkService {
    /// A network whose addresses come from the cluster: a VXLAN network, with a store configured.
    func sharesThroughCluster(_ driver: NetworkDriver) -> Bool { cluster != nil && driver == .vxlan }

    /// Takes one cluster lease per sandbox for a shared network (none, nil, for a local one). The leases say
    /// who holds the address (host, namespace cookie and inode, name, container, interface) and stay
    /// `reserved` until `bindShared` marks them `bound`.
    func reserveShared(_ net: NetworkRecord, sandboxes: [Namespace], ifnames: [String], requested: IPAddress?) throws -> [ClusterStore.Taken]? {
        guard let cluster, sharesThroughCluster(net.driver) else { return nil }
        let state = try cluster.state(ofNetwork: net.name)
        // A VXLAN network created before the store was configured is not in it: it stays local.
        guard state.network != nil else { return nil }
        try refuseOverlayMACClash(net, requested: requested, leases: state.leases)
        let now = Date().timeIntervalSince1970
        let templates = zip(sandboxes, ifnames).map { sb, ifname in
            AddressLease(network: net.name, address: requested?.description ?? "", host: cluster.hostID, namespaceCookie: sb.cookie,
                         namespaceInode: sb.id, namespaceName: sb.names.first, container: sb.containers.first?.name,
                         ifname: ifname, state: .reserved, since: now)
        }
        // Addresses this host's store holds count as taken too (an allocation whose lease gc has yet to repair).
        let local = Set(try store.allocations(network: net.name).map(\.address))
        return try cluster.reserve(network: net.name, templates, taken: state.leases) { [store] taken in
            try store.lowestFree(network: net.name, taken: Set(taken.compactMap { IPAddress($0) }).union(local))?.description
        }
    }

    /// A cluster overlay's endpoint MAC follows from its address; an IPv6 address asked for whose MAC another
    /// endpoint of the overlay already has (the same last 32 bits) is refused before anything is taken.
    func refuseOverlayMACClash(_ net: NetworkRecord, requested ip: IPAddress?, leases: [AddressLease]) throws {
        guard case .vxlan(let c) = net.config, c.isClusterOverlay, let ip,
              let other = HardwareAddress.overlayMACClash(ip, among: leases.compactMap { IPAddress($0.address) }) else { return }
        throw ActionError.invalid("address \(ip) on cluster overlay \(net.name) would share its endpoint MAC "
            + "\(HardwareAddress.overlayEndpoint(ip)!) with \(other) (the same last 32 bits): pick another, or leave --ip out")
    }

    /// The addresses a dry run of a connect to a shared network shows: what the cluster's pool would give now
    /// (nothing is leased). Nil for a local network.
    func previewShared(_ net: NetworkRecord, count: Int, requested: IPAddress?) throws -> [IPAddress]? {
        guard let cluster, sharesThroughCluster(net.driver) else { return nil }
        let state = try cluster.state(ofNetwork: net.name)
        guard state.network != nil else { return nil }
        if let requested {
            if let holder = state.leases.first(where: { IPAddress($0.address) == requested }) {
                throw ClusterStore.LeaseError.taken(address: requested.description, network: net.name, host: holder.host)
            }
            return [requested]
        }
        let localTaken = try store.allocations(network: net.name).map(\.address)
        var taken = Set(state.leases.compactMap { IPAddress($0.address) }).union(localTaken)
        return try (0..<count).map { _ in
            guard let a = try store.lowestFree(network: net.name, taken: taken) else {
                throw ClusterStore.LeaseError.exhausted(network: net.name)
            }
            taken.insert(a)
            return a
        }
    }

    /// Marks leases `bound` once their endpoints exist. A failure here leaves them `reserved`, which is still
    /// a lease held by this host: nothing to undo.
    func bindShared(_ taken: [ClusterStore.Taken]?, on net: NetworkRecord) {
        guard let cluster, let taken, !taken.isEmpty else { return }
        var overlay = false
        if case .vxlan(let c) = net.config { overlay = c.isClusterOverlay }
        // A cluster overlay's endpoint MAC follows from its address (VxlanDriver.join sets it): peers program
        // the endpoint from its lease alone.
        let bound = taken.map { t -> ClusterStore.Taken in
            var t = t
            t.lease.state = .bound
            if overlay { t.lease.mac = IPAddress(t.lease.address).flatMap { HardwareAddress.overlayEndpoint($0) }?.description }
            return t
        }
        _ = try? cluster.update(bound)
    }

    /// Gives back leases a failed connect took.
    func releaseShared(_ taken: [ClusterStore.Taken]?) {
        guard let cluster, let taken, !taken.isEmpty else { return }
        try? cluster.release(taken)
    }

    /// Releases the cluster leases of endpoints that left a shared network. The local change is done by then:
    /// a lease that cannot be released now (etcd down) is released by `plumb gc` later.
    func releaseShared(network net: NetworkRecord, endpoints: [EndpointRecord]) -> String? {
        guard let cluster, sharesThroughCluster(net.driver) else { return nil }
        let addresses = endpoints.compactMap { $0.address?.description }
        do {
            try cluster.release(network: net.name, addresses: addresses)
            return nil
        } catch {
            return "the cluster leases of \(addresses.joined(separator: ", ")) are still held (\(error)); `plumb gc` releases them once the store is back"
        }
    }

    /// Refuses a change on a shared network while the store cannot be reached, before anything is changed.
    func requireStore(for net: NetworkRecord) throws {
        guard let cluster, sharesThroughCluster(net.driver) else { return }
        do {
            try cluster.ping()
        } catch let e as EtcdError where e.isUnreachable {
            throw ActionError.unavailable("network \(net.name) is shared through the store, which cannot be reached: \(e); nothing was changed")
        }
    }
}

// MARK: shared networks

extension NetworkService {
    /// `net create` of a shared network: when the cluster already holds a network of that name, its settings
    /// (subnet, gateway, ip-range, MTU, VNI, port) are the ones this host builds; one given that differs is
    /// refused. Returns the cluster's record, nil when the cluster has none (or the network is local).
    func adoptShared(_ req: inout CreateRequest, driver: NetworkDriver) throws -> ClusterNetwork? {
        guard let cluster, sharesThroughCluster(driver) else { return nil }
        guard let existing = try cluster.state(ofNetwork: req.name).network else { return nil }
        func differs(_ given: String?, _ stored: String?, _ option: String) throws {
            if let given, given != stored {
                throw ActionError.invalid("network \(req.name) exists in the cluster store (\(cluster.location)) with \(option) \(stored ?? "unset"), not \(given): leave --\(option) out to use the cluster's")
            }
        }
        try differs(req.driver, existing.driver, "driver")
        try differs(req.subnet?.description, existing.subnet, "subnet")
        try differs(req.gateway?.description, existing.gateway, "gateway")
        try differs(req.ipRange?.description, existing.ipRange, "ip-range")
        try differs(req.vni.map(String.init), existing.vni.map(String.init), "vni")
        try differs(req.dstport.map(String.init), existing.port.map(String.init), "dstport")
        try differs(req.mtu.map(String.init), existing.mtu.map(String.init), "mtu")
        // The cluster's record keeps them as text (its JSON): parsed as the options would be.
        req.subnet = try CreateRequest.parseSubnet(existing.subnet)
        req.gateway = try IPAddress.parse(existing.gateway)
        req.ipRange = try existing.ipRange.map { try IPPrefix.parse($0) }
        req.vni = existing.vni; req.dstport = existing.port; req.mtu = existing.mtu
        return existing
    }

    /// Records a new shared network in the cluster (create-if-absent). Returns whether this call created it;
    /// throws when another host created it first with other settings.
    func registerShared(_ record: NetworkRecord) throws -> Bool {
        guard let cluster, sharesThroughCluster(record.driver) else { return false }
        var vni: UInt32?, port: Int?
        if case .vxlan(let c) = record.config { vni = c.vni; port = c.port.map(Int.init) }
        let entry = ClusterNetwork(name: record.name, driver: record.driver.rawValue, subnet: record.subnet.description,
                                   gateway: record.gateway.description, ipRange: record.ipRange?.description, mtu: record.mtu, vni: vni, port: port, options: record.config.storedOptions,
                                   createdBy: cluster.hostID, createdAt: record.createdAt)
        let (created, stored) = try cluster.register(entry)
        if !created && (stored.subnet != entry.subnet || stored.vni != entry.vni || stored.gateway != entry.gateway) {
            throw ActionError.invalid("network \(record.name) was just created in the cluster store by host \(stored.createdBy) with subnet \(stored.subnet), vni \(stored.vni.map(String.init) ?? "-"): run `plumb net create \(record.name)` again to build that one")
        }
        return created
    }

    /// `net rm` of a shared network: this host's leases go, and the record too once no host holds one.
    func unregisterShared(_ names: [String], drivers: [NetworkDriver]) {
        guard let cluster else { return }
        for (name, driver) in zip(names, drivers) where sharesThroughCluster(driver) {
            do {
                let others = try cluster.unregister(network: name)
                if !others.isEmpty {
                    notes.append("network \(name) stays in the cluster store: \(others.joined(separator: ", ")) still \(others.count == 1 ? "has" : "have") endpoints on it")
                }
            } catch {
                notes.append("network \(name) could not be removed from the cluster store (\(error)); `plumb gc` releases this host's leases once it is back")
            }
        }
    }
}

// MARK: gc

extension NetworkService {
    /// `plumb gc` with a store: the leases this host holds agree with its local store afterwards. A lease
    /// without a local endpoint (a connect killed after taking it, a disconnect whose release did not get
    /// through) is released; a local endpoint of a shared network without its lease gets it back (or, when
    /// another host took the address meanwhile, is reported). Runs after the journal's repairs, under gc's
    /// exclusive lock, so no connect of this host is half-way.
    func reconcileLeases(dryRun: Bool, into report: inout GcReport) {
        guard let cluster else { return }
        do {
            let (nets, leases) = try cluster.allNetworks()
            let shared = Set(nets.map(\.name))
            let mine = leases.filter { $0.host == cluster.hostID }
            var local: [String: EndpointRecord] = [:]
            for ep in try store.allEndpoints() where shared.contains(ep.network) {
                if let a = ep.address { local["\(ep.network) \(a)"] = ep }
            }
            for lease in mine where local["\(lease.network) \(lease.address)"] == nil {
                let what = "cluster lease \(lease.address) on \(lease.network) (\(lease.state.rawValue), no endpoint here): released"
                if !dryRun { try cluster.release(network: lease.network, addresses: [lease.address]) }
                report.fixed.append(what)
            }
            let held = Set(leases.map { "\($0.network) \($0.address)" })
            for (key, ep) in local.sorted(by: { $0.key < $1.key }) where !held.contains(key) {
                let lease = AddressLease(network: ep.network, address: ep.address?.description ?? "", host: cluster.hostID, namespaceCookie: ep.cookie,
                                         namespaceInode: UInt64(ep.sandbox), ifname: ep.ifname, mac: ep.mac, state: .bound, since: ep.createdAt)
                var restored = true
                if !dryRun { restored = try cluster.restore(lease) }
                if restored {
                    report.fixed.append("cluster lease \(lease.address) on \(ep.network) was missing for this host's endpoint: taken again")
                } else {
                    report.failures.append("endpoint \(ep.ifname) \(lease.address) on \(ep.network): another host took its address meanwhile; disconnect and connect it again")
                }
            }
            let wrongHost = leases.filter { $0.host != cluster.hostID && local["\($0.network) \($0.address)"] != nil }
            for l in wrongHost {
                report.failures.append("address \(l.address) on \(l.network) is used here but leased to host \(l.host): disconnect this endpoint and connect it again")
            }
        } catch {
            report.failures.append("the cluster leases were not reconciled: \(error)")
        }
    }
}
