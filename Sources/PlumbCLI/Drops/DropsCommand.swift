import ArgumentParser
import Foundation
import PlumbKernel
import PlumbModel

/// `plumb drops`: packets the kernel drops (skb:kfree_skb), attributed to namespace, interface and 5-tuple with
/// BPF; streamed as they happen, or summarized after `--for`.
struct DropsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drops",
        abstract: "Stream or summarize the packets the kernel drops, with reason, location, namespace and interface.",
        discussion: """
            Follows the skb:kfree_skb tracepoint (normal frees are not drops). With BPF (root, a kernel with BTF) \
            each drop carries its namespace, interface and 5-tuple; otherwise Plumb falls back to the bare \
            tracepoint, host-wide, and says so. Without --for it prints each drop until interrupted; with \
            --for it watches that long and prints one summary per namespace, reason and location, with \
            rates and the top 5-tuples. When tracefs is not mounted, Plumb reads it through a mount of its own \
            that only Plumb sees: the host's mounts are never changed, even if Plumb is killed.
            """)

    @Argument(help: "Only drops in this namespace (id, ip-netns name, container, pid:N or host); default all.", completion: CompletionSources.targets)
    var target: String?

    @Option(name: .long, help: "Only drops of this reason (as the kernel names it: NETFILTER_DROP, NO_SOCKET, IP_RPFILTER, ...).")
    var reason: String?

    @Option(name: .customLong("for"), help: "Watch this long, then print a summary (e.g. 10s, 500ms, 2m).")
    var duration: String?

    @Option(name: .long, help: "Without --for: stop after this many drops.")
    var maxEvents: Int?

    @Flag(name: .long, help: "Use the bare tracepoint even when BPF works (host-wide, no namespaces).")
    var tracepoint = false

    @Flag(name: .long, help: "Print JSON: one object per drop per line, or with --for the summary {mode, seconds, total, lost, groups}.")
    var json = false

    @Flag(name: .long, help: "Indent the summary's JSON.")
    var pretty = false

    func run() throws {
        let seconds = try duration.map(Self.parseDuration)
        if let maxEvents {
            guard seconds == nil else { throw CommandFailure("--max-events goes without --for (a summary counts every drop)", .invalidInput) }
            guard maxEvents >= 1 else {
                throw CommandFailure("--max-events \(maxEvents): give at least 1 drop (or leave it out to watch until interrupted)", .invalidInput)
            }
        }
        if let reason, reason.isEmpty || !reason.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            throw CommandFailure("--reason \(reason) is not a drop reason name: use a name like NETFILTER_DROP or NO_SOCKET", .invalidInput)
        }
        try requirePrivileges()
        let namespace = try target.map(DropsNamespace.resolve)

        var options = DropWatcher.Options()
        options.forceTracepoint = tracepoint
        // Drops are counted or printed as they are taken: the watcher's log of past drops is not asked.
        options.logCapacity = 1
        let signals = CaptureSignals()
        defer { signals.cancel() }
        // Naming the namespaces is a discovery pass: it runs while the BPF program loads, not after it.
        let naming = DropsNamespaceNaming.start()
        let watcher: DropWatcher
        do { watcher = try DropWatcher.start(options) } catch { throw CommandFailure("watching drops: \(error)", Self.status(of: error)) }
        defer { watcher.stop() }

        let reasonName = try reason.map { try Self.checkReason($0, in: watcher.format) }
        let names = naming.wait()
        watcher.nameNamespaces(names)
        // Drops read while the names were still being found carry none yet.
        func named(_ d: PacketDrop) -> PacketDrop {
            guard d.namespaceName == nil, let inode = d.netnsInode, let name = names[inode] else { return d }
            var n = d
            n.namespaceName = name
            return n
        }
        var query = DropQuery(reasonName: reasonName)
        if let namespace, watcher.attributes { query.netnsInode = namespace.inode }
        if namespace != nil && !watcher.attributes {
            printError("drops are host-wide: the tracepoint cannot tell namespaces apart, so \(namespace!.name) is not filtered (\(watcher.fallbackReason ?? "BPF unavailable"))")
        }
        if !json && seconds == nil { FileHandleWriter.write(2, DropsText.modeLine(mode: watcher.mode.rawValue, fallbackReason: watcher.fallbackReason)) }

        if let seconds {
            let start = DropWatcher.monotonicNanos()
            let deadline = Date(timeIntervalSinceNow: seconds)
            // Counted as they come (memory bounded at any rate, `DropWindow.Limits.wholePeriod`), not kept.
            var window = DropWindow(seconds: nil, limits: .wholePeriod)
            while Date() < deadline && signals.received == nil {
                let left = Int(deadline.timeIntervalSinceNow * 1000)
                window.record(contentsOf: try watcher.waitForNew(timeoutMillis: max(1, min(200, left))).lazy.filter(query.matches).map(named))
            }
            let elapsed = Double(DropWatcher.monotonicNanos() - start) / 1e9
            let out = DropsSummaryOutput(mode: watcher.mode.rawValue, fallbackReason: watcher.fallbackReason,
                                         target: namespace?.name,
                                         summary: window.summary(seconds: elapsed, lost: watcher.counters.lost))
            try render(out, as: OutputFormat(json: json, pretty: pretty))
            return
        }
        var printed = 0
        var reportedLost: UInt64 = 0
        while signals.received == nil && maxEvents.map({ printed < $0 }) ?? true {
            let batch = try watcher.waitForNew(timeoutMillis: 200).filter(query.matches).map(named)
            var bytes: [UInt8] = []
            for d in batch {
                if let maxEvents, printed >= maxEvents { break }
                printed += 1
                if json {
                    bytes += try StreamingJSONEncoder().encode(DropEventJSON(drop: d)) + [0x0A]
                } else {
                    bytes += Array(TerminalText.escaped(DropsText.line(d), keepingLayout: true).utf8)
                }
            }
            FileHandleWriter.write(1, bytes)
            let lost = watcher.counters.lost
            if lost > reportedLost {
                printError("\(DropCounts.grouped(Int(lost - reportedLost))) drops were lost: they came faster than they were read")
                reportedLost = lost
            }
        }
    }

    /// "10s", "500ms", "2m", "1h", or plain seconds ("2.5").
    static func parseDuration(_ text: String) throws -> Double {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(text), scale = 1.0
        for (suffix, s) in units where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count); scale = s; break
        }
        guard let v = Double(number), v.isFinite, v > 0, v * scale <= 86_400 * 7 else {
            throw CommandFailure("--for \(text) is not a duration: give a positive time like 10s, 500ms or 2m (at most 7 days)",
                                 .invalidInput)
        }
        return v * scale
    }

    /// The kernel's name for `text` (case-insensitive), or exit 64 naming a few it knows.
    static func checkReason(_ text: String, in format: KfreeSkbFormat) throws -> String {
        let upper = text.uppercased()
        let bare = upper.hasPrefix("SKB_DROP_REASON_") ? String(upper.dropFirst("SKB_DROP_REASON_".count)) : upper
        if format.reasonNames.contains(bare) { return bare }
        let near = format.reasonNames.filter { $0.contains(bare) || bare.contains($0) }.prefix(5)
        throw CommandFailure("--reason \(text) is not a drop reason of this kernel"
                             + (near.isEmpty ? "" : " (did you mean \(near.joined(separator: ", "))?)")
                             + "; it knows \(format.reasonNames.count), e.g. NETFILTER_DROP, NO_SOCKET, IP_RPFILTER",
                             .invalidInput)
    }

    static func status(of error: any Error) -> ExitStatus {
        ExitStatus((error as? any CategorizedError)?.category ?? .failure)
    }
}

/// The namespace `plumb drops TARGET` means, resolved as every command resolves targets (not found: exit 4).
struct DropsNamespace {
    var name: String
    var inode: UInt64

    static func resolve(_ target: String) throws -> DropsNamespace {
        let ns = try ConntrackNamespace.resolve(target)
        guard let id = ns.id else {
            throw CommandFailure("namespace \(target): its id could not be read", .notFound)
        }
        return DropsNamespace(name: ns.name, inode: id)
    }

    /// Display names of every namespace, by inode (one discovery pass: no namespace is entered).
    static func names() -> [UInt64: String] {
        var options = SnapshotOptions()
        options.netlink = false
        options.firewall = false
        options.scanFds = false
        options.processDetails = false
        let snap = SnapshotReader(options: options).read()
        var names: [UInt64: String] = [:]
        for ns in snap.namespaces { names[ns.id] = ns.displayName }
        return names
    }
}

/// `DropsNamespace.names()` on a thread of its own, so the discovery pass overlaps the BPF program's loading.
final class DropsNamespaceNaming: @unchecked Sendable {
    private let condition = NSCondition()
    private var names: [UInt64: String]?

    static func start() -> DropsNamespaceNaming {
        let naming = DropsNamespaceNaming()
        let thread = Thread {
            let found = DropsNamespace.names()
            naming.condition.lock(); naming.names = found; naming.condition.broadcast(); naming.condition.unlock()
        }
        thread.name = "plumb-drops-names"
        thread.start()
        return naming
    }

    /// The names, once found.
    func wait() -> [UInt64: String] {
        condition.lock(); defer { condition.unlock() }
        while names == nil { condition.wait() }
        return names!
    }
}
