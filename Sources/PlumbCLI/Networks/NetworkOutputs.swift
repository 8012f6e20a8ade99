import PlumbActions

/// `plumb net ls`: one row per network.
struct NetworkListing: CommandOutput {
    var rows: [NetworkRow]

    var json: [NetworkRow] { rows }
    func text() -> String {
        TextTable.render(
            header: ["NAME", "DRIVER", "SUBNET", "GATEWAY", "BRIDGE", "ENDPOINTS"],
            rows: rows.map { [$0.name, $0.driver, $0.subnet, $0.gateway, $0.bridge ?? "-", String($0.endpoints)] })
    }
}

struct NetworkRow: Encodable {
    var name, driver, subnet, gateway: String
    var bridge: String?
    var `internal`: Bool
    var endpoints: Int
    init(_ n: NetworkRecord, endpoints: Int) {
        name = n.name; driver = n.driver.rawValue; subnet = n.subnet; gateway = n.gateway; bridge = n.config.bridge
        `internal` = n.internal; self.endpoints = endpoints
    }
}

/// `plumb net inspect NAME`: the network, its endpoints, and where the kernel drifted from the store.
struct NetworkInspection: CommandOutput {
    var report: NetworkService.InspectReport

    var json: NetworkService.InspectReport { report }
    func text() -> String {
        let n = report.network
        var s = "\(n.name): \(n.driver) \(n.subnet) gateway \(n.gateway)"
        s += n.internal ? " internal\n" : "\n"
        for e in report.endpoints {
            s += "  \(e.sandbox) \(e.ifname) \(e.address ?? "-") host side \(e.hostIfname ?? "-")\n"
        }
        if report.drift.isEmpty { s += "  in sync with the kernel\n" }
        for d in report.drift { s += "  ! drift: \(d)\n" }
        return s
    }
}
