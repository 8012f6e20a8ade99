import Foundation
import PlumbActions
import PlumbCluster
import PlumbModel
import PlumbSystem

/// `plumb agent`: keeps this host's cluster overlays in line with the cluster store.
///
/// - registers the host and one VTEP per cluster overlay (underlay address, VXLAN MAC) under an etcd lease of
///   `ttl` seconds, renewed every third of it, so a dead host's keys vanish within the TTL;
/// - reads everything under /plumb/v1/ once, then follows it with a watch; every change that can matter
///   (a VTEP, a host, an address lease) brings each overlay's forwarding entries in line at once (`sync`);
/// - every `resync` interval looks at the local overlays again (a network created or removed since) and
///   re-registers when they changed; publishes the host's snapshot summary every `summaryInterval`;
/// - when etcd cannot be reached it changes nothing in the kernel: the last forwarding entries stay (traffic
///   between live hosts goes on), it logs once and retries every second; a new lease is taken once etcd is back.
public final class OverlayAgent: @unchecked Sendable {
    public struct Options: Sendable {
        /// The host's name in the cluster (its keys live under /plumb/v1/hosts/HOST).
        public var hostID: String
        /// The etcd lease's TTL: peers remove this host's entries at most this long after it died (plus their
        /// own watch delay).
        public var ttl: Int64 = 10
        /// This host's underlay address for VTEPs whose network gave no `--local`; nil: the source address
        /// towards the first etcd member.
        public var advertise: IPAddress?
        /// How often the local overlays are looked at again.
        public var resync: Duration = .seconds(2)
        /// How often the snapshot summary is published (nil: never).
        public var summaryInterval: Duration? = .seconds(15)
        public init(hostID: String) { self.hostID = hostID }
    }

    /// One line of the agent's log (stderr in the CLI, journald under systemd).
    public typealias Log = @Sendable (String) -> Void

    private let client: EtcdClient
    private let service: NetworkService
    private let options: Options
    private let log: Log
    private var view = ClusterView()
    private var overlays: [NetworkService.ClusterOverlay] = []
    private var registered: [String: VTEPEntry] = [:]
    private var lease: Int64?
    private let stopFlag = Flag()

    public init(client: EtcdClient, service: NetworkService, options: Options, log: @escaping Log) {
        self.client = client; self.service = service; self.options = options; self.log = log
    }

    /// Runs until `stop()`; never throws: a lost store is logged and retried.
    public func run() async {
        var quiet = false
        while !stopFlag.isSet {
            do {
                try await session()
            } catch {
                if stopFlag.isSet { break }
                // Logged once per outage, not once a second.
                if !quiet { log("store unreachable or lease lost (\(error)); keeping the last forwarding entries, retrying every second") }
                quiet = true
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            quiet = false
        }
    }

    /// Ends the run and revokes the lease, so peers remove this host's entries now rather than after the TTL.
    public func stop() async {
        stopFlag.set()
        if let lease { try? await client.revoke(lease) }
    }

    // MARK: one session: a lease, its keys, a watch

    private enum Event: Sendable {
        case changed(EtcdWatchEvent)
        case tick
        case ended(String)
    }

    private func session() async throws {
        let granted = try await client.grantLease(ttl: options.ttl)
        lease = granted.id
        registered = [:]
        overlays = try service.clusterOverlays()
        try await register(lease: granted.id)
        log("host \(options.hostID) registered with lease \(String(granted.id, radix: 16)) (TTL \(granted.ttl) s), \(counted(overlays.count, "overlay"))")
        let range = try await client.range(prefix: ClusterKeys.root)
        view.reset(range.kvs)
        syncAll(reason: "start")

        let (events, sink) = AsyncStream<Event>.makeStream()
        let watcher = Task { [client] in
            do {
                for try await e in client.watch(prefix: ClusterKeys.root, from: range.revision + 1) { sink.yield(.changed(e)) }
                sink.yield(.ended("the watch ended"))
            } catch {
                sink.yield(.ended("\(error)"))
            }
        }
        let ttl = options.ttl, resync = options.resync
        let keeper = Task { [client] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(max(300, ttl * 1000 / 3)))
                do {
                    if try await client.keepAlive(granted.id) == 0 { sink.yield(.ended("lease \(String(granted.id, radix: 16)) expired")); return }
                } catch {
                    sink.yield(.ended("\(error)"))
                    return
                }
            }
        }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: resync)
                sink.yield(.tick)
            }
        }
        defer { watcher.cancel(); keeper.cancel(); ticker.cancel(); sink.finish() }
        var lastSummary = ContinuousClock.now - .seconds(3600)
        for await event in events {
            if stopFlag.isSet { return }
            switch event {
            case .changed(let e):
                if view.apply(e), let net = Self.network(of: e.kv.key) {
                    syncAll(reason: "\(e.kind.rawValue) \(e.kv.key)", only: net)
                }
            case .tick:
                let now = try service.clusterOverlays()
                if now != overlays {
                    overlays = now
                    try await register(lease: granted.id)
                }
                // Also puts back an entry removed by hand meanwhile; changes nothing (and logs nothing) otherwise.
                syncAll(reason: "resync")
                if let every = options.summaryInterval, ContinuousClock.now - lastSummary >= every {
                    lastSummary = ContinuousClock.now
                    do {
                        _ = try await client.put(ClusterKeys.snapshot(host: options.hostID), value: try ClusterSummaryBuilder.summary(service: service, hostID: options.hostID, underlay: try defaultUnderlay()?.description), lease: granted.id)
                    } catch let error as EtcdError {
                        throw error
                    } catch {
                        log("snapshot summary not published: \(error)")
                    }
                }
            case .ended(let why):
                throw AgentError(description: why)
            }
        }
    }

    /// The network a changed key concerns (nil: every network, e.g. a host key; a snapshot changes none).
    private static func network(of key: String) -> String?? {
        switch ClusterKeys.parse(key) {
        case .vtep(_, let net), .lease(let net, _), .endpoint(_, let net, _), .network(let net): return .some(net)
        case .host: return .some(nil)
        case .snapshot, nil: return nil
        }
    }

    /// Puts the host key and one VTEP key per local overlay under the lease; deletes the VTEP keys of
    /// overlays that went.
    private func register(lease: Int64) async throws {
        let host = HostEntry(host: options.hostID, underlay: try defaultUnderlay()?.description, lease: lease, ttl: options.ttl,
                             since: Date().timeIntervalSince1970)
        _ = try await client.put(ClusterKeys.host(options.hostID), value: try ClusterJSON.encode(host), lease: lease)
        var now: [String: VTEPEntry] = [:]
        for o in overlays {
            guard let mac = try service.vtepMAC(o) else {
                log("overlay \(o.record.name): its VXLAN device \(o.device) is missing; `plumb net create \(o.record.name)` again to rebuild it")
                continue
            }
            guard let underlay = try o.local ?? options.advertise ?? defaultUnderlay() else {
                log("overlay \(o.record.name): no underlay address (give the network --local or the agent --advertise)")
                continue
            }
            let entry = VTEPEntry(host: options.hostID, network: o.record.name, vni: o.vni, underlay: underlay.description,
                                  mac: mac.description, port: o.port)
            now[o.record.name] = entry
            if registered[o.record.name] != entry {
                _ = try await client.put(ClusterKeys.vtep(host: options.hostID, network: o.record.name), value: try ClusterJSON.encode(entry), lease: lease)
            }
        }
        for gone in Set(registered.keys).subtracting(now.keys) {
            _ = try await client.delete(ClusterKeys.vtep(host: options.hostID, network: gone))
        }
        registered = now
    }

    private var underlayCache: IPAddress??
    private func defaultUnderlay() throws -> IPAddress? {
        if let advertise = options.advertise { return advertise }
        if let cached = underlayCache { return cached }
        let found = client.location.endpoints.lazy.compactMap { IPAddress($0.host) }.first.flatMap { try? SourceAddress.toward($0) }
        underlayCache = .some(found)
        return found
    }

    /// Brings every local overlay (or only `only`) in line with the view. A failure on one overlay is logged and
    /// the others go on; the next change or resync tries again.
    private func syncAll(reason: String, only: String?? = .some(nil)) {
        for o in overlays {
            if case .some(.some(let net)) = only, net != o.record.name { continue }
            let want = view.forwarding(network: o.record.name, me: options.hostID)
            do {
                let plan = try service.syncForwarding(o, to: want)
                if !plan.steps.isEmpty {
                    log("overlay \(o.record.name): \(counted(plan.steps.count, "change")) after \(reason): "
                        + "\(counted(want.vteps.count, "peer VTEP")), \(counted(want.endpoints.count, "remote endpoint"))")
                }
            } catch {
                log("overlay \(o.record.name): sync failed (\(error)); retrying at the next change")
            }
        }
    }
}

struct AgentError: Error, CustomStringConvertible {
    let description: String
}

/// A flag set once from any thread.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}

extension OverlayAgent {
    /// One sync of every local overlay against the store's keys `kvs` (a range of /plumb/v1/), without a lease or a watch
    /// (`plumb agent --once`): the plans, applied unless `dryRun`.
    public static func syncOnce(_ kvs: [EtcdKeyValue], service: NetworkService, hostID: String, dryRun: Bool) throws -> [Plan] {
        var view = ClusterView()
        view.reset(kvs)
        return try service.clusterOverlays().map { o in
            try service.syncForwarding(o, to: view.forwarding(network: o.record.name, me: hostID), dryRun: dryRun)
        }
    }
}
