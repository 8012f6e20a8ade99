import PlumbModel

/// The multi-host overlay: a VXLAN device (VNI, local address, remote peer, UDP port, underlay device) enslaved
/// to a bridge; endpoints join that bridge exactly as on a bridge network. The same network created on two hosts
/// (same VNI and subnet, each pointing at the other) joins their endpoints into one L2 segment. Traffic between
/// endpoints stays inside the overlay: no NAT, no egress rules.
public struct VxlanDriver: NetworkDriver {
    public let name = "vxlan"
    public init() {}

    static func vxlanName(_ net: NetworkSpec) -> String { LinkNames.derived(prefix: "vx-", from: net.name) }

    public func create(_ net: NetworkSpec, firewall: Firewall) throws -> Plan {
        guard let vniText = net.options["vni"], let vni = UInt32(vniText), (1...16_777_215).contains(vni) else {
            throw ActionError.invalid("the vxlan driver needs --vni N (1..16777215)")
        }
        guard net.options["remote"] != nil || net.options["group"] != nil else {
            throw ActionError.invalid("the vxlan driver needs --remote IP (the other host) or a multicast --remote group")
        }
        let port = Int(net.options["dstport"] ?? "4789") ?? 4789
        guard (1...65535).contains(port) else { throw ActionError.invalid("invalid --dstport \(port)") }
        let br = BridgeDriver.bridgeName(net), vx = Self.vxlanName(net), host = net.hostNamespace
        // VXLAN adds 50 bytes of headers: the overlay's MTU defaults to 1450 so endpoints never exceed the path.
        let mtu = net.mtu ?? 1450
        return Plan(operation: "net create \(net.name)", steps: [
            .createBridge(name: br, mtu: mtu, in: host),
            .createVxlan(name: vx, vni: vni, local: net.options["local"], remote: net.options["remote"], port: port,
                         parent: net.options["parent"], mtu: mtu, in: host),
            .setMaster(link: vx, master: br, in: host),
            .addAddress(cidr: "\(net.gateway)/\(net.prefixLength)", link: br, in: host),
            .setUp(link: vx, in: host),
            .setUp(link: br, in: host),
        ])
    }

    public func remove(_ net: NetworkSpec, firewall: Firewall, lastNetwork: Bool) throws -> Plan {
        Plan(operation: "net rm \(net.name)", steps: [
            .deleteLink(name: Self.vxlanName(net), in: net.hostNamespace),
            .deleteLink(name: BridgeDriver.bridgeName(net), in: net.hostNamespace),
        ])
    }

    public func join(_ net: NetworkSpec, _ ep: EndpointSpec) throws -> Plan {
        var spec = net
        spec.mtu = net.mtu ?? 1450
        var plan = try BridgeDriver().join(spec, ep)
        // The overlay is its own segment: no default route unless the sandbox has none at all.
        plan.operation = "net connect \(net.name)"
        return plan
    }

    public func leave(_ net: NetworkSpec, _ ep: EndpointSpec) throws -> Plan {
        try BridgeDriver().leave(net, ep)
    }
}
