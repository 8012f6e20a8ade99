/// A change to the kernel, planned before anything is touched: `--dry-run` prints it, the executor applies it
/// as a unit (rolling back what it did on the first failure), and the journal stores it so a crash half-way can
/// be finished or undone by `plumb gc`.
public struct Plan: Sendable, Equatable {
    /// What the user asked for, as data (gc and the doctor's undo match on it).
    public var operation: PlanOperation
    public var steps: [PlanStep]

    public init(operation: PlanOperation, steps: [PlanStep] = []) {
        self.operation = operation
        self.steps = steps
    }

    /// For people: "net create web", the header `--dry-run` prints and the JSON's `operation`.
    public var label: String { operation.label }

    /// The steps that undo this plan, in reverse order (each step's own inverse).
    public var inverse: Plan {
        Plan(operation: .undo(operation), steps: steps.reversed().compactMap(\.inverse))
    }
}

/// One kernel change. Each has a readable form (what `--dry-run` prints, in `ip`/`iptables` terms) and an
/// inverse used for rollback, undo and crash recovery. Inverses tolerate "already gone".
public enum PlanStep: Codable, Sendable, Equatable {
    case createNamespace(name: String)
    case deleteNamespace(name: String)
    case createBridge(name: String, mtu: Int?, in: NamespaceRef)
    /// A veth pair: `name` in `in`, `peer` created directly in `peerIn`.
    case createVeth(name: String, peer: String, mtu: Int?, in: NamespaceRef, peerIn: NamespaceRef)
    case createMacvlan(name: String, parent: String, mode: String, mtu: Int?, in: NamespaceRef, moveTo: NamespaceRef)
    case createVxlan(name: String, vni: UInt32, local: IPAddress?, remote: IPAddress?, port: Int, parent: String?,
                     mtu: Int?, in: NamespaceRef)
    case deleteLink(name: String, in: NamespaceRef)
    case setMaster(link: String, master: String, in: NamespaceRef)
    case renameLink(from: String, to: String, in: NamespaceRef)
    case setUp(link: String, in: NamespaceRef)
    case setDown(link: String, in: NamespaceRef)
    /// Bridge port hairpin mode (`bridge link set dev X hairpin on`).
    case setHairpin(link: String, in: NamespaceRef)
    /// Link MTU; `previous` restores it on undo (doctor fixes).
    case setMTU(link: String, mtu: Int, previous: Int?, in: NamespaceRef)
    /// Hairpin mode on or off, reversible (doctor fixes; `setHairpin` goes with its port).
    case setHairpinMode(link: String, on: Bool, in: NamespaceRef)
    /// Admin state up/down, reversible (doctor fixes; `setUp` is undone by deleting its link).
    case setLinkState(link: String, up: Bool, in: NamespaceRef)
    /// Deletes a namespace known to be empty (a leftover): undone by creating it again, which is faithful.
    case deleteEmptyNamespace(name: String)
    /// Deletes a leftover veth pair with nothing on it: undone by creating the pair again.
    case deleteVeth(name: String, peer: String, mtu: Int?, in: NamespaceRef, peerIn: NamespaceRef)
    /// Enslave to `master` (nil: release), reversible through `previous` (doctor fixes).
    case setLinkMaster(link: String, master: String?, previous: String?, in: NamespaceRef)
    /// Addresses, destinations and gateways are values; the JSON and the journal hold them as text, so plans
    /// journaled by older versions (which held the text) decode unchanged.
    case addAddress(cidr: IPPrefix, link: String, in: NamespaceRef)
    case deleteAddress(cidr: IPPrefix, link: String, in: NamespaceRef)
    case addRoute(dst: RouteDestination, gateway: IPAddress?, link: String?, in: NamespaceRef)
    case deleteRoute(dst: RouteDestination, gateway: IPAddress?, link: String?, in: NamespaceRef)
    /// A sysctl under /proc/sys (relative path, e.g. net/ipv4/ip_forward); `previous` restores it on undo.
    case setSysctl(key: String, value: String, previous: String?, in: NamespaceRef)
    /// Deletes iptables tables (`ip filter`, `ip nat`) that are left empty (no rules, no user chains, ACCEPT
    /// policies) so a teardown leaves `iptables-save` exactly as it was before Plumb first wrote a rule. With
    /// the nf_tables backend an emptied table otherwise lingers.
    case dropEmptyFirewallTables(in: NamespaceRef)
    /// One atomic `iptables-restore --noflush` (or `ip6tables-restore`) batch; `undo` is its inverse batch.
    case firewall(family: String, batch: String, undo: String, in: NamespaceRef)
    /// A CNI plugin chain run per the CNI spec from namespace `in`: ADD runs `plugins` (the conflist's types) in
    /// order (`plugins` are their binaries' paths), each getting the previous one's result as prevResult; DEL runs them in reverse with `prevResult`
    /// (the stored ADD result; nil after a crash, which plugins must tolerate). The inverse of ADD is DEL.
    case cni(command: String, plugins: [String], conflist: String, runtimeConfig: String?, prevResult: String?,
             containerID: String, netns: String, ifname: String, cniPath: String, in: NamespaceRef)
    /// Deletes these conntrack entries (each by its original tuple, zone and kernel id, so a newer connection
    /// that reuses a tuple is left alone). Not undoable: a live connection makes its entry again with its next
    /// packet; an entry already gone is skipped.
    case deleteConntrack(entries: [ConntrackEntry], in: NamespaceRef)
    /// One atomic `nft -f -` batch on tables Plumb owns (the live trace's `plumb_trace_*` marking tables);
    /// `undo` is its inverse batch, written so it succeeds whether or not the table is still there.
    case nftables(batch: String, undo: String, in: NamespaceRef)
    /// A VXLAN device for an overlay whose forwarding `plumb agent` programs: no default remote, no learning,
    /// ARP proxy on (it answers ARP from the permanent neighbours the agent writes).
    /// The overlay steps hold addresses and MACs as values too; their JSON (and the journal) is the same text
    /// as when they were strings, so plans journaled then decode unchanged.
    case createOverlayVxlan(name: String, vni: UInt32, local: IPAddress?, port: Int, parent: String?, mtu: Int?, in: NamespaceRef)
    /// The hardware address of a link (an overlay endpoint's MAC is derived from its address, so peers know it).
    /// Undone with its link.
    case setLinkMAC(link: String, mac: HardwareAddress, in: NamespaceRef)
    /// A VXLAN device's forwarding entry: frames for `mac` go to the VTEP at `dst`. The all-zeros MAC is the
    /// broadcast entry, one per remote VTEP (`bridge fdb append`); any other MAC has one destination.
    case addVxlanForwarding(mac: HardwareAddress, link: String, dst: IPAddress, in: NamespaceRef)
    case deleteVxlanForwarding(mac: HardwareAddress, link: String, dst: IPAddress, in: NamespaceRef)
    /// A permanent neighbour entry on a link (a remote overlay endpoint's IP → MAC).
    case addNeighbor(ip: IPAddress, mac: HardwareAddress, link: String, in: NamespaceRef)
    case deleteNeighbor(ip: IPAddress, mac: HardwareAddress, link: String, in: NamespaceRef)

    public var inverse: PlanStep? {
        switch self {
        case .createNamespace(let n): return .deleteNamespace(name: n)
        case .deleteNamespace: return nil
        case .createBridge(let n, _, let ns): return .deleteLink(name: n, in: ns)
        case .createVeth(let n, _, _, let ns, _): return .deleteLink(name: n, in: ns)
        case .createMacvlan(let n, _, _, _, _, let to): return .deleteLink(name: n, in: to)
        case .createVxlan(let n, _, _, _, _, _, _, let ns): return .deleteLink(name: n, in: ns)
        case .deleteLink: return nil
        case .setMaster, .setUp: return nil  // undone by deleting the link
        case .setDown(let l, let ns): return .setUp(link: l, in: ns)
        case .setHairpin: return nil  // goes with the port
        case .setMTU(let l, let m, let prev, let ns): return prev.map { .setMTU(link: l, mtu: $0, previous: m, in: ns) }
        case .setHairpinMode(let l, let on, let ns): return .setHairpinMode(link: l, on: !on, in: ns)
        case .setLinkState(let l, let up, let ns): return .setLinkState(link: l, up: !up, in: ns)
        case .deleteEmptyNamespace(let n): return .createNamespace(name: n)
        case .deleteVeth(let n, let p, let m, let ns, let pns): return .createVeth(name: n, peer: p, mtu: m, in: ns, peerIn: pns)
        case .setLinkMaster(let l, let m, let prev, let ns): return .setLinkMaster(link: l, master: prev, previous: m, in: ns)
        case .renameLink(let from, let to, let ns): return .renameLink(from: to, to: from, in: ns)
        case .addAddress(let c, let l, let ns): return .deleteAddress(cidr: c, link: l, in: ns)
        case .deleteAddress(let c, let l, let ns): return .addAddress(cidr: c, link: l, in: ns)
        case .addRoute(let d, let g, let l, let ns): return .deleteRoute(dst: d, gateway: g, link: l, in: ns)
        case .deleteRoute(let d, let g, let l, let ns): return .addRoute(dst: d, gateway: g, link: l, in: ns)
        case .setSysctl(let k, let v, let prev, let ns):
            return prev.map { .setSysctl(key: k, value: $0, previous: v, in: ns) }
        case .firewall(let f, let batch, let undo, let ns): return .firewall(family: f, batch: undo, undo: batch, in: ns)
        case .dropEmptyFirewallTables: return nil
        case .deleteConntrack: return nil
        case .nftables(let batch, let undo, let ns): return .nftables(batch: undo, undo: batch, in: ns)
        case .createOverlayVxlan(let n, _, _, _, _, _, let ns): return .deleteLink(name: n, in: ns)
        case .setLinkMAC: return nil  // goes with the link
        case .addVxlanForwarding(let m, let l, let d, let ns): return .deleteVxlanForwarding(mac: m, link: l, dst: d, in: ns)
        case .deleteVxlanForwarding(let m, let l, let d, let ns): return .addVxlanForwarding(mac: m, link: l, dst: d, in: ns)
        case .addNeighbor(let ip, let m, let l, let ns): return .deleteNeighbor(ip: ip, mac: m, link: l, in: ns)
        case .deleteNeighbor(let ip, let m, let l, let ns): return .addNeighbor(ip: ip, mac: m, link: l, in: ns)
        case .cni(let c, let p, let conf, let rc, let prev, let id, let netns, let ifname, let path, let ns):
            return c == "ADD" ? .cni(command: "DEL", plugins: p, conflist: conf, runtimeConfig: rc, prevResult: prev,
                                     containerID: id, netns: netns, ifname: ifname, cniPath: path, in: ns) : nil
        }
    }

    /// The step as the equivalent command line, for `--dry-run` and the journal.
    public var description: String {
        func at(_ ns: NamespaceRef) -> String {
            switch ns.location {
            case .host: return "ip"
            case .named(let n): return "ip -n \(n)"
            case .path, .pid: return "nsenter --net=\(ns.file) ip"
            }
        }
        func mtu(_ m: Int?) -> String { m.map { " mtu \($0)" } ?? "" }
        /// `bridge` takes -n for named namespaces like `ip`.
        func bridge(_ ns: NamespaceRef) -> String {
            switch ns.location {
            case .host: return "bridge"
            case .named(let n): return "bridge -n \(n)"
            case .path, .pid: return "nsenter --net=\(ns.file) bridge"
            }
        }
        switch self {
        case .createNamespace(let n): return "ip netns add \(n)"
        case .deleteNamespace(let n): return "ip netns del \(n)"
        case .createBridge(let n, let m, let ns): return "\(at(ns)) link add \(n)\(mtu(m)) type bridge"
        case .createVeth(let n, let p, let m, let ns, let pns):
            let peerNs: String
            switch pns.location {
            case .host: peerNs = " netns 1"
            case .named(let x): peerNs = " netns \(x)"
            case .path, .pid: peerNs = " netns \(pns.file)"
            }
            return "\(at(ns)) link add \(n)\(mtu(m)) type veth peer name \(p)\(pns == ns ? "" : peerNs)"
        case .createMacvlan(let n, let parent, let mode, let m, let ns, let to):
            let move = to == ns ? "" : " && \(at(ns)) link set \(n) netns \(to)"
            return "\(at(ns)) link add \(n) link \(parent)\(mtu(m)) type macvlan mode \(mode)\(move)"
        case .createVxlan(let n, let vni, let local, let remote, let port, let parent, let m, let ns):
            var s = "\(at(ns)) link add \(n)\(mtu(m)) type vxlan id \(vni)"
            if let remote { s += " remote \(remote)" }
            if let local { s += " local \(local)" }
            s += " dstport \(port)"
            if let parent { s += " dev \(parent)" }
            return s
        case .deleteLink(let n, let ns): return "\(at(ns)) link del \(n)"
        case .setMaster(let l, let m, let ns): return "\(at(ns)) link set \(l) master \(m)"
        case .renameLink(let f, let t, let ns): return "\(at(ns)) link set \(f) name \(t)"
        case .setUp(let l, let ns): return "\(at(ns)) link set \(l) up"
        case .setDown(let l, let ns): return "\(at(ns)) link set \(l) down"
        case .setHairpin(let l, let ns):
            return (ns == .host ? "" : "(in \(ns)) ") + "bridge link set dev \(l) hairpin on"
        case .setMTU(let l, let m, _, let ns): return "\(at(ns)) link set \(l) mtu \(m)"
        case .setHairpinMode(let l, let on, let ns):
            return (ns == .host ? "" : "(in \(ns)) ") + "bridge link set dev \(l) hairpin \(on ? "on" : "off")"
        case .deleteEmptyNamespace(let n): return "ip netns del \(n)"
        case .deleteVeth(let n, _, _, let ns, _): return "\(at(ns)) link del \(n)"
        case .setLinkState(let l, let up, let ns): return "\(at(ns)) link set \(l) \(up ? "up" : "down")"
        case .setLinkMaster(let l, let m, _, let ns): return "\(at(ns)) link set \(l) " + (m.map { "master \($0)" } ?? "nomaster")
        case .addAddress(let c, let l, let ns): return "\(at(ns)) addr add \(c) dev \(l)"
        case .deleteAddress(let c, let l, let ns): return "\(at(ns)) addr del \(c) dev \(l)"
        case .addRoute(let d, let g, let l, let ns):
            return "\(at(ns)) route add \(d)" + (g.map { " via \($0)" } ?? "") + (l.map { " dev \($0)" } ?? "")
        case .deleteRoute(let d, let g, let l, let ns):
            return "\(at(ns)) route del \(d)" + (g.map { " via \($0)" } ?? "") + (l.map { " dev \($0)" } ?? "")
        case .setSysctl(let k, let v, _, let ns):
            let key = k.replacingSlashes
            return ns == .host ? "sysctl -w \(key)=\(v)" : "\(at(ns)) netns exec … sysctl -w \(key)=\(v)"
        case .dropEmptyFirewallTables(let ns):
            return (ns == .host ? "" : "(in \(ns)) ") + "nft delete table ip filter|nat  # only if left empty"
        case .firewall(let f, let batch, _, let ns):
            let tool = f == "ipv6" ? "ip6tables-restore" : "iptables-restore"
            let prefix = ns == .host ? "" : "(in \(ns)) "
            return "\(prefix)\(tool) --noflush <<EOF\n\(batch)EOF"
        case .nftables(let batch, _, let ns):
            let prefix = ns == .host ? "" : "(in \(ns)) "
            return "\(prefix)nft -f - <<EOF\n\(batch)EOF"
        case .createOverlayVxlan(let n, let vni, let local, let port, let parent, let m, let ns):
            var s = "\(at(ns)) link add \(n)\(mtu(m)) type vxlan id \(vni)"
            if let local { s += " local \(local)" }
            s += " dstport \(port)"
            if let parent { s += " dev \(parent)" }
            return s + " nolearning proxy"
        case .setLinkMAC(let l, let mac, let ns): return "\(at(ns)) link set \(l) address \(mac)"
        case .addVxlanForwarding(let mac, let l, let d, let ns):
            return mac.isZero
                ? "\(bridge(ns)) fdb append \(mac) dev \(l) dst \(d) self permanent"
                : "\(bridge(ns)) fdb replace \(mac) dev \(l) dst \(d) self permanent"
        case .deleteVxlanForwarding(let mac, let l, let d, let ns): return "\(bridge(ns)) fdb del \(mac) dev \(l) dst \(d) self"
        case .addNeighbor(let ip, let mac, let l, let ns): return "\(at(ns)) neigh replace \(ip) lladdr \(mac) dev \(l) nud permanent"
        case .deleteNeighbor(let ip, _, let l, let ns): return "\(at(ns)) neigh del \(ip) dev \(l)"
        case .deleteConntrack(let entries, let ns):
            let prefix = ns == .host ? "" : "(in \(ns)) "
            return entries.map { prefix + $0.deleteCommand }.joined(separator: "\n")
        case .cni(let c, let plugins, _, let rc, _, let id, let netns, let ifname, let path, let ns):
            // One line per plugin invocation, in the order they run; stdin is the plugin's entry of the conflist
            // plus name, cniVersion, prevResult and runtimeConfig.
            let prefix = ns == .host ? "" : "(in \(ns)) "
            let order = c == "DEL" ? plugins.reversed() : plugins
            // runtimeConfig (e.g. -p as portMappings) goes only to plugins that declare the capability.
            return order.enumerated().map { i, plugin in
                "\(prefix)CNI_COMMAND=\(c) CNI_CONTAINERID=\(id) CNI_NETNS=\(netns) CNI_IFNAME=\(ifname) CNI_PATH=\(path) "
                    + "\(plugin) <<< '{its conflist entry + name, cniVersion\(c == "ADD" && i == 0 ? "" : ", prevResult")}'"
                    + (i == 0 ? rc.map { "  # runtimeConfig to plugins with the capability: \($0)" } ?? "" : "")
            }.joined(separator: "\n")
        }
    }
}

extension String {
    var replacingSlashes: String { String(map { $0 == "/" ? "." : $0 }) }
}
