import PlumbModel

extension NetworkPlanner {
    /// One plan joining every sandbox to `net` (the driver's join per endpoint; the endpoints' firewall rules as
    /// one batch). `sandboxes`, `ifnames`, `addresses` and `ports` are per target, in the targets' order, already
    /// checked and allocated by the caller (an address is nil where a CNI plugin's IPAM picks it). Returns the
    /// plan and the endpoints it makes.
    public func connect(_ net: NetworkRecord, targets: [String], sandboxes: [Namespace], ifnames: [String],
                        addresses: [IPAddress?], addresses6: [IPAddress]? = nil, ports: [[PortMapping]]) throws -> (Plan, [EndpointSpec]) {
        let netSpec = Self.spec(net)
        let drv = try driver(net)
        var plan = Plan(operation: .netConnect(network: net.name, targets: targets))
        // Per family (iptables, ip6tables): the endpoints' rules as one batch each.
        var firewallAdd: [String: String] = [:], firewallUndo: [String: String] = [:]
        let mainFamily: AddressFamily = net.subnet.isIPv6 ? .ipv6 : .ipv4
        var specs: [EndpointSpec] = []
        for i in sandboxes.indices {
            // The key tags the endpoint's rules and names its CNI container: with the cookie, so a newcomer that
            // took a gone namespace's inode never shares them with the gone namespace's endpoint.
            let sb = sandboxes[i], key = EndpointRecord.key(sandbox: String(sb.id), cookie: sb.cookie)
            let hostIf: String? = net.driver == .macvlan || net.driver == .cni ? nil : LinkNames.derived(prefix: "plv", from: "\(net.name)/\(sb.id)")
            func hasDefault(_ f: AddressFamily) -> Bool {
                sb.routes.contains { $0.isDefault && $0.tableName == "main" && $0.family == f }
            }
            var ep = EndpointSpec(sandbox: Self.reference(for: sb), ifname: ifnames[i], hostIfname: hostIf,
                                  address: addresses[i], defaultRoute: !hasDefault(mainFamily), ports: ports[i], key: key)
            if let a6 = addresses6?[i] {
                ep.address6 = a6
                ep.defaultRoute6 = !hasDefault(.ipv6)
            }
            specs.append(ep)
            // The endpoints' firewall batches become one per family: one restore for the whole operation.
            for step in try drv.join(netSpec, ep).steps {
                if case .firewall(let family, let batch, let undo, _) = step {
                    firewallAdd[family, default: ""] += batch; firewallUndo[family, default: ""] += undo
                } else {
                    plan.steps.append(step)
                }
            }
        }
        for (_, family) in BridgeFirewall.families {
            guard let add = firewallAdd[family], !add.isEmpty else { continue }
            plan.steps.append(.firewall(family: family, batch: Self.merge(add), undo: Self.merge(firewallUndo[family] ?? ""),
                                        in: net.hostNamespace))
        }
        return (plan, specs)
    }

    /// "8000-8019:80/tcp" for 20 targets -> "8000:80/tcp", ..., "8019:80/tcp". One target: the text as is.
    static func expandRange(_ text: String, count: Int) -> ([String], String?) {
        if count == 1 { return ([text], nil) }
        var parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let hostIndex = parts.count - 2
        guard hostIndex >= 0 else { return ([], "invalid -p \(text): give HOSTPORT:PORT") }
        // Both ends are checked as ports (1-65535) before any arithmetic: a huge number is refused, never trapped on.
        let ends = parts[hostIndex].split(separator: "-", omittingEmptySubsequences: false).map(Self.portNumber)
        guard ends.count == 2, let first = ends[0], let last = ends[1], first <= last, last - first + 1 == count else {
            return ([], "-p \(text) with \(count) targets: give a host port range of ports 1-65535 with one port per target, e.g. 8000-\(8000 + count - 1):80")
        }
        return ((0..<count).map { i in parts[hostIndex] = String(first + i); return parts.joined(separator: ":") }, nil)
    }

    /// A port number as typed: 1 to 5 ASCII digits, 1-65535; nil otherwise.
    static func portNumber(_ text: Substring) -> Int? {
        guard (1...5).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(text),
              (1...65535).contains(n) else { return nil }
        return n
    }

    /// Joins several iptables-restore batches into one with a single section per table. Lines that are not a
    /// network's own (comments, the shared chains' setup and teardown) are listed once.
    static func merge(_ batches: String) -> String {
        var byTable: [String: [String]] = [:]
        var table = ""
        for line in batches.split(separator: "\n") {
            if line.hasPrefix("*") { table = String(line.dropFirst()); continue }
            if line == "COMMIT" { continue }
            let text = String(line)
            if FirewallBatch.tag(of: text) == nil, byTable[table]?.contains(text) == true { continue }
            byTable[table, default: []].append(text)
        }
        return BridgeFirewall.render(byTable)
    }

    /// The plan that takes `endpoints` off `net`: the driver's leave steps, and (with `firewallTeardown`) one
    /// batch deleting the rules tagged for those endpoints that the kernel has now.
    public func leave(_ net: NetworkRecord, endpoints: [EndpointRecord], snapshot snap: Snapshot, host: Namespace?,
                      firewallTeardown: Bool) throws -> Plan {
        let netSpec = Self.spec(net), drv = try driver(net)
        var plan = Plan(operation: .netDisconnect(network: net.name, endpoints: endpoints.map(\.key)))
        var teardown: [String: String] = [:]
        for ep in endpoints {
            // Macvlan and CNI endpoints are reached through their sandbox: found again by its cookie, so a
            // newcomer with the same inode is never entered. A sandbox that is gone took its side with it: only
            // the host side is left to remove.
            var sandbox = NamespaceRef.path("/dev/null"), gone = false
            if ep.hostIfname == nil || net.driver == .cni {
                if let handle = ep.sandboxHandle(in: snap, host: host) { sandbox = handle } else { gone = true }
            }
            let spec = EndpointSpec(sandbox: sandbox, ifname: ep.ifname, hostIfname: ep.hostIfname, address: ep.address,
                                    defaultRoute: false, ports: ep.ports, key: ep.key, driverState: ep.driverState,
                                    sandboxGone: gone)
            plan.steps += try drv.leave(netSpec, spec).steps
            if firewallTeardown, !ep.ports.isEmpty, net.driver != .cni, let host {
                // This endpoint's published ports: exactly the rules tagged for it that the kernel has now.
                for (_, family) in BridgeFirewall.families {
                    teardown[family, default: ""] += BridgeFirewall.endpointTeardown(net.name, key: ep.key, current: host.firewall, family: family)
                }
            }
        }
        for (_, family) in BridgeFirewall.families.reversed() {
            guard let batch = teardown[family], !batch.isEmpty else { continue }
            plan.steps.insert(.firewall(family: family, batch: Self.merge(batch), undo: "", in: net.hostNamespace), at: 0)
        }
        if let host { plan.steps = Self.withoutVanishedLinks(plan.steps, host: host, hostNamespace: net.hostNamespace) }
        return plan
    }

    /// Drops deletions of host-side links the kernel no longer has (deleted behind Plumb's back, or by an
    /// interrupted run): what they would remove is already gone, and the endpoint or network can still be
    /// taken off the store instead of failing on "no such device" forever.
    static func withoutVanishedLinks(_ steps: [PlanStep], host: Namespace, hostNamespace: NamespaceRef) -> [PlanStep] {
        steps.filter { step in
            if case .deleteLink(let name, let ns) = step, ns.location == hostNamespace.location { return host.link(named: name) != nil }
            return true
        }
    }
}
