import PlumbModel

/// The readable tree of `plumb snapshot`: namespace -> links (addresses, peer, master) -> routes -> chains.
struct SnapshotTextRenderer {
    var showAll = false

    /// `names`: namespaces to name peers from (defaults to the rendered ones).
    func render(_ snap: Snapshot, names: [Namespace]? = nil) -> String {
        var out = ""
        let byId = Dictionary((names ?? snap.namespaces).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for ns in snap.namespaces {
            out += header(ns, at: snap.takenAt)
            for l in ns.links { out += linkLine(l, in: ns, byId: byId) }
            let routes = ns.routes.filter { showAll || $0.tableName != "local" }
            if !routes.isEmpty {
                out += "  routes:\n"
                for r in routes { out += "    " + routeText(r) + "\n" }
            }
            if showAll && !ns.neighbors.isEmpty {
                out += "  neighbours:\n"
                for n in ns.neighbors {
                    out += "    \(n.ip) dev \(n.dev ?? "?") lladdr \(n.mac ?? "-") \(n.state.joined(separator: ","))\n"
                }
            }
            out += firewallText(ns.firewall)
            for note in ns.notes { out += "  ! \(note)\n" }
            out += "\n"
        }
        let d = snap.discovery
        out += "\(counted(snap.namespaces.count, "namespace")), \(counted(d.processesScanned, "process", "processes"))"
        if d.processesVanished > 0 { out += " (\(d.processesVanished) exited while read)" }
        out += "\n"
        for note in snap.notes { out += "! \(note)\n" }
        return out
    }

    func header(_ ns: Namespace, at takenAt: Double) -> String {
        var s = "\(ns.displayName)  net:[\(ns.id)]"
        let extraNames = ns.names.filter { $0 != ns.displayName }
        if !extraNames.isEmpty { s += "  names: \(extraNames.joined(separator: ", "))" }
        for c in ns.containers { s += "  \(c.runtime.rawValue): \(c.name) (\(c.id.prefix(12)))" }
        s += "  processes: \(ns.pids.count)"
        let kinds = Array(Set(ns.heldBy.map(\.kind.rawValue))).sorted()
        s += "  held by: \(kinds.joined(separator: ","))"
        if let why = ns.leakReason(at: takenAt) { s += " (LEAK? \(why))" } else if ns.isOrphan { s += " (named, no process)" }
        if let owner = ns.owner { s += "  \(owner.description)" }
        s += "\n"
        if let why = ns.why { s += "  no container (\(why.maker)): \(why.reason); evidence: \(why.evidence)\n" }
        if let helper = ns.helper { s += "  network from \(helper.description)\n" }
        return s
    }

    func linkLine(_ l: Link, in ns: Namespace, byId: [UInt64: Namespace]) -> String {
        var s = "  \(l.index): \(l.name) [\(l.kind)] \(l.operState)"
        if !l.isUp { s += " (admin down)" } else if !l.hasCarrier && l.kind != .loopback { s += " (no carrier)" }
        s += " mtu \(l.mtu)"
        if let m = l.master { s += " master \(ns.link(index: m.index)?.name ?? "#\(m.index)")" }
        if let p = l.bridgePort { s += " port \(p.state)" }
        if let p = l.peer { s += " peer " + remote(p, from: ns, byId: byId) }
        if let p = l.parent { s += " parent " + remote(p, from: ns, byId: byId) }
        if let v = l.vxlan {
            s += " vni \(v.vni)"
            if let r = v.remote { s += " remote \(r)" }
            if let lo = v.local { s += " local \(lo)" }
            if let port = v.port { s += " dstport \(port)" }
        }
        if let m = l.macvlanMode { s += " mode \(m)" }
        if !l.addresses.isEmpty { s += "  " + l.addresses.map(\.description).joined(separator: " ") }
        // Byte counts in readable units, as the TUI shows them (JSON keeps the exact numbers).
        s += "  rx \(l.stats.rxPackets)p/\(Readable.bytes(l.stats.rxBytes)) tx \(l.stats.txPackets)p/\(Readable.bytes(l.stats.txBytes))"
        let bad = l.stats.rxErrors + l.stats.txErrors + l.stats.rxDropped + l.stats.txDropped
        if bad > 0 {
            s += " err \(l.stats.rxErrors)/\(l.stats.txErrors) drop \(l.stats.rxDropped)/\(l.stats.txDropped)"
        }
        return s + "\n"
    }

    func remote(_ r: RemoteLinkRef, from ns: Namespace, byId: [UInt64: Namespace]) -> String {
        guard let id = r.namespace else { return "#\(r.index) in an unknown namespace" }
        guard let other = byId[id] else { return "#\(r.index) in net:[\(id)]" }
        let name = other.link(index: r.index)?.name ?? "if\(r.index)"
        return id == ns.id ? name : "\(name)@\(other.displayName)"
    }

    func routeText(_ r: Route) -> String {
        var s = r.destinationText
        if let g = r.gateway { s += " via \(g)" }
        if let d = r.dev { s += " dev \(d)" }
        if r.tableName != "main" { s += " table \(r.tableName)" }
        if !r.protocolName.isEmpty && r.protocolName != "boot" { s += " proto \(r.protocolName)" }
        if r.scope != "universe" && r.scope != "global" && !r.scope.isEmpty { s += " scope \(r.scope)" }
        if r.type != "unicast" { s = "\(r.type) " + s }
        if let m = r.metric { s += " metric \(m)" }
        if let p = r.prefsrc { s += " src \(p)" }
        return s
    }

    func firewallText(_ fw: Firewall) -> String {
        var s = ""
        for t in fw.tables {
            s += "  \(t.source) \(t.family) \(t.name):\n"
            for c in t.chains {
                s += "    \(c.name)"
                if let p = c.policy { s += " policy \(p) [\(counted(c.packets, "pkt")), \(Readable.bytes(c.bytes))]" }
                s += " (\(counted(c.rules.count, "rule")))\n"
                for r in c.rules { s += "      [\(counted(r.packets, "pkt")), \(Readable.bytes(r.bytes))] \(r.rule)\n" }
            }
        }
        for n in fw.notes { s += "  ! \(n)\n" }
        return s
    }
}
