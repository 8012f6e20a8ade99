import Foundation
import PlumbKernel
import PlumbModel
import PlumbTrace

/// Where the live trace learns why a probe died outside netfilter: the kernel's drop feed (skb:kfree_skb,
/// `DropWatcher`), watching while the probe travels and asked afterwards for a drop of this probe (its protocol
/// and tag). Best effort: without the feed (no BPF, no tracefs) the live trace still answers, without a reason.
///
/// Loading the BPF program takes a few hundred milliseconds (libbpf reads the kernel's BTF, the verifier runs),
/// so it starts on its own thread as soon as the live trace is asked for, while the static trace runs and the
/// trace rules are added; the probe waits for it only if it is not attached yet. Locations are named only for
/// the one drop that is reported (reading all of kallsyms up front delayed the first drops by most of a second).
final class LiveTraceDrops: @unchecked Sendable {
    private let condition = NSCondition()
    private var loaded = false
    private var watcher: DropWatcher?
    private var why: String?

    /// Starts loading the watcher on a thread of its own.
    static func start() -> LiveTraceDrops {
        let drops = LiveTraceDrops()
        let thread = Thread { drops.load() }
        thread.name = "plumb-trace-drops"
        thread.start()
        return drops
    }

    private func load() {
        var options = DropWatcher.Options()
        options.resolveLocations = false
        // The live trace reads the log once, right after the probe: no need for a big backlog, and a short
        // poll lets the reader see the probe's drop (and stop) sooner.
        options.logCapacity = 10_000
        options.pendingCapacity = 10_000
        options.pollMillis = 20
        var w: DropWatcher?, note: String?
        do {
            let started = try DropWatcher.start(options)
            w = started
            if !started.attributes {
                note = "drop reasons not available for the probe: the drop feed runs without BPF (\(started.fallbackReason ?? "tracepoint")), so drops carry no 5-tuple"
            }
        } catch {
            note = "drop reasons not available for the probe: \(error)"
        }
        condition.lock()
        watcher = w; why = note; loaded = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until the watcher is attached (or failed); then why no drop reason can be given, if so.
    func ready() -> String? {
        condition.lock(); defer { condition.unlock() }
        while !loaded { condition.wait() }
        return why
    }

    private var current: DropWatcher? {
        condition.lock(); defer { condition.unlock() }
        return watcher
    }

    /// The last drop of `probe` since `since`, if the kernel dropped it, its location named from kallsyms.
    func drop(for probe: LiveProbe, since: Date) -> LiveDrop? {
        guard let watcher = current, watcher.attributes else { return nil }
        var query = DropQuery(lastMillis: Int(Date().timeIntervalSince(since) * 1000) + 100)
        switch probe.proto {
        case "tcp": query.protocolNumber = 6; query.srcPort = probe.tag
        case "udp": query.protocolNumber = 17; query.srcPort = probe.tag
        case "icmp": query.protocolNumber = 1; query.icmpID = probe.tag
        default: query.protocolNumber = 58; query.icmpID = probe.tag
        }
        // The reader takes the kernel's buffer every 20 ms at the latest: a drop just after the probe's last
        // trace event may still be on its way, so wait a little for it when the log has none yet.
        var found = watcher.drops(query).last
        let deadline = Date().addingTimeInterval(0.3)
        while found == nil, Date() < deadline {
            let new = (try? watcher.waitForNew(timeoutMillis: 50)) ?? []
            found = new.last(where: query.matches)
        }
        guard let d = found else { return nil }
        return LiveDrop(reason: d.reason.name, location: DropWatcher.resolve(d.location).description,
                        namespaceName: d.namespaceName, interface: d.interface)
    }

    /// Names the path's namespaces in the drops (nsfs inode → name).
    func name(_ namespaces: [Namespace]) {
        current?.nameNamespaces(Dictionary(namespaces.map { ($0.id, $0.displayName) }, uniquingKeysWith: { a, _ in a }))
    }

    /// Detaches the watcher (waiting for a load still under way, so nothing is left attached).
    func stop() {
        _ = ready()
        current?.stop()
    }
}
