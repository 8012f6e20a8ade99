import PlumbModel
import PlumbTrace

extension Doctor {
    /// Whether the doctor reads the same discovery from both snapshots, given that everything else in them is the
    /// same (the live source's `objectsVersion`): a live host's processes come and go all the time, and judging
    /// every check again for that (5–8 ms with 500 namespaces) found nothing new.
    ///
    /// What the doctor and its inputs read of discovery, and so what is compared:
    /// - each namespace's names, bind mounts and holders, and since when it is held (leftovers: `isOrphan`,
    ///   `isLikelyLeak`, the holders named in the evidence; a fix's `NamespaceRef`);
    /// - each namespace's first pid: whose /proc/PID/net/udp lists its DNS listeners (`DoctorInputsReader`), and
    ///   which names a namespace without a bind mount in a fix (`DoctorContext.ref`);
    /// - a container's first four pids: the processes whose root's resolv.conf is read (the host's is
    ///   /etc/resolv.conf);
    /// - the docker-proxy processes, whose arguments are published ports (`PublishedPortFinder`).
    /// Any other process starting or ending changes no finding.
    public static func readsSameDiscovery(_ a: Snapshot, _ b: Snapshot) -> Bool {
        guard a.namespaces.count == b.namespaces.count else { return false }
        for (x, y) in zip(a.namespaces, b.namespaces) {
            if x.sharesFields(with: y) { continue }
            guard x.id == y.id, x.names == y.names, x.paths == y.paths, x.heldBy == y.heldBy,
                  x.heldSince == y.heldSince, x.pids.prefix(x.isHost ? 1 : 4) == y.pids.prefix(y.isHost ? 1 : 4)
            else { return false }
        }
        return a.processes.filter(PublishedPortFinder.isDockerProxy) == b.processes.filter(PublishedPortFinder.isDockerProxy)
    }
}
