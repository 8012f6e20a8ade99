import ArgumentParser
import Foundation
import PlumbCluster

/// `plumb net gc --store URL`: reclaims the address leases of dead hosts (no live host key in the store) once
/// they are older than the grace period, so their addresses can be given out again.
struct NetGcCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc", abstract: "Reclaim dead hosts' address leases from the cluster store (needs a store).",
        discussion: "A host is dead when its /plumb/v1/hosts/HOST key is gone (its agent's etcd lease expired). Its leases older than --grace are released; this host's own leases are left to `plumb gc`, which compares them with the kernel.")
    @Option(help: ArgumentHelp("Only leases taken at least this many seconds ago.", valueName: "seconds")) var grace: Double = 600
    @Flag(name: .long, help: "List the leases that would be reclaimed and change nothing.") var dryRun = false
    @OptionGroup var state: StateOptions

    func validate() throws {
        guard grace >= 0, grace.isFinite else { throw ValidationError("invalid --grace \(grace): give 0 or more seconds") }
    }

    func run() throws {
        guard let cluster = try state.cluster.cluster() else {
            throw CommandFailure(description: "net gc works on the cluster store: give --store etcd://HOST:PORT (or set PLUMB_STORE)", code: PlumbExit.usage)
        }
        let (dead, live) = try perform { try cluster.deadHostLeases(grace: grace, now: Date().timeIntervalSince1970) }
        let reclaimed = dryRun ? dead : try perform { try cluster.reclaim(dead) }
        try render(NetGcOutput(store: cluster.location, dryRun: dryRun, liveHosts: live, reclaimed: reclaimed), as: state.format)
    }
}

struct NetGcOutput: CommandOutput, Encodable {
    var store: String
    var dryRun: Bool
    var liveHosts: [String]
    var reclaimed: [AddressLease]

    func text() -> String {
        let verb = dryRun ? "would reclaim" : "reclaimed"
        if reclaimed.isEmpty { return "nothing to reclaim in \(store) (live hosts: \(liveHosts.isEmpty ? "none" : liveHosts.joined(separator: ", ")))\n" }
        return reclaimed.map { "\(verb) \($0.address) on \($0.network) from dead host \($0.host)\($0.namespaceName.map { " (\($0))" } ?? "")" }
            .joined(separator: "\n") + "\n"
    }
}
