import Glibc
import Foundation
import PlumbModel

/// `plumb snapshot host` run from the host namespace itself: the host's dumps need neither discovery nor setns,
/// so they start on their own threads at once, while the calling thread walks /proc and the mount tables and
/// then asks for every other namespace's nsid. RTM_GETNSID does not take the RTNL lock the dumps hold, so the
/// two halves really overlap; done one after the other they were a third of the command's time.
final class HostPrefetch: @unchecked Sendable {
    let hostId: UInt64
    private let result = ResultBox<NetlinkDump>()
    private let finished = DispatchSemaphore(value: 0)
    private var waited: Result<NetlinkDump, any Error>?

    /// Starts the host's dumps when this process lives in the host namespace (nil otherwise: the normal path
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
            p.result.set(Result {
                let s = try NetlinkSocket()
                var dump = try NetlinkDumper.dump(s)
                SysctlReader.fill(&dump.sysctls, hasBridge: dump.links.contains { $0.link.kind == "bridge" })
                return dump
            })
            p.finished.signal()
        }.start()
        return p
    }

    private init(hostId: UInt64) { self.hostId = hostId }

    /// The host's dump (waits for it once; later calls return the same result).
    func dump() throws -> NetlinkDump {
        if waited == nil {
            finished.wait()
            waited = Result { try result.get() }
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
