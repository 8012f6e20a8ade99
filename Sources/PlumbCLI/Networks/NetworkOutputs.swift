import PlumbActions
import PlumbCluster
import PlumbModel

/// `plumb net ls`: one row per network.
struct NetworkListing: CommandOutput {
    var rows: [NetworkRow]

    var json: [NetworkRow] { rows }
    func text() -> String {
        // With a cluster store, one more column: the network's endpoints across the cluster.
        if rows.contains(where: { $0.cluster != nil }) {
            return TextTable.render(
                header: ["NAME", "DRIVER", "SUBNET", "GATEWAY", "BRIDGE", "ENDPOINTS", "CLUSTER"],
                rows: rows.map { [$0.name, $0.driver, $0.subnets, $0.gateways, $0.bridge ?? "-", String($0.endpoints), $0.cluster?.text ?? "-"] })
        }
        return TextTable.render(
            header: ["NAME", "DRIVER", "SUBNET", "GATEWAY", "BRIDGE", "ENDPOINTS"],
            rows: rows.map { [$0.name, $0.driver, $0.subnets, $0.gateways, $0.bridge ?? "-", String($0.endpoints)] })
    }
}

struct NetworkRow: Encodable {
    var name, driver, subnet, gateway: String
    var bridge: String?
    var `internal`: Bool
    var endpoints: Int
    /// A dual-stack network's IPv6 half.
    var subnet6, gateway6: String?
    /// With a cluster store, for a shared network: its endpoints on every host.
    var cluster: ClusterUsage?
    init(_ n: NetworkRecord, endpoints: Int) {
        // The output's text, written from the record's values.
        name = n.name; driver = n.driver.rawValue; subnet = n.subnet.description; gateway = n.gateway.description
        bridge = n.config.bridge
        `internal` = n.internal; self.endpoints = endpoints
        if case .bridge(let c) = n.config { subnet6 = c.subnet6?.description; gateway6 = c.gateway6?.description }
    }

    /// A network the cluster shares that this host has not created (no local endpoints, no bridge here).
    init(shared n: ClusterNetwork, cluster: ClusterUsage) {
        name = n.name; driver = n.driver; subnet = n.subnet; gateway = n.gateway; bridge = nil
        `internal` = false; endpoints = 0; self.cluster = cluster
    }

    /// For the text table: both families of a dual-stack network, comma-separated.
    var subnets: String { ([subnet] + [subnet6].compactMap { $0 }).joined(separator: ",") }
    var gateways: String { ([gateway] + [gateway6].compactMap { $0 }).joined(separator: ",") }
}

/// `plumb net inspect NAME`: the network, its endpoints, and where the kernel drifted from the store.
struct NetworkInspection: CommandOutput {
    var report: NetworkService.InspectReport

    var json: NetworkService.InspectReport { report }
    func text() -> String {
        let n = report.network
        var s = "\(n.name): \(n.driver) \(n.subnet) gateway \(n.gateway)"
        if case .bridge(let c) = n.config, let s6 = c.subnet6 { s += ", \(s6) gateway \(c.gateway6?.description ?? "-")" }
        if case .bridge(let c) = n.config, c.nat66 { s += " nat66" }
        s += n.internal ? " internal\n" : "\n"
        for (i, e) in report.endpoints.enumerated() {
            let name = i < report.sandboxNames.count ? report.sandboxNames[i] : "net:[\(e.sandbox)]"
            s += "  \(name) \(e.ifname) \(e.address?.description ?? "-")\(e.address6.map { " \($0)" } ?? "") host side \(e.hostIfname ?? "-")\n"
        }
        if report.drift.isEmpty { s += "  in sync with the kernel\n" }
        for d in report.drift { s += "  ! drift: \(d)\n" }
        if let c = report.cluster { s += ClusterViews.lines(c) }
        return s
    }
}
