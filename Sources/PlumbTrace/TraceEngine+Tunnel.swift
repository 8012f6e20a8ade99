import PlumbModel

/// A packet into a cluster overlay's VXLAN device for an endpoint on another host: where the device's FDB sends
/// the frame (which remote VTEP), then what the remote host does with it, from the summary its agent published
/// (its firewall on the overlay path: INPUT for the VXLAN datagram, FORWARD for the bridged frame when
/// br_netfilter is on). What the summary does not hold is said plainly, never assumed.
extension TraceEngine {
    func tunnel(_ ns: Namespace, _ link: Link, _ info: VxlanInfo, to ep: TraceCluster.Endpoint, _ cluster: TraceCluster,
                _ packet: inout TracePacket, _ h: inout TraceHop, _ run: inout Run) {
        let who = "\(ep.name ?? ep.address) on host \(ep.host)"
        let vtep = cluster.vtep(host: ep.host, network: ep.network)
        guard let dst = remoteVTEP(ns, link, info, ep, vtep, &h, &run) else { return }
        let port = vtep?.port ?? info.port ?? 4789
        let local = info.local?.description ?? "this host's underlay address"
        h.outInterface = h.outInterface ?? link.name
        h.steps.append(TraceStep(.link, "encapsulated in VXLAN (VNI \(info.vni)): UDP \(local) → \(dst):\(port), "
                                 + "\(packet.size + 50) bytes on the underlay (the underlay path is not traced)"))

        var r = TraceHop(number: 0, namespace: 0, namespaceName: "host \(ep.host)", role: "remote", inInterface: nil,
                         outInterface: nil, bridge: nil, steps: [], packet: packet, host: ep.host)
        defer { run.remote = r }
        guard let s = cluster.summaries[ep.host] else {
            r.steps.append(TraceStep(.note, "host \(ep.host) published no summary (is `plumb agent` running there?)"))
            finish(&run, .unknown, "tunnelled to host \(ep.host)'s VTEP \(dst) (VNI \(info.vni)); \(ep.host) published no summary, "
                   + "so its firewall and whether \(ep.name ?? ep.address) is there are unknown")
            return
        }
        let age = max(0, Int(cluster.now - s.time))
        r.steps.append(TraceStep(.note, "from \(ep.host)'s published summary, \(age) s old"))
        guard let o = s.overlays.first(where: { $0.network == ep.network }) else {
            r.steps.append(TraceStep(.note, "\(ep.host)'s summary has no overlay \(ep.network)", passed: false))
            finish(&run, .unknown, "host \(ep.host)'s summary has no overlay \(ep.network): the network may not be built there "
                   + "(its address lease for \(ep.address) may be stale)")
            return
        }
        r.inInterface = o.device
        r.bridge = o.bridge
        let listed = o.endpoints[ep.address]
        if listed == nil {
            if o.endpointsOmitted == 0 {
                r.steps.append(TraceStep(.note, "\(ep.host)'s summary does not list \(ep.address) on \(ep.network)", passed: false))
                finish(&run, .unknown, "host \(ep.host)'s summary (\(age) s old) does not list \(ep.address) on \(ep.network): "
                       + "the endpoint may be gone (its address lease may be stale), or connected since")
                return
            }
            run.uncertainties.append("host \(ep.host): its summary left \(counted(o.endpointsOmitted, "endpoint")) of \(ep.network) out; \(ep.address) may be one")
        }
        let hostPort = listed ?? nil
        let remote = Namespace(id: 0, names: ["host \(ep.host)"], firewall: s.firewall ?? Firewall())
        if let fw = s.firewall {
            // The VXLAN datagram arrives at the host (INPUT of its filter table). The VTEP's text (the FDB's, or
            // the store's) is parsed here, where it enters the trace.
            let dstIP = IPAddress(dst)
            let v6 = dstIP?.isIPv6 ?? dst.contains(":")
            let unspecified: IPAddress = v6 ? .anyIPv6 : .anyIPv4
            if info.local == nil {
                run.uncertainties.append("host \(ep.host): \(link.name) has no local address set, so rules on the VXLAN datagram's "
                                         + "source were judged for \(unspecified)")
            }
            var outer = TracePacket(family: v6 ? .ipv6 : .ipv4, source: info.local ?? unspecified,
                                    destination: dstIP ?? unspecified, proto: "udp", destinationPort: UInt16(clamping: port), size: packet.size + 50)
            let local = dstIP.map { [IPPrefix(host: $0)] } ?? []
            let nfOuter = NetfilterEvaluator(firewall: fw, family: outer.family)
            if !runHook(nfOuter, .input, &outer, HookContext(inInterface: s.underlayDevice, addressTypes: AddressTypeTable(local: local)),
                        remote, &r, &run) {
                remoteDrop(&run)
                return
            }
            // The inner frame crosses the overlay bridge: iptables sees it only with br_netfilter on.
            let nfCall = packet.family == .ipv6 ? s.bridgeNfCallIp6tables : s.bridgeNfCallIptables
            let family = packet.family == .ipv6 ? "ip6" : "ip"
            switch nfCall {
            case true?:
                r.steps.append(TraceStep(.sysctl, "bridge-nf-call-\(family)tables = 1 on \(ep.host): bridged frames traverse iptables"))
                let nf = NetfilterEvaluator(firewall: fw, family: packet.family)
                let ctx = HookContext(inInterface: o.bridge, outInterface: o.bridge, physdevIn: o.device, physdevOut: hostPort,
                                      bridged: true)
                if !runHook(nf, .forward, &packet, ctx, remote, &r, &run) {
                    remoteDrop(&run)
                    return
                }
            case false?:
                r.steps.append(TraceStep(.sysctl, "bridge-nf-call-\(family)tables = 0 on \(ep.host): bridged frames skip iptables"))
            case nil:
                run.uncertainties.append("host \(ep.host): its summary does not say whether bridged frames traverse iptables (br_netfilter)")
            }
        } else {
            r.steps.append(TraceStep(.note, "\(ep.host)'s firewall: \(s.firewallMissing ?? "not in its summary")"))
            run.uncertainties.append("host \(ep.host): its firewall rules are not in its summary (\(s.firewallMissing ?? "an older agent")): not evaluated")
        }
        for t in s.nftTables { run.uncertainties.append("host \(ep.host): nftables table \(t) was not evaluated") }
        r.steps.append(TraceStep(.bridge, "bridge \(o.bridge) → port \(hostPort ?? "?"), towards \(ep.name ?? ep.address)"))
        run.deliveredTo = who
        finish(&run, .delivered, "delivered to \(who) over VXLAN \(link.name) (VNI \(info.vni), VTEP \(dst)), as \(ep.host)'s summary "
               + "(\(age) s old) shows it; the endpoint's own namespace firewall there is not in the summary")
    }

    /// The remote VTEP the device sends the endpoint's frames to: its FDB entry for the endpoint's MAC, else the
    /// all-zeros entries it floods to. nil when the frame goes nowhere (the run is finished then).
    private func remoteVTEP(_ ns: Namespace, _ link: Link, _ info: VxlanInfo, _ ep: TraceCluster.Endpoint,
                            _ vtep: TraceCluster.VTEP?, _ h: inout TraceHop, _ run: inout Run) -> String? {
        let mac = (ep.mac.flatMap(HardwareAddress.init) ?? IPAddress(ep.address).flatMap(HardwareAddress.overlayEndpoint))
        let expected = vtep?.underlay
        if vtep == nil {
            run.uncertainties.append("host \(ep.host) has no live VTEP for \(ep.network) in the store (its agent is not running): "
                                     + "its address lease for \(ep.address) may be stale")
        }
        let noPeer = "\(link.name) in \(ns.displayName) has no forwarding entry towards host \(ep.host)"
            + (expected.map { "'s VTEP \($0)" } ?? "") + ": the frame goes nowhere (is `plumb agent` running on this host and on \(ep.host)?)"
        guard let fdb = oracle.vxlanForwarding(device: link.index, in: ns) else {
            // Only the device's remotes are known.
            let remotes = (info.fdbRemotes ?? []).map(\.description) + [info.remote?.description].compactMap { $0 }
            if let expected, remotes.contains(expected) {
                h.steps.append(TraceStep(.bridge, "\(link.name) forwards to VTEP \(expected) (host \(ep.host)); its MAC entries were not read"))
                return expected
            }
            h.steps.append(TraceStep(.bridge, noPeer, passed: false))
            finish(&run, .dropped, noPeer)
            return nil
        }
        if let mac, let e = fdb.first(where: { $0.mac == mac }) {
            let dst = e.dst.description
            h.steps.append(TraceStep(.bridge, "\(link.name) fdb: \(mac) → VTEP \(dst)" + (dst == expected ? " (host \(ep.host))" : "")))
            if let expected, dst != expected {
                run.uncertainties.append("\(ns.displayName): \(link.name) sends \(mac) to \(dst), but the store says host \(ep.host)'s "
                                         + "VTEP is \(expected) (a stale entry the agent has yet to replace?)")
            }
            return dst
        }
        let flood = fdb.filter { $0.mac.isZero }.map(\.dst.description)
        if let expected, flood.contains(expected) {
            h.steps.append(TraceStep(.bridge, "\(link.name) fdb: \(mac?.description ?? ep.address) not there: flooded to every peer VTEP "
                                     + "(\(flood.joined(separator: ", "))), \(expected) (host \(ep.host)) among them"))
            return expected
        }
        h.steps.append(TraceStep(.bridge, noPeer, passed: false))
        finish(&run, .dropped, noPeer)
        return nil
    }

    /// A drop on the remote host: it is the hop after the one being built.
    private func remoteDrop(_ run: inout Run) {
        run.dropHop = run.hops.count + 2
    }
}
