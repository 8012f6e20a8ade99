import PlumbModel

/// The multi-host overlay: a VXLAN device (VNI, local address, remote peer, UDP port, underlay device) enslaved
/// to a bridge; endpoints join that bridge exactly as on a bridge network. The same network created on two hosts
/// (same VNI and subnet, each pointing at the other) joins their endpoints into one L2 segment. Traffic between
/// endpoints stays inside the overlay: no NAT, no egress rules.
public struct VxlanDriver: DriverPlanner {
    public let driver = NetworkDriver.vxlan
    public init() {}

    static func vxlanName(_ net: NetworkSpec) -> String { vxlanName(net.name) }
    /// The VXLAN device of network `name`.
    public static func vxlanName(_ name: String) -> String { LinkNames.derived(prefix: "vx-", from: name) }

    /// The settings from `--vni`, `--remote`, `--local`, `--dstport`, `--parent`, checked.
    /// `clusterOverlay`: a cluster store is configured, so without `--remote` the VTEPs find each other through
    /// `plumb agent`.
    public static func config(vni: UInt32?, remote: IPAddress?, local: IPAddress?, port: Int?, parent: String?,
                              bridge: String?, clusterOverlay: Bool = false) throws -> VxlanConfig {
        guard let vni else { throw ActionError.invalid("the vxlan driver needs --vni N (1..16777215)") }
        guard VxlanConfig.vniRange.contains(vni) else { throw ActionError.invalid("invalid --vni \(vni): use 1..16777215") }
        if remote == nil && !clusterOverlay {
            throw ActionError.invalid("the vxlan driver needs --remote IP (the other host) or a multicast --remote group, or --store etcd://… for a cluster overlay")
        }
        var udpPort: UInt16?
        if let port {
            guard (1...65535).contains(port) else { throw ActionError.invalid("invalid --dstport \(port): use 1..65535") }
            udpPort = UInt16(port)
        }
        return VxlanConfig(vni: vni, port: udpPort, remote: remote, local: local, parent: parent, bridge: bridge)
    }

    public func create(_ net: NetworkSpec, firewall: Firewall) throws -> Plan {
        guard case .vxlan(let config) = net.config else { throw ActionError.unavailable("network \(net.name) is not a vxlan network") }
        let br = BridgeDriver.bridgeName(net), vx = Self.vxlanName(net), host = net.hostNamespace
        // VXLAN adds 50 bytes of headers: the overlay's MTU defaults to 1450 so endpoints never exceed the path.
        let mtu = net.mtu ?? 1450
        let device: PlanStep = config.isClusterOverlay
            ? .createOverlayVxlan(name: vx, vni: config.vni, local: config.local, port: Int(config.effectivePort),
                                  parent: config.parent, mtu: mtu, in: host)
            : .createVxlan(name: vx, vni: config.vni, local: config.local, remote: config.remote,
                           port: Int(config.effectivePort), parent: config.parent, mtu: mtu, in: host)
        return Plan(operation: .netCreate(network: net.name), steps: [
            .createBridge(name: br, mtu: mtu, in: host),
            device,
            .setMaster(link: vx, master: br, in: host),
            .addAddress(cidr: net.subnet.interfaceAddress(net.gateway), link: br, in: host),
            .setUp(link: vx, in: host),
            .setUp(link: br, in: host),
        ])
    }

    public func remove(_ net: NetworkSpec, firewall: Firewall) throws -> Plan {
        Plan(operation: .netRemove(networks: [net.name], force: false), steps: [
            .deleteLink(name: Self.vxlanName(net), in: net.hostNamespace),
            .deleteLink(name: BridgeDriver.bridgeName(net), in: net.hostNamespace),
        ])
    }

    public func join(_ net: NetworkSpec, _ ep: EndpointSpec) throws -> Plan {
        var spec = net
        spec.mtu = net.mtu ?? 1450
        var plan = try BridgeDriver().join(spec, ep)
        // The overlay is its own segment: no default route unless the sandbox has none at all.
        plan.operation = .netConnect(network: net.name, targets: [])
        // On a cluster overlay the endpoint's MAC follows from its address, so every peer can program it from
        // the address lease alone, even while this host's agent is not running.
        if case .vxlan(let config) = net.config, config.isClusterOverlay, let address = ep.address, let mac = HardwareAddress.overlayEndpoint(address),
           let up = plan.steps.firstIndex(of: .setUp(link: ep.ifname, in: ep.sandbox)) {
            plan.steps.insert(.setLinkMAC(link: ep.ifname, mac: mac, in: ep.sandbox), at: up)
        }
        return plan
    }

    public func leave(_ net: NetworkSpec, _ ep: EndpointSpec) throws -> Plan {
        try BridgeDriver().leave(net, ep)
    }
}
