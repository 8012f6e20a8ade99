import ArgumentParser
import Foundation
import Glibc
import PlumbActions
import PlumbKernel
import PlumbModel
import PlumbSystem
import PlumbTrace

/// `plumb trace --live`: after the static trace, one real probe from SRC, marked by journaled nftables rules
/// in every namespace on the path, its trace events collected, the rules removed again (also on Ctrl-C), and
/// the live path set beside the static one.
struct LiveTrace {
    let command: TraceCommand
    let snapshot: Snapshot
    let result: TraceResult
    let socket: LiveProbeSocket
    /// The drop feed, started (on its own thread) before the static trace ran.
    let drops: LiveTraceDrops

    /// How long to wait for trace events after the probe, and how long a pause in them ends the wait: the
    /// kernel reports each hook as the packet passes, so the whole path takes microseconds.
    static let limit = 1.0, quiet = 0.15

    /// Opens the probe's socket in SRC (and reserves its tag). Fails first when tracing cannot work here.
    static func openProbe(from src: Namespace, proto: String, source: IPAddress?, destination: IPAddress) throws -> LiveProbeSocket {
        if LiveTraceReads.iptablesIsLegacy() {
            throw CommandFailure("live trace needs nf_tables: iptables here is the legacy (x_tables) variant, whose rules "
                                 + "nftables tracing cannot see; switch with update-alternatives --set iptables /usr/sbin/iptables-nft",
                                 .failure)
        }
        guard let handle = NamespaceHandle(src) else {
            throw CommandFailure("cannot enter \(src.displayName) to send the probe: nothing holds it open any more", .notFound)
        }
        do {
            return try LiveProbeSocket.open(in: handle, proto: proto, source: source, destination: destination)
        } catch {
            throw CommandFailure("cannot open the probe socket in \(handle): \(error)", .failure)
        }
    }

    func run() throws {
        let path = pathNamespaces()
        if let legacy = path.first(where: { LiveTraceReads.legacyIptables(in: $0.handle) }) {
            throw CommandFailure("live trace needs nf_tables: \(legacy.ns.displayName) has legacy iptables (x_tables) rules, "
                                 + "which nftables tracing cannot see; nothing was sent", .failure)
        }
        let packet = result.packet
        let probe = LiveProbe(proto: packet.proto, source: packet.source, destination: packet.destination,
                              destinationPort: packet.destinationPort, tag: socket.tag)
        let pid = getpid()
        let plan = LiveTraceRules.plan(for: probe, pid: pid, in: path.map(\.handle),
                                       label: "trace --live \(command.source) \(command.destination) (\(probe.label))")
        let service = try openService()
        let signals = CaptureSignals()
        let wake = try WakePipe()
        signals.onSignal { wake.wake() }
        defer { signals.cancel() }

        let entry: Int64
        do { entry = try service.installTraceRules(plan) } catch {
            throw CommandFailure("cannot add the live trace's nftables rules: \(error)", .failure)
        }
        var notes: [String] = []
        var live: LiveTraceResult?
        var failure: Error?
        do {
            live = try traceProbe(probe, path: path, wake: wake, interrupted: { signals.received != nil }, notes: &notes)
        } catch {
            failure = error
        }
        let left = service.removeTraceRules(plan, entry: entry)
        if !left.isEmpty {
            notes.append("could not remove every trace rule (\(left.joined(separator: "; "))): run `plumb gc` to remove them")
        }
        if let name = signals.received {
            FileHandleWriter.write(2, "plumb: trace interrupted (\(name)); its nftables rules were \(left.isEmpty ? "removed" : "NOT all removed: run plumb gc")\n")
            throw ExitCode(130)
        }
        if let failure { throw CommandFailure("live trace failed: \(failure)", .failure) }
        guard var live else { return }
        live.notes += notes
        try render(LiveTraceOutput(result: result, live: live), as: OutputFormat(json: command.json, pretty: command.pretty))
        switch live.verdict {
        case .passed: return
        case .dropped, .lost: throw ExitCode(PlumbExit.traceDropped.rawValue)
        case .notSeen: throw ExitCode(PlumbExit.traceUnknown.rawValue)
        }
    }

    /// The namespaces the static trace crosses, in order, each once; then the destination namespace when the
    /// static trace stopped before it (so a probe that goes further than predicted is still seen arriving).
    func pathNamespaces() -> [(ns: Namespace, handle: NamespaceHandle)] {
        var seen: Set<UInt64> = [], out: [(Namespace, NamespaceHandle)] = []
        let ids = result.hops.map(\.namespace) + (result.request.destinationNamespace.map { [$0] } ?? [])
        for id in ids where seen.insert(id).inserted {
            guard let ns = snapshot.namespaces.first(where: { $0.id == id }), let handle = NamespaceHandle(ns) else { continue }
            out.append((ns, handle))
        }
        return out
    }

    func openService() throws -> NetworkService {
        let dir = command.stateDir ?? ProcessInfo.processInfo.environment["PLUMB_STATE_DIR"] ?? "/var/lib/plumb"
        do {
            return NetworkService(store: try StateStore(path: "\(dir)/state.db"))
        } catch {
            throw CommandFailure("cannot open the state store \(dir)/state.db (the live trace journals its rules there): \(error)", .failure)
        }
    }

    /// Listens in every namespace, reads their rule handles, sends the probe and collects its events.
    func traceProbe(_ probe: LiveProbe, path: [(ns: Namespace, handle: NamespaceHandle)], wake: WakePipe,
                    interrupted: () -> Bool, notes: inout [String]) throws -> LiveTraceResult? {
        let listener = LiveTraceListener(namespaces: path.map { ($0.ns.id, $0.handle) })
        var listings: [UInt64: NftRuleListing] = [:]
        for p in path {
            do { listings[p.ns.id] = NftRuleListing.parse(try LiveTraceReads.ruleset(in: p.handle)) } catch {
                notes.append("\(p.ns.displayName): rules not listed (\(error)); rules are shown by handle")
            }
        }
        for (id, why) in listener.failures {
            notes.append("\(snapshot.namespaces.first { $0.id == id }?.displayName ?? "net:[\(id)]"): not watched (\(why))")
        }
        defer { drops.stop() }
        // The probe waits for the drop feed to be attached: a drop it does not see cannot be reported.
        if let note = drops.ready() { notes.append(note) }
        drops.name(path.map(\.ns))
        LiveTraceTestHooks.pauseBeforeProbe(wake: wake)
        if interrupted() { return nil }
        let sent = Date()
        try socket.send(to: probe.destination, port: probe.destinationPort)
        let events = try listener.collect(limit: Self.limit, quiet: Self.quiet, stop: wake)
        if interrupted() { return nil }
        for id in listener.overrun {
            notes.append("\(snapshot.namespaces.first { $0.id == id }?.displayName ?? "net:[\(id)]"): some trace events were lost (socket buffer full)")
        }
        let analyzer = LiveTraceAnalyzer(probe: probe, markingTable: LiveTraceRules.table(for: probe, pid: getpid()))
        var observations: [UInt64: LiveTraceAnalyzer.Observation] = [:]
        for p in path {
            observations[p.ns.id] = .init(namespace: p.ns, events: events[p.ns.id] ?? [],
                                          listing: listings[p.ns.id] ?? NftRuleListing(),
                                          watched: listener.failures[p.ns.id] == nil)
        }
        let elapsed = Int(Date().timeIntervalSince(sent) * 1000)
        let beyond = path.map(\.ns).filter { ns in !result.hops.contains { $0.namespace == ns.id } }
        // The notes go in once the rules are removed (with anything the removal adds).
        let live = analyzer.analyze(static: result, observations: observations, beyond: beyond, drop: nil,
                                    elapsedMillis: elapsed)
        // Only a probe that vanished outside netfilter needs the kernel's drop record.
        guard live.verdict == .lost, let drop = drops.drop(for: probe, since: sent) else { return live }
        return analyzer.analyze(static: result, observations: observations, beyond: beyond, drop: drop,
                                elapsedMillis: elapsed)
    }
}

/// Debug builds only: the crash and Ctrl-C tests hold a live trace between adding its rules and sending the
/// probe (PLUMB_TEST_LIVE_TRACE_PAUSE seconds), to kill or interrupt it there.
enum LiveTraceTestHooks {
    static func pauseBeforeProbe(wake: WakePipe) {
        #if DEBUG
        guard let text = ProcessInfo.processInfo.environment["PLUMB_TEST_LIVE_TRACE_PAUSE"], let seconds = Double(text) else { return }
        FileHandleWriter.write(2, "plumb: test pause: trace rules are in place\n")
        var fds = [pollfd(fd: wake.readDescriptor, events: Int16(POLLIN), revents: 0)]
        _ = poll(&fds, 1, Int32(seconds * 1000))
        #endif
    }
}
