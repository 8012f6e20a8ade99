import PlumbModel

/// Rows of the routes, neighbours, sysctls and processes tabs: plain data shared by reducer and views.
enum DetailRows {
    /// Main table first, other tables next, the local table last (it is long and rarely the question).
    static func routes(_ ns: Namespace) -> [Route] {
        func rank(_ r: Route) -> Int { r.table == 254 ? 0 : r.table == 255 ? 2 : 1 }
        return ns.routes.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }
            .map(\.element)
    }

    /// Sorted by device, family and address; noarp and multicast entries hidden unless `all` (as `ip neigh`
    /// shows them only with `nud all`).
    static func neighbors(_ ns: Namespace, all: Bool = false) -> [Neighbor] {
        let shown = all ? ns.neighbors : ns.neighbors.filter { n in !n.state.contains("noarp") && !n.ip.isMulticast }
        return shown.sorted { a, b in
            let (da, db) = (a.dev ?? "#\(a.ifindex)", b.dev ?? "#\(b.ifindex)")
            if da != db { return da < db }
            if a.ip.family != b.ip.family { return a.ip.family == .ipv4 }
            return a.ip < b.ip
        }
    }

    /// Listeners first (by port), then connections (by local port): the ports a namespace offers lead.
    static func sockets(_ ns: Namespace) -> [SocketRecord] {
        func key(_ s: SocketRecord, _ offset: Int) -> (Int, Int, Int, Int) {
            (s.isListening ? 0 : 1, s.proto.isUnix ? 1 : 0, Int(s.local?.port ?? 0), offset)
        }
        return (ns.sockets ?? []).enumerated().sorted { key($0.element, $0.offset) < key($1.element, $1.offset) }
            .map(\.element)
    }

    /// Listeners of a namespace (the namespaces pane's LISTEN column); nil when its sockets were not read.
    static func listenerCount(_ sockets: [SocketRecord]?) -> Int? {
        sockets.map { all in all.reduce(0) { $0 + ($1.isListening && !$1.proto.isUnix ? 1 : 0) } }
    }

    /// The namespace's processes in `sort` order; kernel threads (no command line, children of kthreadd or
    /// kthreadd itself) only with `all`, as htop hides them.
    static func processes(_ ns: Namespace, in snapshot: Snapshot, all: Bool = false, sort: ProcessSort = .pid) -> [ProcessRecord] {
        let mine = snapshot.processes.filter { $0.namespace == ns.id && (all || !isKernelThread($0)) }
        switch sort {
        case .pid: return mine.sorted { $0.pid < $1.pid }
        case .ppid: return mine.sorted { ($0.ppid, $0.pid) < ($1.ppid, $1.pid) }
        case .uid: return mine.sorted { ($0.uid, $0.pid) < ($1.uid, $1.pid) }
        case .comm: return mine.sorted { ($0.comm, $0.pid) < ($1.comm, $1.pid) }
        }
    }

    /// kthreadd (pid 2) and its children have no command line.
    static func isKernelThread(_ p: ProcessRecord) -> Bool { p.cmdline.isEmpty && (p.pid == 2 || p.ppid == 2) }

    /// (sysctl name, value) pairs; "?" for values that could not be read.
    static func sysctls(_ ns: Namespace) -> [(String, String)] {
        let s = ns.sysctls
        func b(_ v: Bool?) -> String { v.map { $0 ? "1" : "0" } ?? "?" }
        func i(_ v: Int?) -> String { v.map(String.init) ?? "?" }
        var out: [(String, String)] = [
            ("net.ipv4.ip_forward", b(s.ipForward)),
            ("net.ipv6.conf.all.forwarding", b(s.ipv6Forwarding)),
            ("net.ipv4.conf.all.rp_filter", i(s.rpFilterAll)),
            ("net.ipv4.conf.default.rp_filter", i(s.rpFilterDefault)),
            ("net.ipv4.conf.all.route_localnet", b(s.routeLocalnetAll)),
            ("net.ipv4.conf.default.route_localnet", b(s.routeLocalnetDefault)),
        ]
        if s.bridgeNfCallIptables != nil || s.bridgeNfCallIp6tables != nil {
            out.append(("net.bridge.bridge-nf-call-iptables", b(s.bridgeNfCallIptables)))
            out.append(("net.bridge.bridge-nf-call-ip6tables", b(s.bridgeNfCallIp6tables)))
        }
        // Per link, in the namespace's link order so it reads like the topology.
        let names = ns.links.map(\.name) + Set(s.forwarding.keys).union(s.rpFilter.keys)
            .subtracting(ns.links.map(\.name)).sorted()
        for n in names {
            if let f = s.forwarding[n] { out.append(("net.ipv4.conf.\(n).forwarding", f ? "1" : "0")) }
            if let r = s.rpFilter[n] { out.append(("net.ipv4.conf.\(n).rp_filter", String(r))) }
        }
        return out
    }
}
