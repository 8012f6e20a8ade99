import Foundation
import PlumbKernel
import PlumbModel

/// What the CNI driver needs from the service: validating the config at create, removing the bridge the
/// plugins leave behind, and CHECK for inspect.
extension NetworkService {
    /// Validates `req.cniConfig` (the file's text): JSON, cniVersion, every plugin binary present in CNI_PATH.
    /// Returns the normalized conflist, the plugin paths and CNI_PATH, and the IPAM section's gateway; the
    /// subnet (for ls/inspect and overlap checks) comes from the IPAM section unless --subnet is given. The
    /// IPAM section's text is parsed as --subnet and --gateway are.
    func prepareCNI(_ req: inout CreateRequest) throws -> (config: CNIChainConfig, gateway: IPAddress?) {
        guard let text = req.cniConfig else {
            throw ActionError.invalid("--driver cni needs --cni-config FILE (a CNI network config or conflist)")
        }
        var config = try CNIConfig.parse(text)
        if config.name.isEmpty { config.name = req.name }
        let dirs = CNIConfig.searchPath()
        let plugins = try config.resolve(in: dirs)
        let ipam = config.ipamSubnet
        guard let subnet = try req.subnet ?? ipam.map({ try CreateRequest.parseSubnet($0.subnet) }) else {
            throw ActionError.invalid("the CNI config has no IPAM subnet (ipam.subnet or ipam.ranges): give --subnet so Plumb can list its addresses")
        }
        req.subnet = subnet
        let gateway = req.gateway == nil ? try ipam?.gateway.map { try IPAddress.parse($0) } : nil
        return (CNIChainConfig(conflist: try config.json(), plugins: plugins, cniPath: dirs.joined(separator: ":")), gateway)
    }

    /// CHECK for every endpoint of a CNI network (CNI 0.4.0+): one drift line per failing plugin.
    func cniCheck(_ net: NetworkRecord, endpoints: [EndpointRecord], snapshot snap: Snapshot) -> [String] {
        guard case .cni(let chain) = net.config, let config = net.cniConfig else {
            return ["its stored CNI config cannot be read: recreate the network"]
        }
        guard config.supportsCheck else { return [] }
        var drift: [String] = []
        for ep in endpoints {
            // A gone sandbox is reported by inspect itself; CHECK never runs against a newcomer.
            guard let result = ep.driverState, let sandbox = ep.sandboxHandle(in: snap) else { continue }
            let netSpec = NetworkPlanner.spec(net)
            let epSpec = EndpointSpec(sandbox: sandbox, ifname: ep.ifname, hostIfname: ep.hostIfname,
                                      address: ep.address, defaultRoute: false, ports: ep.ports, key: ep.key)
            let runner = CNIRunner(plugins: chain.plugins, conflist: chain.conflist,
                                   runtimeConfig: try? CNIDriver.runtimeConfig(ep.ports, ip: CNIDriver.requestedIP(netSpec, epSpec)),
                                   containerID: CNIDriver.containerID(netSpec, epSpec), netns: epSpec.sandbox.file,
                                   ifname: ep.ifname, cniPath: chain.cniPath)
            do {
                let failures = try executor.inNamespace(net.hostNamespace) { try runner.check(prevResult: result) }
                drift += failures.map { "endpoint \(ep.sandboxName(in: snap)) \(ep.ifname): \($0)" }
            } catch {
                drift.append("endpoint \(ep.sandboxName(in: snap)) \(ep.ifname): CNI CHECK could not run: \(error)")
            }
        }
        return drift
    }
}

extension NetworkRecord {
    /// The stored conflist, parsed; nil for other drivers or when it cannot be read.
    public var cniConfig: CNIConfig? {
        guard case .cni(let chain) = config else { return nil }
        return try? CNIConfig.parse(chain.conflist)
    }
}
