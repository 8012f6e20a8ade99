import PlumbModel

extension NetworkPlanner {
    /// The plan and the record of `net create`: the subnet and gateway chosen, the bridge named, the driver's
    /// settings checked (bad input is an error here, before anything changes). `networks`: every stored network
    /// (their subnets are taken); `cni`: the checked CNI config and its IPAM gateway (the CNI driver only).
    public func create(_ req: NetworkService.CreateRequest, driver kind: NetworkDriver, host: Namespace, networks: [NetworkRecord],
                       cni: (config: CNIChainConfig, gateway: String?)?, createdAt: Double) throws -> (Plan, NetworkRecord) {
        let subnet = try chooseSubnet(req, driver: kind, host: host, networks: networks)
        // The bridge driver's firewall (isolation, masquerade, published ports) is IPv4 iptables only: an IPv6
        // subnet would commit *filter and then fail in *nat. Refused here, before anything changes.
        if kind == .bridge && subnet.isIPv6 {
            throw ActionError.invalid("subnet \(subnet) is IPv6, and the bridge driver's firewall rules are IPv4 only: use an IPv4 --subnet")
        }
        try refuseForeignRules(network: req.name, kind: kind, host: host)
        let gateway = try (req.gateway ?? cni?.gateway).map { try IPAddress.parse($0) } ?? subnet.host(1)
        guard subnet.contains(gateway) else {
            throw ActionError.invalid("gateway \(gateway) is outside subnet \(subnet): pick an address inside it")
        }
        if let r = req.ipRange {
            let range = try IPPrefix.parse(r)
            guard subnet.contains(range.network) && range.length >= subnet.length else {
                throw ActionError.invalid("--ip-range \(r) is not inside subnet \(subnet)")
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
        case .bridge: config = .bridge(BridgeConfig(bridge: bridge))
        case .macvlan: config = .macvlan(try MacvlanDriver.config(parent: req.parent, mode: req.mode, hostNamespace: hostNamespace))
        case .vxlan:
            config = .vxlan(try VxlanDriver.config(vni: req.vni, remote: req.remote, local: req.local, port: req.dstport,
                                                   parent: req.parent, bridge: bridge))
        case .cni: config = .cni(try cni.orThrow(ActionError.invalid("--driver cni needs --cni-config FILE (a CNI network config or conflist)")).config)
        }
        // The network remembers which namespace it was built in (its cookie), not only where: every step of its
        // plans checks it, so a namespace re-created later under the name is never changed on its behalf.
        let home = hostNamespace.isHost ? hostNamespace : NamespaceRef(hostNamespace.location, cookie: host.cookie, inode: host.id)
        let spec = NetworkSpec(name: req.name, config: config, subnet: subnet.description, gateway: gateway.description,
                               mtu: req.mtu, internal: req.internal, hostNamespace: home)
        let plan = try drivers[kind].orThrow(ActionError.invalid("unknown driver '\(kind)'")).create(spec, firewall: host.firewall)
        let record = NetworkRecord(name: req.name, config: config, subnet: subnet.description,
                                   gateway: gateway.description, ipRange: req.ipRange, mtu: req.mtu,
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

    /// The subnet: the user's (checked for overlaps), or the first free one of the default pool.
    func chooseSubnet(_ req: NetworkService.CreateRequest, driver: NetworkDriver, host: Namespace,
                      networks: [NetworkRecord]) throws -> IPPrefix {
        var inUse: [(prefix: IPPrefix, owner: String)] = []
        // A macvlan network *is* its parent's segment: only other Plumb networks can collide with it.
        let checkHost = driver != .macvlan
        for r in host.routes where checkHost && r.dst != "default" && r.tableName == "main" {
            if let p = try? IPPrefix.parse(r.dst) { inUse.append((p, "route \(r.dst) on \(r.dev ?? "?") in \(hostNamespace)")) }
        }
        for l in host.links where checkHost {
            for a in l.addresses { if let p = try? IPPrefix.parse(a) { inUse.append((p.canonical, "address \(a) on \(l.name)")) } }
        }
        for n in networks {
            if let p = try? IPPrefix.parse(n.subnet) { inUse.append((p, "plumb network \(n.name)")) }
        }
        if let s = req.subnet {
            let p = try IPPrefix.parse(s, requireNetworkAddress: true)
            if let clash = SubnetPool.collision(p, inUse: inUse) {
                throw ActionError.invalid("subnet \(s) overlaps \(clash): choose another --subnet")
            }
            return p
        }
        return try SubnetPool.default.pick(avoiding: inUse)
    }
}
