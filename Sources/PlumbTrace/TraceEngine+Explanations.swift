import PlumbModel

/// The words of a trace: route lookups as `ip route get` would print them, and why a kernel refusal happened.
extension TraceEngine {

    /// Why a bridge port is disabled: the port itself down, or its veth peer down (no carrier).
    func whyNotForwarding(_ port: Link) -> String {
        if !port.isUp { return " (the port \(port.name) is down)" }
        if !port.hasCarrier {
            if port.kind == .veth, let peer = resolvePeer(port) {
                return " (no carrier: its veth peer \(peer.link.name) in \(peer.ns.displayName) is \(peer.link.isUp ? "up" : "down"))"
            }
            return " (no carrier)"
        }
        return ""
    }

    func describe(_ d: RouteDecision, _ q: RouteQuery, _ ns: Namespace) -> String {
        var s = "route get \(q.destination)"
        if let src = q.source { s += " from \(src)" }
        if let iif = q.inputInterface { s += " iif \(ns.link(index: iif)?.name ?? "#\(iif)")" }
        if let m = q.mark { s += " mark 0x\(String(m, radix: 16))" }
        s += ": "
        if let e = d.errorName { return s + "\(e) (\(d.errorText ?? ""))" }
        s += d.type
        if let gw = d.gateway { s += " via \(gw)" }
        if let o = d.outputInterface { s += " dev \(ns.link(index: o)?.name ?? "#\(o)")" }
        if let p = d.preferredSource { s += " src \(p)" }
        s += " table \(d.table == 254 ? "main" : d.table == 255 ? "local" : String(d.table))"
        if let m = d.matchedPrefix { s += " (matched \(m)" + (d.matchedProtocol.map { " proto \($0)" } ?? "") + ")" }
        return s
    }

    func explainRouteFailure(_ d: RouteDecision, _ q: RouteQuery, _ ns: Namespace, inLink: Link?) -> String {
        let v6 = q.destination.isIPv6
        let name = ns.displayName
        switch d.errorName {
        case "EHOSTUNREACH" where inLink != nil && !v6:
            if ns.sysctls.ipForward == false {
                return "IP forwarding is off in \(name) (net.ipv4.ip_forward = 0): the kernel will not route the packet on"
            }
            if let l = inLink, ns.sysctls.forwarding[l.name] == false {
                return "forwarding is off on \(l.name) in \(name) (net.ipv4.conf.\(l.name).forwarding = 0)"
            }
            return "\(name) has no usable route to \(q.destination) (EHOSTUNREACH: \(d.errorText ?? ""))"
        case "EXDEV":
            let l = inLink?.name ?? "?"
            let rp = rpFilter(ns, l)
            return "rp_filter (\(rp == 1 ? "strict" : "loose") mode \(rp)) in \(name) drops it: the route back to \(q.source?.description ?? "?") does not go through \(l)"
        case "EINVAL" where inLink != nil && rpFilter(ns, inLink!.name) > 0:
            // fib_validate_source answers EINVAL when there is no route back at all, EXDEV when it leads elsewhere.
            let rp = rpFilter(ns, inLink!.name)
            return "rp_filter (\(rp == 1 ? "strict" : "loose") mode \(rp) on \(inLink!.name)) in \(name) drops it: there is no route back to \(q.source?.description ?? "?") (EINVAL)"
        case "ENETUNREACH", "EHOSTUNREACH":
            let hasDefault = ns.routes.contains { $0.isDefault && $0.family == (v6 ? .ipv6 : .ipv4) && $0.table == 254 }
            // A link that is down takes its routes with it: name it, it is usually the real cause.
            let down = ns.links.filter { !$0.isUp && $0.kind != .loopback && $0.addresses.contains { !($0.isIPv6 && $0.address.isLinkLocal) } }
            let downText = down.isEmpty ? "" : " (\(down.map(\.name).joined(separator: ", ")) "
                + (down.count == 1 ? "is" : "are") + " down, and \(down.count == 1 ? "its" : "their") routes with \(down.count == 1 ? "it" : "them"))"
            return "no route to \(q.destination) in \(name)" + (hasDefault ? " (\(d.errorName!): \(d.errorText ?? ""))"
                                                                   : ": it has no default route and no route covering it") + downText
        case "EACCES":
            return "a prohibit route in \(name) refuses \(q.destination) (EACCES)"
        case "EINVAL":
            return "the kernel of \(name) rejects the packet (EINVAL: a blackhole route, or a martian source/destination such as a source address that is local to \(name))"
        default:
            return "the route lookup in \(name) failed: \(d.errorName ?? "?") (\(d.errorText ?? ""))"
        }
    }

    /// The rp_filter mode the kernel applies on a link: the larger of `all` and the link's own.
    func rpFilter(_ ns: Namespace, _ link: String) -> Int {
        max(ns.sysctls.rpFilterAll ?? 0, ns.sysctls.rpFilter[link] ?? ns.sysctls.rpFilterDefault ?? 0)
    }

    static func endpointText(_ p: TracePacket) -> String {
        NetfilterEvaluator.endpoint(p.destination, p.destinationPort)
    }

    /// The first global address of the family on a link that is up (loopback and link-local skipped).
    public static func primaryAddress(of ns: Namespace, v6: Bool) -> IPAddress? {
        let links = ns.links.filter { $0.kind != .loopback && $0.name != "lo" }
        for l in links.sorted(by: { ($0.isUp ? 0 : 1, $0.index) < ($1.isUp ? 0 : 1, $1.index) }) {
            if let a = primaryAddress(of: l, v6: v6) { return a }
        }
        return nil
    }

    public static func primaryAddress(of l: Link, v6: Bool) -> IPAddress? {
        l.addresses.first { $0.isIPv6 == v6 && !(v6 && $0.address.isLinkLocal) }?.address
    }
}
