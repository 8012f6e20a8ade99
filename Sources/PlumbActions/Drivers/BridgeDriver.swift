import PlumbModel

/// Docker's default driver: a Linux bridge holding the gateway address, one veth pair per endpoint (host end
/// enslaved, other end moved into the sandbox as ethN), egress MASQUERADE, FORWARD accept rules, isolation
/// between networks, `internal` networks with no way out.
public struct BridgeDriver: DriverPlanner {
    public let driver = NetworkDriver.bridge
    public init() {}

    /// The bridge device: `--bridge NAME`, else `pl-NAME` when it fits in 15 bytes, else a hashed short form.
    public static func bridgeName(_ net: NetworkSpec) -> String {
        net.config.bridge ?? defaultBridgeName(network: net.name)
    }

    /// `pl-NAME` when it fits in 15 bytes, else a hashed short form.
    public static func defaultBridgeName(network: String) -> String { LinkNames.derived(prefix: "pl-", from: network) }

    public func create(_ net: NetworkSpec, firewall: Firewall) throws -> Plan {
        let br = Self.bridgeName(net)
        let host = net.hostNamespace
        var steps: [PlanStep] = [
            .createBridge(name: br, mtu: net.mtu, in: host),
            .addAddress(cidr: "\(net.gateway)/\(net.prefixLength)", link: br, in: host),
            .setUp(link: br, in: host),
        ]
        if !net.internal {
            // Forwarding is a host-wide switch other networks may rely on: enabled, never switched back off.
            steps.append(.setSysctl(key: "net/ipv4/ip_forward", value: "1", previous: nil, in: host))
        }
        // Lets ports published on 127.0.0.1 reach the bridge (the setting goes away with the bridge).
        steps.append(.setSysctl(key: "net/ipv4/conf/\(br)/route_localnet", value: "1", previous: nil, in: host))
        steps.append(.firewall(family: "ipv4", batch: BridgeFirewall.addBatch(net, bridge: br),
                               undo: BridgeFirewall.deleteBatch(net, bridge: br), in: host))
        return Plan(operation: .netCreate(network: net.name), steps: steps)
    }

    public func remove(_ net: NetworkSpec, firewall: Firewall, lastNetwork: Bool) throws -> Plan {
        let br = Self.bridgeName(net)
        var steps: [PlanStep] = []
        // The network's tagged rules, and the shared chains if the kernel shows no other Plumb rule in them at
        // apply time (whatever this store knows: other state stores may have networks in this namespace).
        let batch = BridgeFirewall.teardownBatch(net.name, current: firewall)
        steps.append(.firewall(family: "ipv4", batch: batch, undo: "", in: net.hostNamespace))
        steps.append(.deleteLink(name: br, in: net.hostNamespace))
        if lastNetwork { steps.append(.dropEmptyFirewallTables(in: net.hostNamespace)) }
        return Plan(operation: .netRemove(networks: [net.name], force: false), steps: steps)
    }

    public func join(_ net: NetworkSpec, _ ep: EndpointSpec) throws -> Plan {
        let br = Self.bridgeName(net)
        guard let hostIf = ep.hostIfname else { throw ActionError.unavailable("bridge endpoint needs a host interface name") }
        var steps: [PlanStep] = [
            .createVeth(name: hostIf, peer: ep.ifname, mtu: net.mtu, in: net.hostNamespace, peerIn: ep.sandbox),
            .setMaster(link: hostIf, master: br, in: net.hostNamespace),
            .setUp(link: hostIf, in: net.hostNamespace),
            .addAddress(cidr: "\(ep.address)/\(net.prefixLength)", link: ep.ifname, in: ep.sandbox),
            .setUp(link: ep.ifname, in: ep.sandbox),
            .setUp(link: "lo", in: ep.sandbox),
        ]
        if ep.defaultRoute {
            steps.append(.addRoute(dst: "default", gateway: net.gateway, link: ep.ifname, in: ep.sandbox))
        }
        let ports = BridgeFirewall.portRules(net, bridge: br, ep: ep)
        if !ports.isEmpty {
            steps.append(.setHairpin(link: hostIf, in: net.hostNamespace))
            steps.append(.firewall(family: "ipv4", batch: BridgeFirewall.batch(ports, verb: "-A"),
                                   undo: BridgeFirewall.batch(ports, verb: "-D"), in: net.hostNamespace))
        }
        return Plan(operation: .netConnect(network: net.name, targets: []), steps: steps)
    }

    public func leave(_ net: NetworkSpec, _ ep: EndpointSpec) throws -> Plan {
        // Deleting one end of a veth deletes both; the sandbox's address and route go with its end.
        guard let hostIf = ep.hostIfname else { return Plan(operation: .netDisconnect(network: net.name, endpoints: [])) }
        return Plan(operation: .netDisconnect(network: net.name, endpoints: []), steps: [.deleteLink(name: hostIf, in: net.hostNamespace)])
    }
}

/// Interface names: at most 15 bytes, letters, digits and `-_.` (what the kernel accepts and tools can print).
public enum LinkNames {
    public static func validate(_ name: String) throws {
        guard !name.isEmpty, name.utf8.count <= 15, name != ".", name != "..",
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            let why = name.utf8.count > 15 ? "longer than 15 bytes" : "has characters other than letters, digits, '-', '_', '.'"
            throw ActionError.invalid("invalid interface name '\(name)': \(why)")
        }
    }

    /// prefix + name when it fits in 15 bytes, else prefix + the start of name + a short stable hash.
    public static func derived(prefix: String, from name: String) -> String {
        let clean = String(name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        if prefix.utf8.count + clean.utf8.count <= 15 && !clean.isEmpty { return prefix + clean }
        let hash = String(fnv1a(name) & 0xffffff, radix: 16)
        let room = 15 - prefix.utf8.count - hash.count - 1
        return prefix + String(clean.prefix(max(0, room))) + "-" + hash
    }

    /// FNV-1a: a stable hash (Swift's Hasher is seeded per process).
    public static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return h
    }
}
