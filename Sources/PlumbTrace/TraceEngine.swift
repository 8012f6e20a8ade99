import PlumbModel

/// Answers route lookups (RTM_GETROUTE) in a namespace. The CLI passes the kernel's own answers
/// (PlumbKernel.RouteLookup); tests pass recorded ones. The engine never re-implements route selection.
public protocol RouteOracle {
    func route(_ query: RouteQuery, in namespace: Namespace) -> RouteDecision
    /// The forwarding database of a bridge (nil: not available; the trace then relies on addresses alone).
    func forwardingDatabase(bridge ifindex: Int, in namespace: Namespace) -> [BridgeFdbEntry]?
    /// The forwarding entries of a VXLAN device, inner MAC → remote VTEP (nil: not available; a trace into a
    /// cluster overlay then relies on the device's remotes alone).
    func vxlanForwarding(device ifindex: Int, in namespace: Namespace) -> [OverlayFdbEntry]?
}

extension RouteOracle {
    public func forwardingDatabase(bridge ifindex: Int, in namespace: Namespace) -> [BridgeFdbEntry]? { nil }
    public func vxlanForwarding(device ifindex: Int, in namespace: Namespace) -> [OverlayFdbEntry]? { nil }
}

/// Follows the first packet of a connection hop by hop through the namespaces of a snapshot: the kernel's route
/// decision in each namespace, bridges and their ports, veth pairs, link state, MTU, neighbours, and every
/// iptables chain on the way (NAT included), and stops at the first hop that would drop it.
public struct TraceEngine {
    public let snapshot: Snapshot
    public let oracle: any RouteOracle
    /// Safety net against routing loops.
    public var maxHops = 16
    /// Namespaces the snapshot lists without having read them (a partial read). The engine never guesses about
    /// them: touching one records it in `needed` and the path ends there, so the caller can read them and trace
    /// again.
    public var unread: Set<UInt64> = []
    /// With a cluster store: the other hosts' endpoints, VTEPs and published summaries, so a packet into a cluster
    /// overlay's VXLAN device is followed to the remote host (`TraceEngine+Tunnel.swift`).
    public var cluster: TraceCluster?
    private let needs = NeededNamespaces()
    /// The unread namespaces this trace needed.
    public var needed: Set<UInt64> { needs.ids }

    final class NeededNamespaces: @unchecked Sendable { var ids = Set<UInt64>() }

    /// A namespace's contents, or nil (recorded as needed) when it was not read.
    func namespace(_ id: UInt64) -> Namespace? {
        if unread.contains(id) { needs.ids.insert(id); return nil }
        return snapshot.namespace(id: id)
    }

    public init(snapshot: Snapshot, oracle: any RouteOracle) {
        self.snapshot = snapshot; self.oracle = oracle
    }

    /// How the packet enters a hop.
    enum Arrival {
        /// Sent by a process of this namespace.
        case origin
        /// Received on this link (a veth end, possibly a bridge port), sent to `nextHop` (the IP whose MAC the
        /// sender resolved).
        case link(Int, nextHop: IPAddress)
    }

    /// A run in progress: hops so far and the final word.
    struct Run {
        var hops: [TraceHop] = []
        var verdict: TraceVerdict?
        var reason = ""
        var dropHop: Int?
        var deliveredTo: String?
        var uncertainties: [String] = []
        /// The remote host's hop of a packet tunnelled into a cluster overlay: appended after the hop that sent it.
        var remote: TraceHop?
    }

    public func trace(_ request: TraceRequest) -> TraceResult {
        let v6 = request.destination.isIPv6
        let family: AddressFamily = v6 ? .ipv6 : .ipv4
        var run = Run()
        // Until the kernel is asked, an unset source is the unspecified address (what the JSON showed as "").
        var packet = TracePacket(family: family, source: request.sourceAddress ?? (v6 ? .anyIPv6 : .anyIPv4),
                                 destination: request.destination,
                                 proto: request.proto, sourcePort: request.sourcePort,
                                 destinationPort: request.destinationPort, size: request.size)
        guard let src = namespace(request.sourceNamespace) else {
            return TraceResult(request: request, packet: packet, hops: [], verdict: .unknown,
                               reason: "the source namespace net:[\(request.sourceNamespace)] is not in the snapshot",
                               dropHop: nil, deliveredTo: nil, uncertainties: [])
        }
        // The source address the kernel would choose, when none was given.
        if request.sourceAddress == nil {
            let d = oracle.route(RouteQuery(destination: packet.destination, ipProtocol: packet.protocolNumber,
                                            destinationPort: packet.destinationPort), in: src)
            packet.source = d.preferredSource ?? Self.primaryAddress(of: src, v6: v6) ?? (v6 ? .anyIPv6 : .anyIPv4)
        }
        let sent = packet
        var ns = src
        var arrival = Arrival.origin
        while run.verdict == nil {
            if run.hops.count >= maxHops {
                finish(&run, .unknown, "more than \(maxHops) hops: a routing loop?")
                break
            }
            guard let next = hop(ns, arrival, &packet, &run) else { break }
            guard let nextNs = namespace(next.namespace) else {
                finish(&run, .unknown, "the next namespace net:[\(next.namespace)] is not in the snapshot")
                break
            }
            ns = nextNs
            arrival = .link(next.link, nextHop: next.nextHop)
        }
        if var remote = run.remote {
            remote.number = run.hops.count + 1
            run.hops.append(remote)
        }
        var result = TraceResult(request: request, packet: sent, hops: run.hops, verdict: run.verdict ?? .unknown,
                                 reason: run.reason, dropHop: run.dropHop, deliveredTo: run.deliveredTo,
                                 uncertainties: run.uncertainties)
        // A rule that may have matched could have decided otherwise: the answer is then only what happens
        // if none of them matches, and says so.
        if !run.uncertainties.isEmpty && result.verdict != .unknown {
            result.assumedVerdict = result.verdict
            result.reason = "\(result.verdict.rawValue) unless something not evaluated (listed below) changes it: \(result.reason)"
            result.verdict = .unknown
        }
        return result
    }

    struct NextHop { var namespace: UInt64; var link: Int; var nextHop: IPAddress }

    func finish(_ run: inout Run, _ v: TraceVerdict, _ reason: String) {
        run.verdict = v; run.reason = reason
        // The hop in progress is appended when it returns: it is the one that dropped.
        if v == .dropped { run.dropHop = run.hops.count + 1 }
    }

    // MARK: - One hop

    /// Processes one namespace; returns where the packet goes next, or nil when the run finished.
    private func hop(_ ns: Namespace, _ arrival: Arrival, _ packet: inout TracePacket, _ run: inout Run) -> NextHop? {
        var h = TraceHop(number: run.hops.count + 1, namespace: ns.id, namespaceName: ns.displayName,
                         role: "forward", inInterface: nil, outInterface: nil, bridge: nil, steps: [], packet: packet)
        defer { h.packet = packet; run.hops.append(h) }
        let types = AddressTypeTable(namespace: ns)
        let nf = NetfilterEvaluator(firewall: ns.firewall, family: packet.family)
        // A firewall that could not be read completely cannot be said to let the packet through.
        for note in ns.firewall.notes {
            let u = "\(ns.displayName): firewall not fully read (\(note))"
            if !run.uncertainties.contains(u) { run.uncertainties.append(u) }
        }
        let v6 = packet.family == .ipv6

        var inLink: Link?
        var physIn: String?
        switch arrival {
        case .origin:
            h.role = "send"
        case .link(let index, let nextHop):
            guard let l = ns.link(index: index) else {
                finish(&run, .unknown, "link #\(index) of \(ns.displayName) is not in the snapshot"); return nil
            }
            h.inInterface = l.name
            if !l.isUp {
                h.steps.append(TraceStep(.link, "\(l.name) is down: the packet is not received", passed: false))
                finish(&run, .dropped, "\(l.name) in \(ns.displayName) is down (veth peer down)"); return nil
            }
            if packet.size > l.mtu + 4 {
                // veth and bridge ports drop frames longer than the receiving device's MTU (+4 for a VLAN tag).
                h.steps.append(TraceStep(.mtu, "\(packet.size)-byte packet is larger than the MTU \(l.mtu) of \(l.name): dropped on receive", passed: false))
                finish(&run, .dropped, "the \(packet.size)-byte packet exceeds the MTU \(l.mtu) of \(l.name) in \(ns.displayName)")
                return nil
            }
            if let master = l.master, let bridge = ns.link(index: master.index) {
                // Layer 2 first: the bridge decides whether the frame goes up to this namespace's IP stack or
                // out of another port.
                switch bridgeStep(ns, bridge: bridge, port: l, nextHop: nextHop, types: types, nf: nf, &packet, &h, &run) {
                case .finished: return nil
                case .bridged(let next): return next
                case .local:
                    h.role = "forward"
                    inLink = bridge
                    physIn = l.name
                }
            } else {
                inLink = l
            }
        }

        var routeQuery: RouteQuery
        if let inLink {
            // PREROUTING, then the kernel's forwarding decision for a packet received on inLink.
            var ctx = HookContext(inInterface: inLink.name, physdevIn: physIn, addressTypes: types,
                                  redirectDestination: Self.primaryAddress(of: inLink, v6: v6))
            ctx.bridged = false
            if !runHook(nf, .prerouting, &packet, ctx, ns, &h, &run) { return nil }
            routeQuery = RouteQuery(destination: packet.destination, source: packet.source, inputInterface: inLink.index,
                                    mark: packet.mark == 0 ? nil : packet.mark, ipProtocol: packet.protocolNumber,
                                    sourcePort: packet.sourcePort, destinationPort: packet.destinationPort)
        } else {
            routeQuery = RouteQuery(destination: packet.destination, source: packet.source,
                                    mark: packet.mark == 0 ? nil : packet.mark, ipProtocol: packet.protocolNumber,
                                    sourcePort: packet.sourcePort, destinationPort: packet.destinationPort)
        }
        var route = oracle.route(routeQuery, in: ns)
        h.steps.append(TraceStep(.route, describe(route, routeQuery, ns), passed: !route.failed, query: routeQuery, route: route))
        if route.failed {
            finish(&run, .dropped, explainRouteFailure(route, routeQuery, ns, inLink: inLink)); return nil
        }

        if inLink == nil {
            // Locally generated: OUTPUT may DNAT or MARK, after which the kernel routes again.
            let outName = route.outputInterface.flatMap { ns.link(index: $0)?.name }
            let before = (packet.destination, packet.mark)
            let ctx = HookContext(outInterface: outName, addressTypes: types,
                                  redirectDestination: v6 ? IPAddress(ipv6High: 0, low: 1) : IPAddress(ipv4: 0x7F00_0001))
            if !runHook(nf, .output, &packet, ctx, ns, &h, &run) { return nil }
            if before != (packet.destination, packet.mark) {
                routeQuery.destination = packet.destination
                routeQuery.destinationPort = packet.destinationPort
                routeQuery.mark = packet.mark == 0 ? nil : packet.mark
                route = oracle.route(routeQuery, in: ns)
                h.steps.append(TraceStep(.route, "rerouted after OUTPUT changed the packet: " + describe(route, routeQuery, ns),
                                         passed: !route.failed, query: routeQuery, route: route))
                if route.failed {
                    finish(&run, .dropped, explainRouteFailure(route, routeQuery, ns, inLink: nil)); return nil
                }
            }
        }

        switch route.type {
        case "local", "broadcast":
            // Delivered to this namespace: INPUT (after OUTPUT + loopback when sent to itself).
            if inLink == nil {
                let ctx = HookContext(outInterface: "lo", addressTypes: types)
                if !runHook(nf, .postrouting, &packet, ctx, ns, &h, &run) { return nil }
                h.outInterface = "lo"
            }
            let ctx = HookContext(inInterface: inLink?.name ?? "lo", physdevIn: physIn, addressTypes: types)
            if !runHook(nf, .input, &packet, ctx, ns, &h, &run) { return nil }
            h.role = "deliver"
            let at = inLink?.name ?? "lo"
            run.deliveredTo = "\(ns.displayName) (\(at))"
            h.steps.append(TraceStep(.note, "delivered locally to \(packet.destination)"
                                     + (packet.destinationPort.map { " port \($0) (whether a process listens is not checked)" } ?? "")))
            finish(&run, .delivered, "delivered to \(Self.endpointText(packet)) in \(ns.displayName)")
            return nil
        case "unicast":
            break
        default:
            finish(&run, .unknown, "route type \(route.type) is not followed by the trace"); return nil
        }

        guard let outIndex = route.outputInterface, let out = ns.link(index: outIndex) else {
            finish(&run, .unknown, "the route names no output link"); return nil
        }
        h.outInterface = out.name
        if let inLink {
            if v6, ns.sysctls.ipv6Forwarding == false {
                h.steps.append(TraceStep(.sysctl, "net.ipv6.conf.all.forwarding = 0", passed: false))
                finish(&run, .dropped, "IPv6 forwarding is off in \(ns.displayName) (net.ipv6.conf.all.forwarding = 0)")
                return nil
            }
            let ctx = HookContext(inInterface: inLink.name, outInterface: out.name, physdevIn: physIn, addressTypes: types)
            if !runHook(nf, .forward, &packet, ctx, ns, &h, &run) { return nil }
        }
        var ctx = HookContext(inInterface: inLink?.name, outInterface: out.name, addressTypes: types)
        let dst = packet.destination, oracle = self.oracle
        ctx.masqueradeSource = { name in
            guard let l = ns.link(named: name) else { return nil }
            let d = oracle.route(RouteQuery(destination: dst, outputInterface: l.index), in: ns)
            return d.preferredSource ?? Self.primaryAddress(of: l, v6: v6)
        }
        if !runHook(nf, .postrouting, &packet, ctx, ns, &h, &run) { return nil }
        let nextHop = route.gateway ?? packet.destination
        return transmit(ns, out, nextHop: nextHop, routeMTU: route.mtu, &packet, &h, &run)
    }

    enum BridgeOutcome { case finished, local, bridged(NextHop) }

    /// A frame arriving on bridge port `port`: up to the bridge's own IP stack, or out of another port.
    private func bridgeStep(_ ns: Namespace, bridge: Link, port: Link, nextHop: IPAddress, types: AddressTypeTable,
                            nf: NetfilterEvaluator, _ packet: inout TracePacket, _ h: inout TraceHop,
                            _ run: inout Run) -> BridgeOutcome {
        h.role = "bridge"
        h.bridge = bridge.name
        let state = port.bridgePort?.state ?? "forwarding"
        if state != "forwarding" {
            h.steps.append(TraceStep(.bridge, "port \(port.name) of bridge \(bridge.name) is in STP state \(state)", passed: false))
            finish(&run, .dropped, "bridge port \(port.name) of \(bridge.name) in \(ns.displayName) is \(state), not forwarding"
                   + whyNotForwarding(port))
            return .finished
        }
        if !bridge.isUp {
            h.steps.append(TraceStep(.bridge, "bridge \(bridge.name) is down", passed: false))
            finish(&run, .dropped, "bridge \(bridge.name) in \(ns.displayName) is down")
            return .finished
        }
        if types.type(of: nextHop) == "LOCAL" {
            h.steps.append(TraceStep(.bridge, "bridge \(bridge.name): frame for the bridge itself (next hop \(nextHop) is local), up to the IP stack"))
            return .local
        }
        // Which port leads to the next hop: the one whose far side owns that address.
        let ports = ns.links.filter { $0.master?.index == bridge.index && $0.index != port.index }
        guard let (outPort, owner) = ports.lazy.compactMap({ p in self.owner(of: nextHop, beyond: p, in: ns).map { (p, $0) } }).first else {
            // The sender resolved the next hop (or it would have stopped there), so something answered that
            // Plumb cannot place: say so rather than guess.
            h.steps.append(TraceStep(.bridge, "no port of bridge \(bridge.name) leads to a namespace that has \(nextHop)"))
            finish(&run, .unknown, "\(nextHop) answered on bridge \(bridge.name) in \(ns.displayName), but no namespace "
                   + "Plumb sees behind its other ports has that address")
            return .finished
        }
        h.outInterface = outPort.name
        h.steps.append(TraceStep(.bridge, "bridge \(bridge.name): port \(port.name) (forwarding) → port \(outPort.name) (\(outPort.bridgePort?.state ?? "?")), towards \(owner)"))
        fdbStep(ns, bridge: bridge, port: outPort, owner: owner, &h, &run)
        let outState = outPort.bridgePort?.state ?? "forwarding"
        if outState != "forwarding" {
            h.steps[h.steps.count - 1].passed = false
            finish(&run, .dropped, "bridge port \(outPort.name) of \(bridge.name) in \(ns.displayName) is \(outState), not forwarding"
                   + whyNotForwarding(outPort))
            return .finished
        }
        // br_netfilter: bridged IPv4/IPv6 frames traverse iptables when bridge-nf-call-ip(6)tables is on.
        let nfCall = packet.family == .ipv6 ? ns.sysctls.bridgeNfCallIp6tables : ns.sysctls.bridgeNfCallIptables
        if nfCall == true {
            h.steps.append(TraceStep(.sysctl, "bridge-nf-call-\(packet.family == .ipv6 ? "ip6" : "ip")tables = 1: bridged frames traverse iptables"))
            var ctx = HookContext(inInterface: bridge.name, physdevIn: port.name, bridged: true, addressTypes: types)
            let before = packet.destination
            if !runHook(nf, .prerouting, &packet, ctx, ns, &h, &run) { return .finished }
            if packet.destination != before {
                h.steps.append(TraceStep(.note, "DNAT changed the destination of a bridged frame: the bridge hands it to the IP stack"))
                return .local
            }
            ctx.outInterface = bridge.name; ctx.physdevOut = outPort.name
            if !runHook(nf, .forward, &packet, ctx, ns, &h, &run) { return .finished }
            if !runHook(nf, .postrouting, &packet, ctx, ns, &h, &run) { return .finished }
        } else if nfCall == false {
            h.steps.append(TraceStep(.sysctl, "bridge-nf-call-\(packet.family == .ipv6 ? "ip6" : "ip")tables = 0: bridged frames skip iptables"))
        }
        guard let next = transmit(ns, outPort, nextHop: nextHop, routeMTU: nil, &packet, &h, &run, checkNeighbour: false,
                                  l2Slack: nfCall == true ? 0 : 4) else {
            return .finished
        }
        return .bridged(next)
    }

    /// Sends the packet out of `link`: state, carrier, MTU, neighbour, and where the link leads.
    /// `l2Slack`: bytes a bridge port lets through above its MTU (4, a VLAN tag, when br_netfilter does not
    /// handle the frame; 0 when it does, as measured with `ping -M do` through a bridge port of smaller MTU).
    private func transmit(_ ns: Namespace, _ link: Link, nextHop: IPAddress, routeMTU: Int?, _ packet: inout TracePacket,
                          _ h: inout TraceHop, _ run: inout Run, checkNeighbour: Bool = true, l2Slack: Int = 0) -> NextHop? {
        if !link.isUp {
            h.steps.append(TraceStep(.link, "\(link.name) is down", passed: false))
            finish(&run, .dropped, "\(link.name) in \(ns.displayName) is down"); return nil
        }
        let mtu = min(routeMTU ?? link.mtu, link.mtu)
        if packet.size > mtu + l2Slack {
            h.steps.append(TraceStep(.mtu, "\(packet.size)-byte packet with Don't Fragment > MTU \(mtu) of \(link.name)", passed: false))
            finish(&run, .dropped, "the \(packet.size)-byte packet exceeds the MTU \(mtu) of \(link.name) in \(ns.displayName) (Don't Fragment set)")
            return nil
        }
        if !link.hasCarrier && link.kind != .bridge {
            var why = "\(link.name) in \(ns.displayName) has no carrier"
            if link.kind == .veth, let peer = resolvePeer(link) {
                why += ": its veth peer \(peer.link.name) in \(peer.ns.displayName) is " + (peer.link.isUp ? "up" : "down")
            }
            h.steps.append(TraceStep(.link, why, passed: false))
            finish(&run, .dropped, why); return nil
        }
        h.steps.append(TraceStep(.link, "out \(link.name): up, carrier, mtu \(link.mtu)" + (routeMTU.map { ", route mtu \($0)" } ?? "")))

        var neighbourFailed = false
        /// A resolved entry: something answered for the next hop (perhaps by proxy ARP, as Calico's host side does).
        var neighbourAnswered: String?
        if checkNeighbour, link.kind != .loopback {
            let n = ns.neighbors.first { $0.ip == nextHop && $0.ifindex == link.index }
            if let n {
                neighbourFailed = n.state.contains("failed") || n.state.contains("incomplete")
                if !neighbourFailed, let mac = n.mac, !n.state.contains("none") { neighbourAnswered = mac }
                h.steps.append(TraceStep(.neighbour, "neighbour \(nextHop) on \(link.name): \(n.state.joined(separator: ","))"
                                         + (n.mac.map { " \($0)" } ?? "")))
            } else {
                h.steps.append(TraceStep(.neighbour, "neighbour \(nextHop) on \(link.name): no entry yet (resolved on first use)"))
            }
        }

        switch link.kind {
        case .bridge:
            // Routed into a bridge: the frame leaves through the port whose far side owns the next hop.
            let ports = ns.links.filter { $0.master?.index == link.index }
            guard let (port, owner) = ports.lazy.compactMap({ p in self.owner(of: nextHop, beyond: p, in: ns).map { (p, $0) } }).first else {
                if let mac = neighbourAnswered {
                    finish(&run, .unknown, "\(nextHop) answered on bridge \(link.name) in \(ns.displayName) (MAC \(mac)), "
                           + "but no namespace Plumb sees behind its ports has that address")
                    return nil
                }
                h.steps.append(TraceStep(.bridge, "no port of bridge \(link.name) leads to \(nextHop)", passed: false))
                finish(&run, neighbourFailed ? .dropped : .unknown,
                       "nobody on bridge \(link.name) in \(ns.displayName) has \(nextHop)"
                       + (neighbourFailed ? " (neighbour FAILED)"
                                          : " and no neighbour entry exists yet: dropped unless something Plumb does not see answers ARP"))
                return nil
            }
            if let inPort = h.inInterface, inPort == port.name {
                run.uncertainties.append("\(ns.displayName): the frame leaves bridge \(link.name) through the port it came in on "
                                         + "(\(port.name)): that works only with hairpin mode on the port, which the snapshot does not read")
            }
            h.bridge = link.name
            h.steps.append(TraceStep(.bridge, "bridge \(link.name) → port \(port.name) (\(port.bridgePort?.state ?? "?")), towards \(owner)"))
            fdbStep(ns, bridge: link, port: port, owner: owner, &h, &run)
            if let st = port.bridgePort?.state, st != "forwarding" {
                h.steps[h.steps.count - 1].passed = false
                finish(&run, .dropped, "bridge port \(port.name) of \(link.name) in \(ns.displayName) is \(st), not forwarding"
                       + whyNotForwarding(port))
                return nil
            }
            let nfCall = packet.family == .ipv6 ? ns.sysctls.bridgeNfCallIp6tables : ns.sysctls.bridgeNfCallIptables
            return transmit(ns, port, nextHop: nextHop, routeMTU: nil, &packet, &h, &run, checkNeighbour: false,
                            l2Slack: nfCall == true ? 0 : 4)
        case .veth:
            guard let peer = resolvePeer(link) else {
                finish(&run, .unknown, "the veth peer of \(link.name) is in a namespace Plumb cannot see"); return nil
            }
            if checkNeighbour, owner(of: nextHop, beyond: link, in: ns) == nil {
                if let mac = neighbourAnswered {
                    // Someone answered for it (proxy ARP on the far end is common: Calico): follow the veth.
                    h.steps.append(TraceStep(.neighbour, "nothing beyond \(link.name) owns \(nextHop), but \(mac) answered for it (proxy ARP?)"))
                } else {
                    h.steps.append(TraceStep(.neighbour, "nothing beyond \(link.name) has \(nextHop)", passed: !neighbourFailed))
                    finish(&run, neighbourFailed ? .dropped : .unknown,
                           "nothing beyond \(link.name) in \(ns.displayName) has the next hop \(nextHop)"
                           + (neighbourFailed ? " (neighbour FAILED)"
                                              : " and no neighbour entry exists yet: dropped unless the far side answers ARP by proxy"))
                    return nil
                }
            }
            h.steps.append(TraceStep(.link, "veth \(link.name) → \(peer.link.name) in \(peer.ns.displayName)"))
            return NextHop(namespace: peer.ns.id, link: peer.link.index, nextHop: nextHop)
        case .vxlan:
            if let info = link.vxlan, let cluster, let ep = cluster.remoteEndpoint(nextHop.description, vni: info.vni) {
                tunnel(ns, link, info, to: ep, cluster, &packet, &h, &run)
                return nil
            }
            let remote = link.vxlan?.remote?.description ?? "?"
            finish(&run, .unknown, "encapsulated into VXLAN \(link.name) (VNI \(link.vxlan.map { String($0.vni) } ?? "?"), remote \(remote)): the trace does not follow tunnels")
            return nil
        case .macvlan, .macvtap, .ipvlan:
            finish(&run, .unknown, "leaves through \(link.kind) \(link.name): the trace does not follow \(link.kind) links")
            return nil
        case .loopback:
            finish(&run, .delivered, "delivered over loopback in \(ns.displayName)"); return nil
        default:
            if link.peer == nil && link.parent == nil && link.master == nil {
                run.deliveredTo = nil
                finish(&run, .leftHost, "leaves \(ns.displayName) through \(link.name) towards \(nextHop); beyond it is outside this machine's namespaces")
                return nil
            }
            finish(&run, .unknown, "leaves through \(link.kind) \(link.name): not followed"); return nil
        }
    }

    // MARK: - Netfilter

    /// Runs one hook and records it; false when the packet was dropped (the run is finished).
    func runHook(_ nf: NetfilterEvaluator, _ hook: NetfilterHook, _ packet: inout TracePacket,
                         _ ctx: HookContext, _ ns: Namespace, _ h: inout TraceHop, _ run: inout Run) -> Bool {
        let before = packet
        let r = nf.run(hook, packet: &packet, context: ctx)
        for u in r.uncertain {
            run.uncertainties.append("\(ns.displayName): \(u.location) \"\(u.rule)\" may match"
                                     + (u.unevaluated.isEmpty ? "" : " (not evaluated: \(u.unevaluated.joined(separator: "; ")))"))
        }
        for n in r.unevaluatedNft { run.uncertainties.append("\(ns.displayName): \(n) was not evaluated") }
        if r.tablesWalked.isEmpty && r.unevaluatedNft.isEmpty { return true }  // nothing on this hook here
        var text = "\(hook.rawValue)"
        if let i = ctx.inInterface { text += " in \(i)" }
        if let o = ctx.outInterface { text += " out \(o)" }
        if ctx.bridged { text += " (bridged" + (ctx.physdevIn.map { ", physdev-in \($0)" } ?? "")
            + (ctx.physdevOut.map { ", physdev-out \($0)" } ?? "") + ")" }
        text += ": \(r.verdict)"
        if let d = r.decidedBy { text += " by \(d.location)" }
        h.steps.append(TraceStep(.netfilter, text, passed: !r.dropped, netfilter: r))
        if packet.destination != before.destination || packet.destinationPort != before.destinationPort {
            h.steps.append(TraceStep(.nat, "destination NAT: \(NetfilterEvaluator.endpoint(before.destination, before.destinationPort)) → \(NetfilterEvaluator.endpoint(packet.destination, packet.destinationPort))"))
        }
        if packet.source != before.source || packet.sourcePort != before.sourcePort {
            h.steps.append(TraceStep(.nat, "source NAT: \(before.source) → \(packet.source)"))
        }
        if r.verdict == "QUEUE" {
            finish(&run, .unknown, "\(ns.displayName): \(r.decidedBy?.location ?? hook.rawValue) hands the packet to userspace (\(r.decidedBy?.rule ?? ""))")
            return false
        }
        if r.dropped, let d = r.decidedBy {
            let what = d.index == 0 ? "the \(hook.rawValue) policy \(d.effect) of table \(d.table)"
                                    : "\(d.location) (\(d.rule)) \(d.effect == "DROP" ? "drops" : "rejects") it"
            finish(&run, .dropped, "\(ns.displayName): \(what) [\(counted(d.packets, "packet")), \(Readable.bytes(d.bytes)) so far]")
            return false
        }
        return true
    }
}
