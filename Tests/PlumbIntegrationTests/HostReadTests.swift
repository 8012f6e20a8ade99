import Foundation
import XCTest
@testable import PlumbKernel
import PlumbModel

/// `plumb snapshot host` takes its own path (the host's dumps start before discovery and every nsid is asked for
/// while they run), and bridge-port states now come from the link dump's slave data instead of an AF_BRIDGE
/// dump: both are checked here against `ip -j -d link`.
final class HostReadTests: RootTestCase {
    func testHostTargetResolvesVethPeersIntoTheirNamespaces() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        var expected: [String: (ns: String, peer: String)] = [:]
        for i in 1...3 {
            let ns = try lab.addNamespace("h\(i)")
            let hostEnd = lab.linkName("h\(i)")
            lab.ownHostLink(hostEnd)
            try lab.ip(nil, "link", "add", hostEnd, "type", "veth", "peer", "name", "eth\(i)", "netns", ns)
            expected[hostEnd] = (ns, "eth\(i)")
        }
        let snap = SnapshotReader().read(target: "host")
        let host = try XCTUnwrap(snap.host)
        XCTAssertTrue(snap.namespaces.filter { !$0.isHost }.allSatisfy { $0.links.isEmpty },
                      "only the host is read")
        let full = SnapshotReader().read()
        for (hostEnd, want) in expected {
            let l = try XCTUnwrap(host.link(named: hostEnd), hostEnd)
            let target = try XCTUnwrap(full.namespaces.first { $0.names.contains(want.ns) })
            let peer = try XCTUnwrap(target.link(named: want.peer))
            XCTAssertEqual(l.peer, RemoteLinkRef(namespace: target.id, index: peer.index), hostEnd)
            // ip's own view of the same link: the peer's index.
            let o = try XCTUnwrap(try Shell.json(["ip", "-j", "link", "show", hostEnd]) as? [[String: Any]]).first
            XCTAssertEqual(o?["link_index"] as? Int, peer.index, hostEnd)
        }
    }

    /// The host path splits its dumps between two threads (links on one; routes, neighbours, netconf and the
    /// sysctl files to whichever is free) and joins them: the result must equal the plain one-thread read.
    func testHostTargetReadsWhatTheFullReadReads() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        // Something of ours in the host's tables: a veth with an address and a route through it.
        let ns = try lab.addNamespace("ht")
        let hostEnd = lab.linkName("ht")
        lab.ownHostLink(hostEnd)
        try lab.ip(nil, "link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", ns)
        try lab.ip(nil, "addr", "add", "10.213.77.1/24", "dev", hostEnd)
        try lab.ip(nil, "link", "set", hostEnd, "up")
        try lab.ip(nil, "route", "add", "10.213.78.0/24", "via", "10.213.77.2", "dev", hostEnd, "onlink")

        let split = try XCTUnwrap(SnapshotReader().read(target: "host").host)
        let plain = try XCTUnwrap(SnapshotReader().read().host)
        XCTAssertEqual(split.sysctls, plain.sysctls)
        XCTAssertEqual(split.sysctls.rpFilter[hostEnd], plain.sysctls.rpFilter[hostEnd])
        XCTAssertNotNil(split.sysctls.rpFilter[hostEnd], "per-link netconf joined by name")
        XCTAssertEqual(split.links.map(\.name), plain.links.map(\.name))
        XCTAssertEqual(Set(split.routes.map { "\($0.tableName) \($0.destinationText) \($0.dev ?? "-")" }),
                       Set(plain.routes.map { "\($0.tableName) \($0.destinationText) \($0.dev ?? "-")" }))
        XCTAssertTrue(split.routes.contains { $0.destinationText == "10.213.78.0/24" && $0.dev == hostEnd && $0.gateway?.description == "10.213.77.2" },
                      "routes carry their device names")
        XCTAssertEqual(split.link(named: hostEnd)?.addresses.first?.description, "10.213.77.1/24")
    }

    func testBridgePortStateAndHairpinMatchIp() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let sw = try lab.addNamespace("brp")
        let br = lab.linkName("br"), fwd = lab.linkName("fwd"), down = lab.linkName("dn"), hair = lab.linkName("hp")
        try lab.ip(sw, "link", "add", br, "type", "bridge", "stp_state", "0", "forward_delay", "0")
        try lab.ip(sw, "link", "set", br, "up")
        for p in [fwd, down, hair] {
            try lab.ip(sw, "link", "add", p, "type", "veth", "peer", "name", "\(p)x")
            try lab.ip(sw, "link", "set", p, "master", br)
            try lab.ip(sw, "link", "set", "\(p)x", "up")
        }
        try lab.ip(sw, "link", "set", fwd, "up")
        try lab.ip(sw, "link", "set", hair, "up")
        try lab.ip(sw, "link", "set", "dev", hair, "type", "bridge_slave", "hairpin", "on")

        let snap = SnapshotReader().read(target: sw)
        let ns = try XCTUnwrap(snap.namespaces.first { $0.names.contains(sw) })
        let oracle = try XCTUnwrap(try Shell.json(["ip", "-n", sw, "-j", "-d", "link", "show"]) as? [[String: Any]])
        var seen = 0
        for o in oracle {
            guard let name = o["ifname"] as? String,
                  let slave = (o["linkinfo"] as? [String: Any])?["info_slave_data"] as? [String: Any] else { continue }
            let l = try XCTUnwrap(ns.link(named: name))
            XCTAssertEqual(l.bridgePort?.state, slave["state"] as? String, name)
            XCTAssertEqual(l.bridgePort?.hairpin, slave["hairpin"] as? Bool, name)
            seen += 1
        }
        XCTAssertEqual(seen, 3)
        XCTAssertEqual(ns.link(named: fwd)?.bridgePort?.state, "forwarding")
        XCTAssertEqual(ns.link(named: down)?.bridgePort?.state, "disabled")
        XCTAssertEqual(ns.link(named: hair)?.bridgePort?.hairpin, true)
    }
}
