import Foundation
import XCTest
import PlumbKernel
import PlumbModel

/// Builds the real topology once, takes one Plumb snapshot, and compares it with what `ip -j -d -s`,
/// `lsns -J` and `iptables-save -c` say about the same namespaces.
final class SnapshotOracleTests: RootTestCase {
    nonisolated(unsafe) static var fixture: TopologyFixture?
    nonisolated(unsafe) static var snapshot: Snapshot?
    nonisolated(unsafe) static var setupError: String?

    override class func setUp() {
        super.setUp()
        guard getuid() == 0 else { return }  // each test fails before it starts, saying it needs root
        let f = TopologyFixture()
        fixture = f
        do {
            try f.build()
            settleOperStates(f)
            snapshot = SnapshotReader().read()
        } catch {
            setupError = "building the test topology failed: \(error)"
        }
    }

    /// The kernel sets a link's operstate a moment after its carrier changes (linkwatch runs later, up to a
    /// second): a veth brought up just before the snapshot can read DOWN to Plumb and UP to `ip` afterwards.
    /// Wait (at most 3 s) until in every test namespace a link has LOWER_UP exactly when its state is UP or
    /// UNKNOWN (loopback, dummies): no carrier change is still waiting for its operstate.
    static func settleOperStates(_ f: TopologyFixture) {
        func pending() -> Bool {
            [f.sw, f.a, f.b, f.c, f.d, f.e, f.h1, f.h2].contains { n in
                ((try? Shell.run("ip", "-n", n, "-o", "link", "show")) ?? "").split(separator: "\n").contains { line in
                    let carrier = line.contains("LOWER_UP")
                    let up = line.contains(" state UP ") || line.contains(" state UNKNOWN ")
                    return carrier != up
                }
            }
        }
        let deadline = Date().addingTimeInterval(3)
        while pending() && Date() < deadline { usleep(100_000) }
    }

    override class func tearDown() {
        fixture?.lab.cleanup()
        fixture = nil
        snapshot = nil
        super.tearDown()
    }

    var f: TopologyFixture { Self.fixture! }

    /// One failure naming what went wrong when the shared topology could not be built.
    func snap() throws -> Snapshot {
        try XCTUnwrap(Self.snapshot, Self.setupError ?? "no snapshot was taken")
    }

    func ns(_ name: String) throws -> Namespace {
        let s = try snap()
        return try XCTUnwrap(s.namespaces.first { $0.names.contains(name) }, "namespace \(name) not found")
    }

    // MARK: discovery vs lsns

    func testEveryNamespaceLsnsSeesIsFoundAndMoreBesides() throws {
        let s = try snap()
        let lsns = try XCTUnwrap(try Shell.json(["lsns", "-J", "-t", "net"]) as? [String: Any])
        let rows = try XCTUnwrap(lsns["namespaces"] as? [[String: Any]])
        let ours = Set(s.namespaces.map(\.id))
        var lsnsIds = Set<UInt64>()
        for r in rows {
            let id = (r["ns"] as? NSNumber)?.uint64Value ?? UInt64(r["ns"] as? String ?? "") ?? 0
            lsnsIds.insert(id)
            // A namespace lsns lists may have vanished since (its process exited): only live ones must match.
            if let pid = (r["pid"] as? NSNumber)?.int32Value, kill(pid, 0) != 0 { continue }
            XCTAssertTrue(ours.contains(id), "lsns lists net:[\(id)] but Plumb does not")
        }
        let mountId = try TopologyFixture.inode(f.mountPath)
        let fdId = try XCTUnwrap(s.namespaces.first { $0.heldBy.contains { $0.kind == .fd && $0.pid == f.fdHolderPid } }).id
        XCTAssertTrue(ours.contains(mountId))
        XCTAssertFalse(lsnsIds.contains(fdId), "lsns does not see fd-held namespaces (the gap Plumb fills)")
    }

    func testHowEachNamespaceIsHeld() throws {
        let s = try snap()
        let mountId = try TopologyFixture.inode(f.mountPath)
        let mounted = try XCTUnwrap(s.namespace(id: mountId))
        XCTAssertEqual(mounted.heldBy.map(\.kind), [.bindMount])
        XCTAssertEqual(mounted.paths, [f.mountPath])
        XCTAssertTrue(mounted.isOrphan)

        let fdHeld = try XCTUnwrap(s.namespaces.first { $0.heldBy.contains { $0.kind == .fd && $0.pid == f.fdHolderPid } })
        XCTAssertEqual(fdHeld.heldBy, [Holder(kind: .fd, pid: f.fdHolderPid, fd: 3)])
        XCTAssertTrue(fdHeld.isOrphan)
        // Unnamed and held only by an fd: the one kind of namespace called a likely leak, with why.
        XCTAssertEqual(fdHeld.leakReason?.hasPrefix("no name and no process; held only by fd 3 of pid \(f.fdHolderPid)"), true,
                       fdHeld.leakReason ?? "nil")
        XCTAssertFalse(fdHeld.links.isEmpty, "an fd-held namespace is entered and read like any other")
        // Since when its holder has it (the nsfs inode's time): made by this fixture, so minutes before the snapshot.
        let since = try XCTUnwrap(fdHeld.heldSince, "a namespace held by no process knows since when")
        XCTAssertLessThanOrEqual(since, s.takenAt + 1)
        XCTAssertGreaterThan(since, s.takenAt - 3600, "the fixture was made minutes ago")
        XCTAssertEqual(fdHeld.leakReason(at: s.takenAt)?.contains("; for at least "), true, fdHeld.leakReason(at: s.takenAt) ?? "nil")
        XCTAssertNotNil(mounted.heldSince, "a bind-mounted namespace too")

        let anonId = try TopologyFixture.inode("/proc/\(f.anonymousPid)/ns/net")
        let anon = try XCTUnwrap(s.namespace(id: anonId))
        XCTAssertEqual(anon.pids, [f.anonymousPid])
        XCTAssertEqual(anon.names, [])
        XCTAssertEqual(anon.heldBy, [Holder(kind: .process, pid: f.anonymousPid)])
        XCTAssertNil(anon.heldSince, "with a process inside, no holder's age")
        XCTAssertEqual(s.processes.first { $0.pid == f.anonymousPid }?.comm, "sleep")
        XCTAssertEqual(s.processes.first { $0.pid == f.anonymousPid }?.cmdline, "sleep 600")

        let named = try ns(f.a)
        XCTAssertEqual(named.paths, ["/run/netns/\(f.a)"])
        XCTAssertEqual(named.id, try TopologyFixture.inode("/run/netns/\(f.a)"))
        XCTAssertTrue(s.namespaces.first!.isHost)
    }

    // MARK: links vs ip -j -d -s link

    func oracleLinks(_ name: String?) throws -> [[String: Any]] {
        let args = ["ip"] + (name.map { ["-n", $0] } ?? []) + ["-j", "-d", "-s", "link", "show"]
        return try XCTUnwrap(try Shell.json(args) as? [[String: Any]])
    }

    func compareLinks(_ nsName: String) throws {
        let ours = try ns(nsName)
        let theirs = try oracleLinks(nsName)
        XCTAssertEqual(ours.links.map(\.name).sorted(), theirs.compactMap { $0["ifname"] as? String }.sorted(), nsName)
        for o in theirs {
            let name = try XCTUnwrap(o["ifname"] as? String)
            let l = try XCTUnwrap(ours.link(named: name), "\(nsName)/\(name)")
            XCTAssertEqual(l.index, o["ifindex"] as? Int, "\(nsName)/\(name) index")
            XCTAssertEqual(l.mtu, o["mtu"] as? Int, "\(nsName)/\(name) mtu")
            XCTAssertEqual(l.operState.uppercased(), (o["operstate"] as? String)?.uppercased(), "\(nsName)/\(name) operstate")
            if let mac = o["address"] as? String, o["link_type"] as? String == "ether" {
                XCTAssertEqual(l.mac, mac, "\(nsName)/\(name) mac")
            }
            let flags = o["flags"] as? [String] ?? []
            XCTAssertEqual(l.isUp, flags.contains("UP"), "\(nsName)/\(name) up flag")
            XCTAssertEqual(l.hasCarrier, flags.contains("LOWER_UP"), "\(nsName)/\(name) carrier")
            let kind = ((o["linkinfo"] as? [String: Any])?["info_kind"] as? String)
            if let kind { XCTAssertEqual(l.kind.name, kind, "\(nsName)/\(name) kind") }
            if let master = o["master"] as? String {
                XCTAssertEqual(l.master.flatMap { ours.link(index: $0.index)?.name }, master, "\(nsName)/\(name) master")
            } else {
                XCTAssertNil(l.master, "\(nsName)/\(name) master")
            }
        }
    }

    func testLinksMatchIpInEveryTestNamespace() throws {
        for n in [f.sw, f.a, f.b, f.c, f.d, f.e, f.h1, f.h2] { try compareLinks(n) }
    }

    /// Counters, exactly: a read of Plumb's between two reads of `ip -s`, each counter at least the first and at
    /// most the second. The test namespaces are nearly quiet (IPv6 off, pings finished), so the two are almost
    /// always equal; but a bridge's late unsolicited IGMP report (54 bytes) sent between the class's one snapshot
    /// and a test's `ip` made an exact compare with that snapshot fail once in a full run.
    func testLinkCountersMatchIpInEveryTestNamespace() throws {
        let names = [f.sw, f.a, f.b, f.c, f.d, f.e, f.h1, f.h2]
        let before = try names.map(oracleLinks)
        let ours = SnapshotReader().read()
        let after = try names.map(oracleLinks)
        for (k, nsName) in names.enumerated() {
            let ns = try XCTUnwrap(ours.namespaces.first { $0.names.contains(nsName) }, nsName)
            func stats(_ o: [String: Any]) throws -> (name: String, rx: [String: Any], tx: [String: Any]) {
                let st = try XCTUnwrap(o["stats64"] as? [String: Any])
                return (try XCTUnwrap(o["ifname"] as? String), try XCTUnwrap(st["rx"] as? [String: Any]),
                        try XCTUnwrap(st["tx"] as? [String: Any]))
            }
            let late = Dictionary(try after[k].map(stats).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            for o in before[k] {
                let early = try stats(o)
                let l = try XCTUnwrap(ns.link(named: early.name), "\(nsName)/\(early.name)")
                let end = try XCTUnwrap(late[early.name], "\(nsName)/\(early.name) gone")
                func between(_ ours: UInt64, _ dir: String, _ key: String) {
                    let lo = ((dir == "rx" ? early.rx : early.tx)[key] as? NSNumber)?.uint64Value ?? .max
                    let hi = ((dir == "rx" ? end.rx : end.tx)[key] as? NSNumber)?.uint64Value ?? 0
                    XCTAssertTrue(lo <= ours && ours <= hi,
                                  "\(nsName)/\(early.name) \(dir) \(key): \(ours), ip said \(lo) then \(hi)")
                }
                between(l.stats.rxPackets, "rx", "packets")
                between(l.stats.txPackets, "tx", "packets")
                between(l.stats.rxBytes, "rx", "bytes")
                between(l.stats.txBytes, "tx", "bytes")
                between(l.stats.rxDropped, "rx", "dropped")
            }
        }
    }

    func testHostLinksMatchIp() throws {
        let s = try snap()
        let host = try XCTUnwrap(s.host)
        let theirs = try oracleLinks(nil)
        // The host may gain or lose links from other tools between the two reads: compare our test link exactly,
        // and require every oracle link that existed at snapshot time to be there.
        let ourNames = Set(host.links.map(\.name))
        XCTAssertTrue(ourNames.contains(f.hostVeth))
        for o in theirs {
            guard let name = o["ifname"] as? String, ourNames.contains(name) || name.hasPrefix("pt") else { continue }
            let l = try XCTUnwrap(host.link(named: name))
            XCTAssertEqual(l.index, o["ifindex"] as? Int, name)
            XCTAssertEqual(l.mtu, o["mtu"] as? Int, name)
        }
        XCTAssertNotNil(host.link(named: "lo"))
    }

    // MARK: wiring

    func testVethPeersResolveAcrossNamespaces() throws {
        let sw = try ns(f.sw), a = try ns(f.a), b = try ns(f.b)
        let s = try snap()
        let host = try XCTUnwrap(s.host)
        let aEth0 = try XCTUnwrap(a.link(named: "eth0"))
        let pa = try XCTUnwrap(sw.link(named: f.lab.linkName("pa")))
        XCTAssertEqual(aEth0.peer, RemoteLinkRef(namespace: sw.id, index: pa.index))
        XCTAssertEqual(pa.peer, RemoteLinkRef(namespace: a.id, index: aEth0.index))
        let bEth0 = try XCTUnwrap(b.link(named: "eth0"))
        XCTAssertEqual(bEth0.peer?.namespace, sw.id)
        // Host <-> namespace veth, both directions.
        let hv = try XCTUnwrap(host.link(named: f.hostVeth))
        let aEth1 = try XCTUnwrap(a.link(named: "eth1"))
        XCTAssertEqual(hv.peer, RemoteLinkRef(namespace: a.id, index: aEth1.index))
        XCTAssertEqual(aEth1.peer, RemoteLinkRef(namespace: host.id, index: hv.index))
        // Cross-check with ip's own view: link_index of the oracle equals our peer index.
        for o in try oracleLinks(f.a) where (o["ifname"] as? String) == "eth0" {
            XCTAssertEqual(o["link_index"] as? Int, pa.index)
        }
    }

    func testBridgePortsAndStates() throws {
        let sw = try ns(f.sw)
        let br = try XCTUnwrap(sw.link(named: f.bridge))
        XCTAssertEqual(br.kind, "bridge")
        XCTAssertEqual(br.addresses, [IPPrefix("10.213.1.1/24")!])
        let ports = sw.links.filter { $0.master?.index == br.index }.map(\.name).sorted()
        XCTAssertEqual(ports, [f.lab.linkName("pa"), f.lab.linkName("pb")].sorted())
        for p in sw.links where p.master != nil { XCTAssertEqual(p.bridgePort?.state, "forwarding", p.name) }
    }

    func testMacvlanParentInAnotherNamespace() throws {
        let c = try ns(f.c), e = try ns(f.e)
        let mv = try XCTUnwrap(e.link(named: "mv0"))
        XCTAssertEqual(mv.kind, "macvlan")
        XCTAssertEqual(mv.macvlanMode, "bridge")
        XCTAssertEqual(mv.parent, RemoteLinkRef(namespace: c.id, index: try XCTUnwrap(c.link(named: "cpar")).index))
        XCTAssertEqual(mv.addresses, [IPPrefix("10.213.4.2/24")!])
        let cpar = try XCTUnwrap(c.link(named: "cpar"))
        XCTAssertEqual(cpar.peer?.namespace, try ns(f.d).id)
    }

    func testVxlanDetails() throws {
        let h1 = try ns(f.h1)
        let vx = try XCTUnwrap(h1.link(named: "vx0"))
        XCTAssertEqual(vx.kind, "vxlan")
        // The kernel keeps the unicast remote as the FDB's all-zeros entry, which the reader lists as well.
        XCTAssertEqual(vx.vxlan, VxlanInfo(vni: 42, remote: IPAddress("10.213.2.2"), local: IPAddress("10.213.2.1"), port: 4789,
                                           fdbRemotes: [IPAddress("10.213.2.2")!]))
        XCTAssertEqual(vx.parent, RemoteLinkRef(namespace: h1.id, index: try XCTUnwrap(h1.link(named: "u1")).index))
        XCTAssertGreaterThanOrEqual(vx.stats.txPackets, 3, "the pings crossed the overlay")
        let oracle = try XCTUnwrap(try oracleLinks(f.h1).first { $0["ifname"] as? String == "vx0" })
        let data = try XCTUnwrap((oracle["linkinfo"] as? [String: Any])?["info_data"] as? [String: Any])
        XCTAssertEqual(data["id"] as? Int, 42)
        XCTAssertEqual(data["remote"] as? String, vx.vxlan?.remote?.description)
        XCTAssertEqual(data["port"] as? Int, vx.vxlan?.port)
    }

    // MARK: addresses, routes, sysctls

    func testAddressesMatchIp() throws {
        for n in [f.sw, f.a, f.b, f.e, f.h1, f.h2] {
            let ours = try ns(n)
            let theirs = try XCTUnwrap(try Shell.json(["ip", "-n", n, "-j", "addr", "show"]) as? [[String: Any]])
            for o in theirs {
                let name = try XCTUnwrap(o["ifname"] as? String)
                let expected = (o["addr_info"] as? [[String: Any]] ?? []).compactMap { ai -> String? in
                    guard let local = ai["local"] as? String, let p = ai["prefixlen"] as? Int else { return nil }
                    return "\(local)/\(p)"
                }
                XCTAssertEqual(Set((ours.link(named: name)?.addresses ?? []).map(\.description)), Set(expected), "\(n)/\(name)")
            }
        }
    }

    func testRoutesOfAllTablesMatchIp() throws {
        for n in [f.sw, f.a, f.h1] {
            let ours = try ns(n)
            var expected = Set<String>()
            for fam in ["-4", "-6"] {
                let rows = try XCTUnwrap(try Shell.json(["ip", "-n", n, "-j", fam, "route", "show", "table", "all"]) as? [[String: Any]])
                for r in rows {
                    var dst = r["dst"] as? String ?? "default"
                    if dst != "default" && !dst.contains("/") { dst += fam == "-4" ? "/32" : "/128" }
                    let table = r["table"] as? String ?? "main"
                    expected.insert("\(table) \(dst)")
                }
            }
            let got = Set(ours.routes.map { "\($0.tableName) \($0.destinationText)" })
            XCTAssertEqual(got, expected, n)
        }
        let a = try ns(f.a)
        let def = try XCTUnwrap(a.routes.first { $0.isDefault && $0.tableName == "main" })
        XCTAssertEqual(def.gateway?.description, "10.213.1.1")
        XCTAssertEqual(def.dev, "eth0")
    }

    func testNeighboursAfterTraffic() throws {
        let b = try ns(f.b)
        let n = try XCTUnwrap(b.neighbors.first { $0.ip == IPAddress("10.213.1.2") }, "b learned a's MAC by pinging it")
        XCTAssertEqual(n.mac, try ns(f.a).link(named: "eth0")?.mac)
        XCTAssertEqual(n.dev, "eth0")
    }

    func testForwardingSysctlsMatchProc() throws {
        for n in [f.a, f.sw] {
            let ours = try ns(n)
            let fwd = try Shell.run("ip", "netns", "exec", n, "cat", "/proc/sys/net/ipv4/ip_forward")
            XCTAssertEqual(ours.sysctls.ipForward, fwd.hasPrefix("1"), n)
            let rp = try Shell.run("ip", "netns", "exec", n, "cat", "/proc/sys/net/ipv4/conf/all/rp_filter")
            XCTAssertEqual(ours.sysctls.rpFilterAll, Int(rp.trimmingCharacters(in: .whitespacesAndNewlines)), n)
            XCTAssertNotNil(ours.sysctls.rpFilter["eth0"] ?? ours.sysctls.rpFilter[f.bridge])
            XCTAssertNotNil(ours.sysctls.routeLocalnetAll)
        }
    }

    // MARK: firewall vs iptables-save -c

    func testFirewallMatchesIptablesSave() throws {
        let a = try ns(f.a)
        let save = try Shell.run("ip", "netns", "exec", f.a, "iptables-save", "-c")
        let filter = try XCTUnwrap(a.firewall.tables.first { $0.family == "ipv4" && $0.name == "filter" },
                                   "notes: \(a.firewall.notes)")
        let chain = try XCTUnwrap(filter.chain("PT-COUNT"))
        XCTAssertNil(chain.policy)
        XCTAssertEqual(chain.rules.count, 1)
        let rule = chain.rules[0]
        XCTAssertEqual(rule.target, "ACCEPT")
        XCTAssertTrue(rule.rule.contains("pt test -j counts"))
        XCTAssertGreaterThanOrEqual(rule.packets, 3, "the pings were counted")
        // Same counters as iptables-save printed (the namespace is quiet now).
        let line = try XCTUnwrap(save.split(separator: "\n").first { $0.contains("-A PT-COUNT") })
        XCTAssertTrue(line.hasPrefix("[\(rule.packets):\(rule.bytes)]"), "\(line) vs \(rule.packets):\(rule.bytes)")
        XCTAssertEqual(filter.chain("INPUT")?.rules.first?.target, "PT-COUNT")
        XCTAssertEqual(filter.chain("INPUT")?.policy, "ACCEPT")
        // A namespace with no firewall at all reads as empty, with no note.
        let b = try ns(f.b)
        XCTAssertEqual(b.firewall.tables.count, 0)
        XCTAssertEqual(b.firewall.notes, [])
    }
}
