import Glibc
import Foundation
import PlumbModel

/// `plumb snapshot host` run from the host namespace itself: the host's link dump needs neither discovery nor
/// setns, so it starts on its own thread at once, while the calling thread walks /proc and the mount tables,
/// asks for every other namespace's nsid, and then dumps the routes, neighbours and netconf itself (`dump()`).
/// That splits the work about evenly over two cores. RTM_GETNSID and the link dump do not take the RTNL lock,
/// so the halves really overlap; done one after the other they were a third of the command's time.
final class HostPrefetch: @unchecked Sendable {
    let hostId: UInt64
    private let links = ResultBox<NetlinkDump>()
    private let finished = DispatchSemaphore(value: 0)
    private var waited: Result<NetlinkDump, any Error>?

    /// Starts the host's link dump when this process lives in the host namespace (nil otherwise: the normal path
    /// enters the namespace on a worker thread).
    static func start(options: SnapshotOptions, discovery: NamespaceDiscovery) -> HostPrefetch? {
        guard options.netlink, !options.linksOnly else { return nil }
        let host = discovery.hostNamespace()
        guard host != 0, host == discovery.ownNamespace() else { return nil }
        // Before the first thread: growing the fd table is cheap only while the process has one thread. The
        // namespace count is not known yet; /run/netns is where most of them are named.
        NamespaceHandle.reserveDescriptors(2 * NamespaceHandle.entryCount("/run/netns") + 64)
        let p = HostPrefetch(hostId: host)
        Thread { [p] in
            p.links.set(Result {
                var dump = NetlinkDump()
                try NetlinkDumper.dumpLinks(try NetlinkSocket(), into: &dump)
                return dump
            })
            p.finished.signal()
        }.start()
        return p
    }

    private init(hostId: UInt64) { self.hostId = hostId }

    /// The host's dump: this thread dumps the tables while the links finish, then joins them (once; later calls
    /// return the same result). Call it from a thread in the host namespace.
    func dump() throws -> NetlinkDump {
        if waited == nil {
            let tables = Result { try NetlinkDumper.dumpTables(try NetlinkSocket()) }
            finished.wait()
            waited = Result {
                var dump = try links.get()
                NetlinkDumper.join(&dump, try tables.get())
                SysctlReader.fill(&dump.sysctls, hasBridge: dump.links.contains { $0.link.kind == "bridge" })
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
