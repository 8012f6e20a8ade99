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
        let v4 = net.addressing(.ipv4), v6 = net.addressing(.ipv6)
        var steps: [PlanStep] = [.createBridge(name: br, mtu: net.mtu, in: host)]
        for a in [v4, v6].compactMap({ $0 }) {
            steps.append(.addAddress(cidr: a.subnet.interfaceAddress(a.gateway), link: br, in: host))
        }
        steps.append(.setUp(link: br, in: host))
        if !net.internal {
            // Forwarding is a host-wide switch other networks may rely on: enabled, never switched back off.
            // IPv6 forwarding is switched on in the network's host namespace only when it has an IPv6 subnet.
            if v4 != nil { steps.append(.setSysctl(key: "net/ipv4/ip_forward", value: "1", previous: nil, in: host)) }
            if v6 != nil { steps.append(.setSysctl(key: "net/ipv6/conf/all/forwarding", value: "1", previous: nil, in: host)) }
        }
        if v4 != nil {
            // Lets ports published on 127.0.0.1 reach the bridge (the setting goes away with the bridge).
            steps.append(.setSysctl(key: "net/ipv4/conf/\(br)/route_localnet", value: "1", previous: nil, in: host))
        }
        // One batch per family: iptables for IPv4, ip6tables for IPv6, with the same chains and ownership.
        for (family, name) in BridgeFirewall.families where net.addressing(family) != nil {
            steps.append(.firewall(family: name, batch: BridgeFirewall.addBatch(net, bridge: br, family: family),
                                   undo: BridgeFirewall.deleteBatch(net, bridge: br, family: family), in: host))
        }
        return Plan(operation: .netCreate(network: net.name), steps: steps)
    }

    public func remove(_ net: NetworkSpec, firewall: Firewall) throws -> Plan {
        let br = Self.bridgeName(net)
        var steps: [PlanStep] = []
        // The network's tagged rules, and the shared chains if the kernel shows no other Plumb rule in them at
        // apply time (whatever this store knows: other state stores may have networks in this namespace).
        steps += BridgeFirewall.teardownSteps(net.name, current: firewall, in: net.hostNamespace)
        steps.append(.deleteLink(name: br, in: net.hostNamespace))
        // Every removal ends by dropping the filter/nat tables if they are left empty, whether or not this store
        // thinks it removes the last network: other stores' networks share the tables, so which removal empties
        // them is only known at apply time, under the namespace's firewall lock (the step drops nothing that has a
        // rule, a user chain or a policy other than ACCEPT).
        steps.append(.dropEmptyFirewallTables(in: net.hostNamespace))
        return Plan(operation: .netRemove(networks: [net.name], force: false), steps: steps)
    }

    public func join(_ net: NetworkSpec, _ ep: EndpointSpec) throws -> Plan {
        let br = Self.bridgeName(net)
        guard let hostIf = ep.hostIfname else { throw ActionError.unavailable("bridge endpoint needs a host interface name") }
        var steps: [PlanStep] = [
            .createVeth(name: hostIf, peer: ep.ifname, mtu: net.mtu, in: net.hostNamespace, peerIn: ep.sandbox),
            .setMaster(link: hostIf, master: br, in: net.hostNamespace),
            .setUp(link: hostIf, in: net.hostNamespace),
        ]
        if let a = ep.address { steps.append(.addAddress(cidr: net.subnet.interfaceAddress(a), link: ep.ifname, in: ep.sandbox)) }
        if let a6 = ep.address6, let v6 = net.addressing(.ipv6) {
            steps.append(.addAddress(cidr: v6.subnet.interfaceAddress(a6), link: ep.ifname, in: ep.sandbox))
        }
        steps += [.setUp(link: ep.ifname, in: ep.sandbox), .setUp(link: "lo", in: ep.sandbox)]
        if ep.defaultRoute {
            steps.append(.addRoute(dst: .default, gateway: net.gateway, link: ep.ifname, in: ep.sandbox))
        }
        if ep.defaultRoute6, ep.address6 != nil, let v6 = net.addressing(.ipv6) {
            steps.append(.addRoute(dst: .default, gateway: v6.gateway, link: ep.ifname, in: ep.sandbox))
        }
        var hairpin = false
        for (family, name) in BridgeFirewall.families {
            let ports = BridgeFirewall.portRules(net, bridge: br, ep: ep, family: family)
            if ports.isEmpty { continue }
            if !hairpin { steps.append(.setHairpin(link: hostIf, in: net.hostNamespace)); hairpin = true }
            steps.append(.firewall(family: name, batch: BridgeFirewall.batch(ports, verb: "-A"),
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
