import PlumbModel

extension NetworkPlanner {
    /// The plan and the record of `net create`: the subnet and gateway chosen, the bridge named, the driver's
    /// settings checked (bad input is an error here, before anything changes). `networks`: every stored network
    /// (their subnets are taken); `cni`: the checked CNI config and its IPAM gateway (the CNI driver only).
    public func create(_ req: NetworkService.CreateRequest, driver kind: NetworkDriver, host: Namespace, networks: [NetworkRecord],
                       cni: (config: CNIChainConfig, gateway: IPAddress?)?, createdAt: Double) throws -> (Plan, NetworkRecord) {
        let subnet = try chooseSubnet(req, driver: kind, host: host, networks: networks)
        // Dual stack: the IPv6 half of a bridge network (its rules go to ip6tables, in the same chains).
        let ipv6 = try chooseSubnet6(req, driver: kind, main: subnet, host: host, networks: networks)
        if req.nat66 {
            guard kind == .bridge, subnet.isIPv6 || ipv6 != nil else {
                throw ActionError.invalid("--nat66 masquerades a bridge network's IPv6 traffic: give the bridge network an IPv6 --subnet")
            }
            if req.internal { throw ActionError.invalid("--nat66 and --internal contradict each other: an internal network has no way out to masquerade") }
        }
        try refuseForeignRules(network: req.name, kind: kind, host: host)
        let gateway = try req.gateway ?? cni?.gateway ?? subnet.host(1)
        guard subnet.contains(gateway) else {
            throw ActionError.invalid("gateway \(gateway) is outside subnet \(subnet): pick an address inside it")
        }
        let ipRange = req.ipRange
        if let range = ipRange {
            guard subnet.contains(range.network) && range.length >= subnet.length else {
                throw ActionError.invalid("--ip-range \(range) is not inside subnet \(subnet)")
            }
        }
        var bridge: String?
        if kind == .bridge || kind == .vxlan {
            let br = req.bridge ?? BridgeDriver.defaultBridgeName(network: req.name)
            try LinkNames.validate(br)
            if host.link(named: br) != nil {
                throw ActionError.invalid("interface \(br) already exists in \(hostNamespace): choose --bridge NAME")
            }
            bridge = br
        }
        // A parent/underlay device that does not exist is bad input: say so before planning anything.
        if let dev = req.parent, host.link(named: dev) == nil {
            throw ActionError.notFound("--parent \(dev) does not exist in \(hostNamespace) (see `plumb snapshot host`)")
        }
        let config: DriverConfig
        switch kind {
        case .bridge: config = .bridge(BridgeConfig(bridge: bridge, subnet6: ipv6?.subnet, gateway6: ipv6?.gateway,
                                                    nat66: req.nat66))
        case .macvlan: config = .macvlan(try MacvlanDriver.config(parent: req.parent, mode: req.mode, hostNamespace: hostNamespace))
        case .vxlan:
            config = .vxlan(try VxlanDriver.config(vni: req.vni, remote: req.remote, local: req.local, port: req.dstport,
                                                   parent: req.parent, bridge: bridge, clusterOverlay: req.clusterOverlay))
        case .cni: config = .cni(try cni.orThrow(ActionError.invalid("--driver cni needs --cni-config FILE (a CNI network config or conflist)")).config)
        }
        // The network remembers which namespace it was built in (its cookie), not only where: every step of its
        // plans checks it, so a namespace re-created later under the name is never changed on its behalf.
        let home = hostNamespace.isHost ? hostNamespace : NamespaceRef(hostNamespace.location, cookie: host.cookie, inode: host.id)
        let spec = NetworkSpec(name: req.name, config: config, subnet: subnet, gateway: gateway,
                               mtu: req.mtu, internal: req.internal, hostNamespace: home)
        let plan = try drivers[kind].orThrow(ActionError.invalid("unknown driver '\(kind)'")).create(spec, firewall: host.firewall)
        let record = NetworkRecord(name: req.name, config: config, subnet: subnet,
                                   gateway: gateway, ipRange: ipRange, mtu: req.mtu,
                                   internal: req.internal, hostNamespace: home,
                                   createdAt: createdAt)
        // The store's own checks (gateway not the network/broadcast address, ip-range a network inside the
        // subnet) run before anything is applied: bad input changes nothing.
        do { _ = try StateStore.validate(record) } catch { throw ActionError.invalid("\(error)") }
        return (plan, record)
    }

    /// A bridge network's rules are found again by their tag, `plumb:NAME`: rules with that tag already in the
    /// namespace belong to someone else (a network of that name in another state store, or a crashed run), and
    /// sharing the tag would make either's teardown delete the other's rules.
    func refuseForeignRules(network: String, kind: NetworkDriver, host: Namespace) throws {
        guard kind == .bridge else { return }
        for t in host.firewall.tables where t.source == "iptables" {
            for c in t.chains {
                if let r = c.rules.first(where: { BridgeFirewall.ownsRule(network: network, $0.rule) }) {
                    throw ActionError.invalid("\(hostNamespace) already has firewall rules tagged for a network named \(network) "
                        + "(\(t.name) \(c.name): \(r.rule)), made by another state store or left by a crash: choose another name, "
                        + "or remove those rules (`plumb doctor` lists leftovers)")
                }
            }
        }
    }

    /// The IPv6 subnet and gateway of a dual-stack bridge network (`--subnet` given twice, IPv4 and IPv6), or nil.
    func chooseSubnet6(_ req: NetworkService.CreateRequest, driver: NetworkDriver, main: IPPrefix, host: Namespace,
                       networks: [NetworkRecord]) throws -> (subnet: IPPrefix, gateway: IPAddress)? {
        guard let given = req.subnet6 else {
            if req.gateway6 != nil { throw ActionError.invalid("--gateway \(req.gateway6!) is IPv6, but the network has no IPv6 --subnet") }
            return nil
        }
        guard driver == .bridge else {
            throw ActionError.invalid("a second --subnet (dual stack) needs the bridge driver; \(driver) networks take one subnet")
        }
        var one = req
        one.subnet = given
        let subnet = try chooseSubnet(one, driver: driver, host: host, networks: networks)
        guard subnet.isIPv6, !main.isIPv6 else {
            throw ActionError.invalid("two --subnet values must be one IPv4 and one IPv6 subnet (got \(main) and \(subnet))")
        }
        let gateway = try req.gateway6 ?? subnet.host(1)
        do { try subnet.checkHost(gateway, role: "gateway") } catch { throw ActionError.invalid("\(error)") }
        return (subnet, gateway)
    }

    /// The subnet: the user's (checked for overlaps), or the first free one of the default pool.
    func chooseSubnet(_ req: NetworkService.CreateRequest, driver: NetworkDriver, host: Namespace,
                      networks: [NetworkRecord]) throws -> IPPrefix {
        var inUse: [(prefix: IPPrefix, owner: String)] = []
        // A macvlan network *is* its parent's segment: only other Plumb networks can collide with it.
        let checkHost = driver != .macvlan
        for r in host.routes where checkHost && r.tableName == "main" {
            if let p = r.dst { inUse.append((p, "route \(p) on \(r.dev ?? "?") in \(hostNamespace)")) }
        }
        for l in host.links where checkHost {
            for a in l.addresses { inUse.append((a.canonical, "address \(a) on \(l.name)")) }
        }
        for n in networks {
            inUse.append((n.subnet, "plumb network \(n.name)"))
            if case .bridge(let c) = n.config, let p = c.subnet6 { inUse.append((p, "plumb network \(n.name)")) }
        }
        if let p = req.subnet {
            if let clash = SubnetPool.collision(p, inUse: inUse) {
                throw ActionError.invalid("subnet \(p) overlaps \(clash): choose another --subnet")
            }
            return p
        }
        return try SubnetPool.default.pick(avoiding: inUse)
    }
}
