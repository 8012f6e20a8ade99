import Foundation
import PlumbAgent
import PlumbCluster
import PlumbModel

/// `plumb snapshot --cluster`: the host summaries the agents published (/plumb/v1/hosts/HOST/snapshot, each under
/// its host's lease, so only live hosts appear), merged into `{"hosts": [...]}` sorted by host.
enum ClusterSnapshot {
    /// The merged summaries: JSON `{"hosts": [...]}`, or a few lines per host.
    struct Merged: Codable, CommandOutput {
        var hosts: [HostSummary]

        func text() -> String {
            if hosts.isEmpty { return "no host has published a summary (is `plumb agent` running on them?)\n" }
            var out = ""
            for h in hosts {
                out += "host \(h.host)" + (h.underlay.map { " (underlay \($0))" } ?? "") + "\n"
                for o in h.overlays {
                    out += "  \(o.network): vni \(o.vni) \(o.subnet), \(o.device) on \(o.bridge), "
                        + "\(counted(o.endpoints.count + o.endpointsOmitted, "endpoint")), \(counted(o.forwarding.count, "forwarding entry", "forwarding entries"))\n"
                    for e in o.endpoints { out += "    \(e.address)  \(e.mac ?? "-")  \(e.sandbox)\n" }
                }
            }
            return out
        }
    }

    static func print(store: StoreOptions, format: OutputFormat) throws {
        guard let cluster = try store.cluster() else {
            throw CommandFailure(description: "snapshot --cluster needs a cluster store: give --store etcd://HOST:PORT (or PLUMB_STORE)", code: PlumbExit.usage)
        }
        let range = try runBlocking { try await cluster.client.range(prefix: ClusterKeys.hostsPrefix) }
        var hosts: [HostSummary] = []
        for kv in range.kvs {
            guard case .snapshot(let host) = ClusterKeys.parse(kv.key) else { continue }
            do { hosts.append(try ClusterJSON.decode(HostSummary.self, kv.value)) } catch {
                printError("note: host \(host)'s summary is not one this version reads; left out")
            }
        }
        try render(Merged(hosts: hosts.sorted { $0.host < $1.host }), as: format)
    }
}
