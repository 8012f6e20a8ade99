import ArgumentParser
import Dispatch
import Foundation
import Glibc
import PlumbActions
import PlumbAgent
import PlumbCluster
import PlumbModel

/// `plumb agent`: the long-running mode that makes cluster overlays work across hosts (see docs/cluster.md).
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Keep this host's cluster overlays connected: register its VTEPs in the store and program peers' forwarding (long-running).",
        discussion: """
        Registers this host and one VTEP per cluster overlay (a vxlan network created with a store and no --remote) \
        under an etcd lease of --ttl seconds, watches the other hosts and the address leases, and writes the VXLAN \
        device's forwarding entries and permanent neighbours: an all-zeros entry per remote VTEP, a MAC entry and \
        a neighbour per remote endpoint. When a host's lease expires, every peer removes its entries. When etcd \
        cannot be reached the entries stay as they were. Stop it with SIGTERM (systemd): the lease is revoked, so \
        peers remove this host's entries at once. contrib/plumb-agent.service is an example unit.
        """)

    @OptionGroup var state: StateOptions
    @OptionGroup var hostNamespace: HostNamespaceOption

    @Option(help: ArgumentHelp("The etcd lease's TTL in seconds (2..300): peers drop this host's entries at most this long after it stops.", valueName: "seconds"))
    var ttl: Int = 10

    @Option(help: ArgumentHelp("This host's underlay address for overlays created without --local (default: the source address towards etcd).", valueName: "ip"))
    var advertise: String?

    @Flag(help: "Sync once and exit: print the forwarding plan of each overlay (applied unless --dry-run).")
    var once = false

    @Flag(help: "With --once: show the plan without applying it.")
    var dryRun = false

    func validate() throws {
        guard (2...300).contains(ttl) else { throw ValidationError("invalid --ttl \(ttl): use 2..300 seconds") }
        if let advertise, IPAddress(advertise) == nil { throw ValidationError("invalid --advertise \(advertise): give an IP address") }
        if dryRun && !once { throw ValidationError("--dry-run goes with --once (the long-running agent always applies)") }
    }

    func run() throws {
        let service = try state.service(hostNs: hostNamespace.hostNs)
        guard let cluster = service.cluster else {
            throw CommandFailure(description: "plumb agent needs a cluster store: give --store etcd://HOST:PORT (or PLUMB_STORE, or `store` in /etc/plumb/config)",
                                 code: PlumbExit.usage)
        }
        var options = OverlayAgent.Options(hostID: cluster.hostID)
        options.ttl = Int64(ttl)
        options.advertise = advertise.flatMap(IPAddress.init)
        if once {
            let client = cluster.client
            let range = try runBlocking { try await client.range(prefix: ClusterKeys.root) }
            let plans = try OverlayAgent.syncOnce(range.kvs, service: service, hostID: cluster.hostID, dryRun: dryRun)
            try render(AgentPlansOutput(plans: plans), as: state.format)
            return
        }
        let agent = OverlayAgent(client: cluster.client, service: service, options: options, log: { line in AgentLog.write(line) })
        // SIGTERM (systemd stop) and SIGINT: revoke the lease so peers drop this host's entries now, then exit.
        let signals = [Int32(SIGTERM), Int32(SIGINT)].map { (sig: Int32) -> DispatchSourceSignal in
            _ = Glibc.signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                AgentLog.write("stopping: revoking the lease")
                Task {
                    await agent.stop()
                    Glibc.exit(0)
                }
            }
            source.resume()
            return source
        }
        try withExtendedLifetime(signals) { try runBlocking { await agent.run() } }
    }
}

/// The agent's log lines: stderr, one line each with a UTC timestamp (journald adds its own, but a terminal
/// run needs one).
enum AgentLog {
    static func write(_ line: String) {
        let stamp = ISO8601DateFormatter().string(from: Date())
        FileHandle.standardError.write(Data("\(stamp) plumb agent: \(line)\n".utf8))
    }
}
