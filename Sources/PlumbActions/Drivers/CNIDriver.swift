import Foundation
import PlumbModel

/// Any CNI plugin chain as a Plumb driver (`--driver cni --cni-config FILE`). The plugins own the devices,
/// addresses and rules; Plumb plans their invocations (ADD on join, DEL on leave, each journaled so `plumb gc`
/// can undo a half-done ADD), records the result, and runs CHECK for `net inspect`.
/// Settings: `CNIChainConfig` (the conflist JSON, the plugin binaries, CNI_PATH).
public struct CNIDriver: DriverPlanner {
    public let driver = NetworkDriver.cni
    public init() {}

    /// The CNI container id Plumb uses for an endpoint: stable, so DEL and CHECK find what ADD made.
    public static func containerID(_ net: NetworkSpec, _ ep: EndpointSpec) -> String { "plumb-\(net.name)-\(ep.key)" }

    public func create(_ net: NetworkSpec, firewall: Firewall) throws -> Plan {
        // Nothing exists until the first ADD: CNI plugins create their devices on demand.
        Plan(operation: .netCreate(network: net.name))
    }

    public func remove(_ net: NetworkSpec, firewall: Firewall) throws -> Plan {
        Plan(operation: .netRemove(networks: [net.name], force: false))
    }

    public func join(_ net: NetworkSpec, _ ep: EndpointSpec) throws -> Plan {
        Plan(operation: .netConnect(network: net.name, targets: []), steps: [try step("ADD", net, ep, prevResult: nil)])
    }

    /// A DEL for a sandbox that is gone gets an empty CNI_NETNS (the spec's "the namespace no longer exists"):
    /// the plugins release what they hold outside it (addresses, port mappings) and enter nothing, where the
    /// old path might now lead to a newcomer.
    public func leave(_ net: NetworkSpec, _ ep: EndpointSpec) throws -> Plan {
        Plan(operation: .netDisconnect(network: net.name, endpoints: []), steps: [try step("DEL", net, ep, prevResult: ep.driverState)])
    }

    func step(_ command: String, _ net: NetworkSpec, _ ep: EndpointSpec, prevResult: String?) throws -> PlanStep {
        guard case .cni(let chain) = net.config, !chain.conflist.isEmpty else {
            throw ActionError.unavailable("network \(net.name) has no stored CNI config: recreate it with --cni-config")
        }
        return .cni(command: command, plugins: chain.plugins, conflist: chain.conflist,
                    runtimeConfig: try Self.runtimeConfig(ep.ports, ip: Self.requestedIP(net, ep)), prevResult: prevResult,
                    containerID: Self.containerID(net, ep), netns: ep.sandboxGone ? "" : ep.sandbox.file, ifname: ep.ifname,
                    cniPath: chain.cniPath, in: net.hostNamespace)
    }

    /// `--ip` (the endpoint's address, when one was asked for) with the network's prefix length.
    static func requestedIP(_ net: NetworkSpec, _ ep: EndpointSpec) -> IPPrefix? {
        ep.address.map { net.subnet.interfaceAddress($0) }
    }

    /// The runtimeConfig capabilities Plumb fills: `-p` as `portMappings` (what portmap reads) and `--ip` as
    /// `ips` (what host-local reads); nil when neither is given. Each plugin gets only the keys it declares.
    static func runtimeConfig(_ ports: [PortMapping], ip: IPPrefix? = nil) throws -> String? {
        var rc: [String: Any] = [:]
        if !ports.isEmpty {
            rc["portMappings"] = ports.map { p -> [String: Any] in
                var m: [String: Any] = ["hostPort": p.hostPort, "containerPort": p.containerPort, "protocol": p.proto]
                if let ip = p.hostIP { m["hostIP"] = ip.description }
                return m
            }
        }
        if let ip { rc["ips"] = [ip.description] }
        if rc.isEmpty { return nil }
        return String(decoding: try JSONSerialization.data(withJSONObject: rc, options: [.sortedKeys]), as: UTF8.self)
    }
}
