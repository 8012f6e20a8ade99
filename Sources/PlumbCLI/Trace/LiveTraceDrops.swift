import Foundation
import PlumbKernel
import PlumbModel
import PlumbTrace

/// Where the live trace learns why a probe died outside netfilter: the kernel's drop feed (skb:kfree_skb,
/// `DropWatcher`), started before the probe and asked afterwards for a drop of this probe (its protocol and
/// tag). Best effort: without the feed (no BPF, no tracefs) the live trace still answers, without a reason.
final class LiveTraceDrops {
    private let watcher: DropWatcher?
    /// Why no drop reason can be given (the feed did not start, or its drops carry no 5-tuple).
    let note: String?

    init() {
        do {
            let w = try DropWatcher.start()
            watcher = w
            note = w.attributes ? nil : "drop reasons not available for the probe: the drop feed runs without BPF (\(w.fallbackReason ?? "tracepoint")), so drops carry no 5-tuple"
        } catch {
            watcher = nil
            note = "drop reasons not available for the probe: \(error)"
        }
    }

    /// The last drop of `probe` since `since`, if the kernel dropped it.
    func drop(for probe: LiveProbe, since: Date) -> LiveDrop? {
        guard let watcher, watcher.attributes else { return nil }
        var query = DropQuery(lastMillis: Int(Date().timeIntervalSince(since) * 1000) + 100)
        switch probe.proto {
        case "tcp": query.protocolNumber = 6; query.srcPort = probe.tag
        case "udp": query.protocolNumber = 17; query.srcPort = probe.tag
        case "icmp": query.protocolNumber = 1; query.icmpID = probe.tag
        default: query.protocolNumber = 58; query.icmpID = probe.tag
        }
        // The feed reads the kernel's buffer every 100 ms at the latest: a drop just after the probe's last
        // trace event may still be on its way, so wait a little for it when the log has none yet.
        var found = watcher.drops(query).last
        let deadline = Date().addingTimeInterval(0.3)
        while found == nil, Date() < deadline {
            let new = (try? watcher.waitForNew(timeoutMillis: 100)) ?? []
            found = new.last(where: query.matches)
        }
        guard let d = found else { return nil }
        return LiveDrop(reason: d.reason.name, location: d.location.description, namespaceName: d.namespaceName,
                        interface: d.interface)
    }

    /// Names the path's namespaces in the drops (nsfs inode → name).
    func name(_ namespaces: [Namespace]) {
        watcher?.nameNamespaces(Dictionary(namespaces.map { ($0.id, $0.displayName) }, uniquingKeysWith: { a, _ in a }))
    }

    func stop() { watcher?.stop() }
}
