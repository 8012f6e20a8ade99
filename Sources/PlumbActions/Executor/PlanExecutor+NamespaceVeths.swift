import Glibc
import PlumbKernel
import PlumbModel
import PlumbSystem

/// `ns rm --force` deletes the host ends of the namespace's veths, then the namespace. Deleting a veth blocks the
/// caller in the kernel for an rcu_barrier (20–35 ms here, most of a one-endpoint `ns rm`), while a namespace's
/// own cleanup unregisters every veth with a peer in it, in the background. So when the deleted links are veths
/// whose peers are in the namespace deleted next, the executor deletes the namespace first and lets its cleanup
/// take the host ends, as `ip netns del` does. It returns as soon as the namespace is dead (its last reference
/// gone: RTM_GETNSID by its nsid answers ENOENT), which the cleanup's unregistering of the veths follows
/// without fail, but only after the cleanups queued before it (one by one, each waiting for RCU grace periods:
/// 30-40 ms apart when namespaces are deleted back to back). A namespace that is still alive (something else
/// holds it) cannot take them: the executor waits `namespaceCleanupWait` for their RTM_DELLINK (a reference
/// that is being dropped), then deletes what is left as before. A host end's name is derived from its network
/// and namespace inode, and the kernel frees that inode only after the cleanup has unregistered the devices,
/// so a namespace made at once in its place never meets the old veth's name.
extension PlanExecutor {
    /// How long the namespace's cleanup may take before the host ends are deleted explicitly (it takes 10–60 ms
    /// on a loaded 2-core machine).
    static let namespaceCleanupWait = 0.5

    /// PLUMB_NS_WAIT_VETHS=1 waits for the veths' RTM_DELLINK even when the namespace is dead (to measure the
    /// difference).
    static var namespaceDeathSuffices: Bool { getenv("PLUMB_NS_WAIT_VETHS").map { String(cString: $0) != "1" } ?? true }

    /// PLUMB_NS_TAKES_VETHS=0 deletes the host ends first, as before (to measure the difference).
    static var namespacesMayTakeVeths: Bool { getenv("PLUMB_NS_TAKES_VETHS").map { String(cString: $0) != "0" } ?? true }

    /// The namespace that the step at `index` deletes, when it is a `deleteNamespace` step.
    static func namespaceDeleted(_ steps: [PlanStep], at index: Int) -> String? {
        guard index < steps.count, case .deleteNamespace(let name) = steps[index] else { return nil }
        return name
    }

    /// Deletes namespace `name` and lets its cleanup take `links` (in `ns`) with it, when every one of them is a
    /// veth whose peer is in that namespace; returns false, having changed nothing, when one is not (the caller
    /// then deletes them itself). Returns true once the links are gone.
    func deleteNamespaceTakingVeths(_ links: [String], in ns: NamespaceRef, namespace name: String) throws -> Bool {
        guard Self.namespacesMayTakeVeths else { return false }
        let session = try sockets.session(ns)
        guard let target = try? sockets.fd(.named(name)), let nsid = session.namespaceId(ofNamespaceFd: target) else { return false }
        var indexes: [Int32] = []
        for link in links {
            guard let peer = try? session.linkPeer(of: link), peer.kind == "veth", peer.peerNamespaceId == nsid else { return false }
            indexes.append(peer.index)
        }
        // Subscribed before the namespace goes, so no removal is missed.
        let watch = ns.isHost ? try LinkRemovalWatch()
            : try NamespaceWorkers.run(inNamespaceFd: try sockets.fd(ns)) { try LinkRemovalWatch() }
        try run(.deleteNamespace(name: name), tolerateMissing: false)
        if Self.namespaceDeathSuffices, session.namespaceIsAlive(nsid: nsid) == false { return true }
        let left = Set(watch.waitForRemoval(of: indexes, timeout: Self.namespaceCleanupWait))
        if !left.isEmpty {
            try deleteLinks(zip(links, indexes).filter { left.contains($0.1) }.map(\.0), in: ns, tolerateMissing: true)
        }
        return true
    }
}
