import PlumbModel
import PlumbTrace
import XCTest

/// A packet into a cluster overlay's VXLAN port for an endpoint on another host (the lab's bridge br0 gets a
/// VXLAN port): the FDB picks the remote VTEP, and the remote host's published summary decides the rest.
extension TraceEngineTests {
    struct OverlayOracle: RouteOracle {
        var base: Recorded
        var fdb: [OverlayFdbEntry]?
        func route(_ q: RouteQuery, in ns: Namespace) -> RouteDecision { base.route(q, in: ns) }
        func vxlanForwarding(device ifindex: Int, in namespace: Namespace) -> [OverlayFdbEntry]? { fdb }
    }

    static let remoteMAC = HardwareAddress.overlayEndpoint(IPAddress("10.213.120.9")!)!

    func overlayLab() -> Snapshot {
        var snap = lab()
        snap.namespaces[0].links.append(Link(index: 8, name: "vx-ov", kind: "vxlan", mtu: 1450, flags: ["up", "running", "lower_up"],
                                             master: LinkRef(index: 3), vxlan: VxlanInfo(vni: 4343, local: IPAddress("10.213.250.11")),
                                             bridgePort: BridgePortInfo(state: "forwarding")))
        return snap
    }

    func overlayOracle(fdb: [OverlayFdbEntry]? = [OverlayFdbEntry(mac: remoteMAC, dst: IPAddress("10.213.250.12")!)]) -> OverlayOracle {
        var o = oracle
        o.answers["1 10.213.120.9 0"] = RouteDecision(type: "unicast", outputInterface: 2, preferredSource: IPAddress("10.213.120.2"),
                                                      matchedPrefix: RouteDestination("10.213.120.0/24"))
        return OverlayOracle(base: o, fdb: fdb)
    }

    func cluster(summary: Bool = true, input: String = "ACCEPT") -> TraceCluster {
        let fw = FixtureFirewall.parse("""
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            [0:0] -A INPUT -p udp --dport 4789 -j \(input)
            COMMIT
            """)
        let s = TraceCluster.Summary(time: 990, overlays: [.init(network: "ov", bridge: "pl-ov", device: "vx-ov",
                                                                 endpoints: ["10.213.120.9": "plv1234"], endpointsOmitted: 0)],
                                     firewall: fw, firewallMissing: nil, nftTables: [], bridgeNfCallIptables: false,
                                     bridgeNfCallIp6tables: false, underlayDevice: "eth0")
        return TraceCluster(me: "node-a", store: "etcd://10.213.250.1:2379",
                            endpoints: [.init(network: "ov", vni: 4343, address: "10.213.120.9", host: "node-b", name: "web")],
                            vteps: [.init(host: "node-b", network: "ov", underlay: "10.213.250.12", port: 4789)],
                            summaries: summary ? ["node-b": s] : [:], now: 1000)
    }

    func overlayTrace(_ cluster: TraceCluster, fdb: [OverlayFdbEntry]? = [OverlayFdbEntry(mac: remoteMAC, dst: IPAddress("10.213.250.12")!)]) -> TraceResult {
        var e = TraceEngine(snapshot: overlayLab(), oracle: overlayOracle(fdb: fdb))
        e.cluster = cluster
        return e.trace(request("10.213.120.9"))
    }

    func testARemoteEndpointIsDeliveredThroughItsHostsVTEPAndSummary() {
        let r = overlayTrace(cluster())
        XCTAssertEqual(r.verdict, .delivered, r.reason)
        XCTAssertEqual(r.deliveredTo, "web on host node-b")
        XCTAssertEqual(r.hops.map(\.role), ["send", "bridge", "remote"])
        XCTAssertEqual(r.hops[2].host, "node-b")
        XCTAssertEqual(r.hops[2].number, 3)
        XCTAssertTrue(r.hops[1].steps.contains { $0.text.contains("fdb: \(Self.remoteMAC) → VTEP 10.213.250.12 (host node-b)") },
                      "\(r.hops[1].steps.map(\.text))")
        XCTAssertTrue(r.hops[2].steps.contains { $0.text.contains("10 s old") }, "\(r.hops[2].steps.map(\.text))")
        // Without a store the trace stops at the tunnel, as it always did.
        let plain = TraceEngine(snapshot: overlayLab(), oracle: overlayOracle()).trace(request("10.213.120.9"))
        XCTAssertNotEqual(plain.verdict, .delivered)
    }

    func testADropOnTheRemoteHostNamesItsRuleAndHop() {
        let r = overlayTrace(cluster(input: "DROP"))
        XCTAssertEqual(r.verdict, .dropped, r.reason)
        XCTAssertEqual(r.dropHop, 3)
        XCTAssertEqual(r.hops.count, 3)
        XCTAssertTrue(r.reason.contains("host node-b") && r.reason.contains("INPUT"), r.reason)
    }

    func testNoSummaryOrNoForwardingEntrySaysWhatIsUnknownOrWhere() {
        let unknown = overlayTrace(cluster(summary: false))
        XCTAssertEqual(unknown.verdict, .unknown)
        XCTAssertTrue(unknown.reason.contains("node-b published no summary"), unknown.reason)
        let nowhere = overlayTrace(cluster(), fdb: [])
        XCTAssertEqual(nowhere.verdict, .dropped)
        XCTAssertEqual(nowhere.dropHop, 2)
        XCTAssertTrue(nowhere.reason.contains("no forwarding entry towards host node-b's VTEP 10.213.250.12"), nowhere.reason)
        // Flooded by the all-zeros entry to the right VTEP: still delivered.
        let flooded = overlayTrace(cluster(), fdb: [OverlayFdbEntry(mac: HardwareAddress("00:00:00:00:00:00")!, dst: IPAddress("10.213.250.12")!)])
        XCTAssertEqual(flooded.verdict, .delivered, flooded.reason)
    }
}
