import PlumbSystem
import Glibc
import Foundation
import PlumbModel

/// `plumb snapshot host` run from the host namespace itself: the host's link dump needs neither discovery nor
/// setns, so it starts on its own thread at once, while the calling thread walks /proc and the mount tables and
/// asks for every other namespace's nsid. The route, neighbour and netconf dumps go to whichever thread is free
/// first (each claims the next one), so the two cores finish together instead of one waiting for the other.
/// RTM_GETNSID and the link dump do not take the RTNL lock, so the halves really overlap; done one after the
/// other they were a third of the command's time.
final class HostPrefetch: @unchecked Sendable {
    let hostId: UInt64
    private let links = ResultBox<NetlinkDump>()
    private let finished = DispatchSemaphore(value: 0)
    private var waited: Result<NetlinkDump, any Error>?
    private let tables = SharedTables()

    /// Starts the host's link dump when this process lives in the host namespace (nil otherwise: the normal path
    /// enters the namespace on a worker thread).
    static func start(options: SnapshotOptions, discovery: NamespaceDiscovery) -> HostPrefetch? {
        guard options.netlink, !options.linksOnly else { return nil }
        let host = discovery.hostNamespace()
        guard host != 0, host == discovery.ownNamespace() else { return nil }
        // Before the first thread: growing the fd table is cheap only while the process has one thread. The
        // namespace count is not known yet; /run/netns is where most of them are named.
        NamespaceFiles.reserveDescriptors(2 * NamespaceFiles.entryCount("/run/netns") + 64)
        let p = HostPrefetch(hostId: host)
        Thread { [p] in
            p.links.set(Result {
                let s = try NetlinkSocket()
                var dump = NetlinkDump()
                try NetlinkDumper.dumpLinks(s, into: &dump)
                p.tables.work(s, names: NetlinkDumper.linkNames(dump.links))
                return dump
            })
            p.finished.signal()
        }.start()
        return p
    }

    private init(hostId: UInt64) { self.hostId = hostId }

    /// The host's dump: this thread takes the table dumps the link thread has not started, waits for the rest,
    /// then joins them (once; later calls return the same result). Call it from a thread in the host namespace.
    func dump() throws -> NetlinkDump {
        if waited == nil {
            if let s = try? NetlinkSocket() { tables.work(s, names: nil) }
            finished.wait()
            waited = Result {
                var dump = try links.get()
                let (t, files) = try tables.result()
                NetlinkDumper.join(&dump, t)
                SysctlReader.merge(&dump.sysctls, files: files,
                                   hasBridge: dump.links.contains { $0.link.kind == .bridge })
                return dump
            }
        }
        return try waited!.get()
    }

    /// Asks, from the host namespace, for the nsid of every namespace in `fds` (one batched RTM_GETNSID round)
    /// and records them in `cache`, so that resolving the host's veth peers needs no further queries. Returns the
    /// socket for the resolver's fallback queries (a namespace that appears between discovery and the dump).
    func resolveNsids(fds: [Int32], ids: [UInt64], into cache: NsidCache) -> NetlinkSocket? {
        guard let s = try? NetlinkSocket() else { return nil }
        let wanted = fds.indices.filter { fds[$0] >= 0 && ids[$0] != hostId }
        for (i, nsid) in zip(wanted, s.nsids(ofNamespaceFds: wanted.map { fds[$0] })) {
            if let nsid { cache.store(reader: hostId, nsid: nsid, target: ids[i]) }
        }
        return s
    }
}

/// The route, neighbour and netconf dumps of one namespace, and its sysctl files, handed out one at a time to
/// whichever thread asks.
private final class SharedTables: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var tables = NetlinkDumper.Tables()
    private var files = Sysctls()
    private var failure: (any Error)?

    /// Does unclaimed work on `s` until none is left. With the link names (the link thread has them), routes are
    /// also turned into the model's routes here instead of in the join.
    func work(_ s: NetlinkSocket, names: [Int: String]?) {
        while let item = claim() {
            guard let part = NetlinkDumper.TablePart(rawValue: item) else {
                var f = Sysctls()
                SysctlReader.fill(&f, hasBridge: true)
                lock.lock(); files = f; lock.unlock()
                continue
            }
            var t = NetlinkDumper.Tables()
            let outcome = Result { try NetlinkDumper.dump(part, s, into: &t) }
            let converted = part == .routes ? names.map { n in t.routes.map { NetlinkDumper.readRoute($0, names: n) } } : nil
            lock.lock()
            switch (outcome, part) {
            case (.failure(let e), _): failure = failure ?? e
            case (.success, .routes): tables.routes = t.routes; tables.convertedRoutes = converted
            case (.success, .neighbors): tables.neighbors = t.neighbors
            case (.success, .netconf): tables.netconf = t.netconf
            }
            lock.unlock()
        }
    }

    /// The next item: the three table parts, then the sysctl files.
    private func claim() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next <= NetlinkDumper.TablePart.allCases.count else { return nil }
        next += 1
        return next - 1
    }

    /// The joined parts and the sysctl files; call once every worker has returned.
    func result() throws -> (NetlinkDumper.Tables, Sysctls) {
        lock.lock(); defer { lock.unlock() }
        if let failure { throw failure }
        return (tables, files)
    }
}
