import Foundation
import ArgumentParser
import PlumbActions
import PlumbModel

/// `plumb net`: container networks the way Docker's drivers build them.
struct NetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "net",
        abstract: "Create, connect, inspect and remove container networks.",
        subcommands: [Create.self, List.self, Inspect.self, Remove.self, Connect.self, Disconnect.self, NetGcCommand.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a network (bridge, macvlan, vxlan or cni driver).")
        @Argument(help: "Network name.") var name: String
        @Option(help: "Driver: bridge, macvlan, vxlan or cni.") var driver = "bridge"
        @Option(name: .customLong("cni-config"), help: "cni: a CNI network config or conflist file (plugins from CNI_PATH and /usr/lib/cni).")
        var cniConfig: String?
        @Option(help: "Subnet in CIDR form; default: the first free /24 of 172.30.0.0/16. An IPv6 subnet makes an IPv6-only bridge network; give one IPv4 and one IPv6 --subnet for dual stack (bridge).")
        var subnet: [String] = []
        @Option(help: "Gateway address; default: the first host of the subnet. With dual stack, one per family.") var gateway: [String] = []
        @Flag(name: .customLong("nat66"), help: "bridge: masquerade the network's IPv6 traffic leaving it (off by default, as Docker's ip6tables).")
        var nat66 = false
        @Option(name: .customLong("ip-range"), help: "Allocate endpoint addresses from this sub-range only.") var ipRange: String?
        @Option(help: "MTU of the bridge and its endpoints.") var mtu: Int?
        @Flag(name: .customLong("internal"), help: "No egress: no NAT, no forwarding out of the bridge.") var isInternal = false
        @Option(help: "Bridge device name (bridge and vxlan; default pl-NAME).") var bridge: String?
        @Option(help: "macvlan: the parent interface; vxlan: the underlay device.") var parent: String?
        @Option(help: "macvlan mode: bridge, private, vepa, passthru.") var mode: String?
        @Option(help: "vxlan: the VXLAN network identifier.") var vni: UInt32?
        @Option(help: "vxlan: the other host's address (or a multicast group).") var remote: String?
        @Option(help: "vxlan: this host's underlay address.") var local: String?
        @Option(help: "vxlan: UDP port (default 4789).") var dstport: Int?
        @OptionGroup var change: ChangeOptions

        func run() throws {
            let svc = try change.service()
            var req = NetworkService.CreateRequest(name: name)
            req.driver = driver; req.nat66 = nat66
            let subnets = try NetworkCLIInput.split(subnet, option: "--subnet") { IPPrefix($0)?.isIPv6 }
            let gateways = try NetworkCLIInput.split(gateway, option: "--gateway") { IPAddress($0)?.isIPv6 }
            try perform {
                try req.parseAddresses(subnet: subnets.0, gateway: gateways.0, subnet6: subnets.1, gateway6: gateways.1,
                                       ipRange: ipRange, remote: remote, local: local)
            }
            req.mtu = mtu; req.internal = isInternal
            req.bridge = bridge; req.parent = parent; req.mode = mode
            req.vni = vni; req.dstport = dstport
            if let cniConfig {
                guard let data = FileManager.default.contents(atPath: cniConfig) else {
                    throw CommandFailure(description: "cannot read --cni-config \(cniConfig): check the path", code: PlumbExit.usage)
                }
                req.cniConfig = String(decoding: data, as: UTF8.self)
            }
            let (plan, record) = try perform { try svc.create(req, dryRun: change.dryRun) }
            /// A dual-stack network's IPv6 half, for the summary line.
            func dualStack(_ r: NetworkRecord) -> String {
                guard case .bridge(let c) = r.config, let s6 = c.subnet6 else { return "" }
                return "\(s6), gateway \(c.gateway6?.description ?? "-")\(c.nat66 ? ", nat66" : ""), "
            }
            // A cni network names its plugin chain; the others their bridge.
            let chain = record.cniConfig.map { "plugins \($0.types.joined(separator: " -> "))" }
            try change.report([plan], result: record,
                              summary: "created network \(record.name) (\(record.driver), \(record.subnet), gateway \(record.gateway), \(dualStack(record))\(chain ?? "bridge \(record.config.bridge ?? "-")"))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List Plumb's networks.",
                                                        aliases: ["list"])
        @OptionGroup var change: ReadNetworkOptions
        func run() throws {
            let svc = try change.service()
            let nets = try perform { try svc.store.networks() }
            var rows = try nets.map { n in NetworkRow(n, endpoints: try svc.store.endpoints(network: n.name).count) }
            // With a store: each shared network's endpoints on every host, and the shared networks not built here.
            if let cluster = ClusterViews.read(svc, { try $0.allNetworks() }) {
                let (shared, leases) = (cluster.networks, cluster.leases)
                let local = Set(nets.map(\.name))
                for i in rows.indices where shared.contains(where: { $0.name == rows[i].name }) {
                    rows[i].cluster = ClusterViews.usage(leases, network: rows[i].name, onThisHost: true)
                }
                rows += shared.filter { !local.contains($0.name) }.map {
                    NetworkRow(shared: $0, cluster: ClusterViews.usage(leases, network: $0.name, onThisHost: false))
                }
            }
            try render(NetworkListing(rows: rows), as: change.format)
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Show a network, its endpoints, and drift from the kernel.")
        @Argument(help: "Network name.", completion: CompletionSources.networks) var name: String
        @OptionGroup var change: ReadNetworkOptions
        func run() throws {
            let svc = try change.service()
            // A shared network this host never created: the store's view, said to be not here.
            if try perform({ try svc.store.network(named: name) }) == nil,
               let shared = ClusterViews.read(svc, { try ClusterViews.storeOnly(name, $0) }) ?? nil {
                try render(shared, as: change.format)
                return
            }
            var report = try perform { try svc.inspect(name) }
            if let shared = ClusterViews.read(svc, { try ClusterViews.endpoints(of: name, $0) }), shared.0 != nil {
                report.cluster = shared.1
                report.onThisHost = true
            }
            try render(NetworkInspection(report: report), as: change.format)
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove one or more networks (several in one atomic operation).")
        @Argument(help: "Network names.", completion: CompletionSources.networks) var names: [String]
        @Flag(help: "Disconnect their endpoints first.") var force = false
        @OptionGroup var change: ChangeOptions
        func run() throws {
            let svc = try change.service()
            let (plans, notFound) = try perform { try svc.removeNetworks(names, force: force, dryRun: change.dryRun) }
            let lines = names.map { "removed network \($0)" } + notFound.map { "not found: \($0)" }
            try change.report(plans, summary: lines.joined(separator: "\n"))
            printNotes(svc.notes)
        }
    }

    struct Connect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "connect", abstract: "Connect namespaces or containers to a network.",
            discussion: "Several targets are connected in one atomic operation (one snapshot, one IPAM transaction, one firewall batch); with several targets each -p host port is a range with one port per target, e.g. -p 8000-8019:80. --new-ns NAME creates the named namespace and connects it in one call (removed again if the connect fails); `plumb ns rm NAME --force` undoes both in one call.")
        @Argument(help: "Network name.", completion: CompletionSources.networks) var network: String
        @Argument(help: "Namespace name, pid:N, container name/id, or namespace id (one or more).",
                  completion: CompletionSources.namespaces) var targets: [String] = []
        @Option(name: .customLong("new-ns"), help: "Create this named namespace (as `plumb ns add`) and connect it.")
        var newNamespace: String?
        @Option(help: "Address to use (default: the next free one).") var ip: String?
        @Option(help: "Interface name inside the target (default: the first free ethN).") var ifname: String?
        @Option(name: [.customShort("p"), .customLong("publish")],
                help: "Publish a port: [HOSTIP:]HOSTPORT:PORT[/tcp|udp] (repeatable).") var publish: [String] = []
        @OptionGroup var change: ChangeOptions
        func validate() throws {
            if targets.isEmpty && newNamespace == nil { throw ValidationError("give a target to connect, or --new-ns NAME") }
            if !targets.isEmpty && newNamespace != nil {
                throw ValidationError("--new-ns NAME is the target: give no other target with it")
            }
        }

        func run() throws {
            let svc = try change.service()
            var req = NetworkService.ConnectRequest(network: network, targets: targets)
            req.ip = try ip.map { text in try perform { try IPAddress.parse(text) } }
            req.ifname = ifname; req.publish = publish
            if let name = newNamespace {
                let (plans, ep) = try perform { try svc.connectNewNamespace(name, req, dryRun: change.dryRun) }
                let summary = ep.map { "created namespace \(name) and connected it to \(network): \($0.ifname) \($0.address?.description ?? "-")" }
                    ?? "would create namespace \(name), then connect it to \(network)"
                try change.report(plans, result: ep, summary: summary)
                return
            }
            let (plan, eps) = try perform { try svc.connectMany(req, dryRun: change.dryRun) }
            let summary = zip(targets, eps).map { "connected \($0) to \(network): \($1.ifname) \($1.address?.description ?? "-")\($1.address6.map { " \($0)" } ?? "")" }
            try change.report([plan], result: eps.count == 1 ? AnyEncodable(eps[0]) : AnyEncodable(eps),
                              summary: summary.joined(separator: "\n"))
        }
    }

    struct Disconnect: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "disconnect", abstract: "Disconnect namespaces or containers from a network (several in one atomic operation).")
        @Argument(help: "Network name.", completion: CompletionSources.networks) var network: String
        @Argument(help: "Namespace name, pid:N, container name/id, or namespace id (one or more).",
                  completion: CompletionSources.namespaces) var targets: [String]
        @OptionGroup var change: ChangeOptions
        func run() throws {
            let svc = try change.service()
            let plan = try perform { try svc.disconnect(network: network, targets: targets, dryRun: change.dryRun) }
            try change.report([plan], summary: "disconnected \(targets.joined(separator: ", ")) from \(network)")
            printNotes(svc.notes)
        }
    }
}
