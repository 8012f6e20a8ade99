import Foundation
import XCTest
import PlumbActions
import PlumbModel

/// The kernel side of unicast VXLAN, without a cluster store: two simulated hosts (MultiHostLab), an overlay
/// VXLAN device on each (no remote, no learning, ARP proxy), and the forwarding plan `plumb agent` applies. The
/// entries are read back both by Plumb and by `bridge -j fdb` / `ip -j neigh`, and the containers ping across.
final class OverlayForwardingTests: RootTestCase {
    func testForwardingEntriesCarryTrafficAndReadBackLikeIproute2() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let hosts = try MultiHostLab(lab: lab)
        let h1 = try hosts.addHost(), h2 = try hosts.addHost()
        let bridge = lab.linkName("br"), vx = lab.linkName("vx")
        var containers: [(ns: String, ip: String, mac: HardwareAddress)] = []
        let executor = PlanExecutor()
        for (n, h) in [h1, h2].enumerated() {
            // The overlay devices through Plumb's plan steps, in the host's network namespace.
            let home = NamespaceRef.pid(h.pid)
            try executor.apply(Plan(operation: .lab("overlay"), steps: [
                .createBridge(name: bridge, mtu: 1450, in: home),
                .createOverlayVxlan(name: vx, vni: 4242, local: IPAddress(h.address), port: 4789, parent: h.uplink, mtu: 1450, in: home),
                .setMaster(link: vx, master: bridge, in: home),
                .setUp(link: vx, in: home), .setUp(link: bridge, in: home),
            ]))
            // A container on each host, wired by hand (the endpoint side is not what is tested here).
            let c = try hosts.addContainer(h, "c\(n + 1)")
            let ip = "10.213.1.\(n + 2)", mac = HardwareAddress.overlayEndpoint(IPAddress(ip)!)!
            let port = lab.linkName("p\(n + 1)")
            try hosts.run(h, ["ip", "link", "add", port, "mtu", "1450", "type", "veth", "peer", "name", "eth1", "netns", c])
            try hosts.run(h, ["ip", "link", "set", port, "master", bridge, "up"])
            try hosts.run(h, ["ip", "-n", c, "link", "set", "eth1", "address", mac.description])
            try hosts.run(h, ["ip", "-n", c, "addr", "add", "\(ip)/24", "dev", "eth1"])
            try hosts.run(h, ["ip", "-n", c, "link", "set", "eth1", "up"])
            containers.append((c, ip, mac))
        }
        // Before any forwarding entry, the hosts cannot reach each other: no remote, no learning, no multicast.
        XCTAssertNotEqual(try hosts.result(h1, ["ip", "netns", "exec", containers[0].ns, "ping", "-c", "1", "-W", "1", containers[1].ip]).status, 0,
                          "the overlay carried traffic before any forwarding entry was written")

        for (me, other, peer) in [(h1, h2, containers[1]), (h2, h1, containers[0])] {
            let home = NamespaceRef.pid(me.pid)
            let want = OverlayForwarding(vteps: [IPAddress(other.address)!],
                                         endpoints: [.init(ip: IPAddress(peer.ip)!, mac: peer.mac, vtep: IPAddress(other.address)!)])
            let steps = want.steps(from: try executor.overlayState(of: vx, in: home), link: vx, in: home)
            XCTAssertEqual(steps.count, 3, "all-zeros entry, the endpoint's MAC, its neighbour: \(steps.map(\.description))")
            try executor.apply(Plan(operation: .overlaySync(network: "pt"), steps: steps))
            // Read back by Plumb equals the wanted state, and equals what iproute2 shows.
            let back = try executor.overlayState(of: vx, in: home)
            XCTAssertEqual(back.forwarding, want.forwardingEntries)
            XCTAssertEqual(back.neighbors, [IPAddress(peer.ip)!: peer.mac])
            XCTAssertEqual(try hosts.forwardingEntries(me, dev: vx),
                           ["00:00:00:00:00:00 \(other.address)", "\(peer.mac) \(other.address)"])
            XCTAssertEqual(try hosts.permanentNeighbors(me, dev: vx), ["\(peer.ip) \(peer.mac)"])
            // A second sync changes nothing.
            XCTAssertEqual(want.steps(from: back, link: vx, in: home), [])
        }
        let ping = try hosts.result(h1, ["ip", "netns", "exec", containers[0].ns, "ping", "-c", "2", "-i", "0.2", "-W", "2", containers[1].ip])
        XCTAssertEqual(ping.status, 0, "ping across the overlay failed: \(ping.stdout) \(ping.stderr)")
        // ARP was answered by h1's VXLAN device from its permanent neighbour: the container learned h2's MAC.
        let learned = try hosts.run(h1, ["ip", "-n", containers[0].ns, "-j", "neigh", "show", containers[1].ip])
        XCTAssertTrue(learned.contains(containers[1].mac.description), learned)

        // Removing the peer (its lease expired) removes every entry, and undoes cleanly.
        let home = NamespaceRef.pid(h1.pid)
        let removal = OverlayForwarding().steps(from: try executor.overlayState(of: vx, in: home), link: vx, in: home)
        XCTAssertEqual(removal.count, 3)
        try executor.apply(Plan(operation: .overlaySync(network: "pt"), steps: removal))
        XCTAssertEqual(try hosts.forwardingEntries(h1, dev: vx), [])
        XCTAssertEqual(try hosts.permanentNeighbors(h1, dev: vx), [])
        XCTAssertNotEqual(try hosts.result(h1, ["ip", "netns", "exec", containers[0].ns, "ping", "-c", "1", "-W", "1", containers[1].ip]).status, 0,
                          "traffic still crossed after the peer's entries were removed")
    }
}
