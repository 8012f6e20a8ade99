import Foundation
import Glibc
import PlumbModel
import XCTest

/// What a host shows of the rest of the cluster (MultiHostLab, a private etcd): `net inspect` of a shared network
/// this host never created shows the store's view and says it is not here; `plumb map` names the other hosts'
/// VTEPs and lists their endpoints; `plumb trace` follows a packet into the tunnel and on through the remote
/// host's published summary, naming a rule there that drops it.
final class ClusterRemoteViewTests: RootTestCase {
    func testAHostSeesTheClustersOverlayAndItsRemoteEndpoints() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let cluster = try MultiHostLab(lab: lab)
        let h1 = try cluster.addHost(), h2 = try cluster.addHost()
        try cluster.startEtcd()
        /// The cluster overlay NET on host h, with no --remote.
        func createOverlay(_ h: MultiHostLab.Host, _ net: String, vni: Int, subnet: String) throws {
            let r = try cluster.plumb(h, ["net", "create", net, "--driver", "vxlan", "--vni", String(vni), "--subnet", subnet,
                                          "--local", h.address, "--parent", h.uplink])
            XCTAssertEqual(r.status, 0, "net create \(net) on \(h.name): \(r.stderr)")
        }
        try createOverlay(h1, "ov", vni: 4343, subnet: "10.213.9.0/24")
        let c1 = try cluster.addContainer(h1, "c1")
        XCTAssertEqual(try cluster.plumb(h1, ["net", "connect", "ov", c1]).status, 0)
        let ip1 = try ClusterAgentTests.address(of: c1, on: h1, cluster)

        // host2 never created ov: inspect shows the store's record, the endpoint on host1, and that it is not here.
        let json = try cluster.plumb(h2, ["net", "inspect", "ov", "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stdout)
        XCTAssertEqual(doc["onThisHost"] as? Bool, false)
        let net = try XCTUnwrap(doc["network"] as? [String: Any])
        XCTAssertEqual(net["subnet"] as? String, "10.213.9.0/24")
        XCTAssertEqual(net["vni"] as? Int, 4343)
        XCTAssertEqual(net["createdBy"] as? String, h1.name)
        let shared = try XCTUnwrap(doc["cluster"] as? [String: Any])
        let eps = try XCTUnwrap(shared["endpoints"] as? [[String: Any]])
        XCTAssertEqual(eps.map { "\($0["host"] ?? "") \($0["address"] ?? "")" }, ["\(h1.name) \(ip1)"])
        let hosts = try XCTUnwrap(shared["hosts"] as? [[String: Any]])
        XCTAssertEqual(hosts.compactMap { $0["host"] as? String }, [h1.name])
        let text = try cluster.plumb(h2, ["net", "inspect", "ov"])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("not on this host"), text.stdout)
        XCTAssertTrue(text.stdout.contains("\(h1.name) \(ip1) \(c1)"), text.stdout)
        // Unknown to the store as well: still not found (4).
        XCTAssertEqual(try cluster.plumb(h2, ["net", "inspect", "pt-nowhere"]).status, 4)

        // host2 builds it too, with an endpoint; both agents run.
        try createOverlay(h2, "ov", vni: 4343, subnet: "10.213.9.0/24")
        let c2 = try cluster.addContainer(h2, "c2")
        XCTAssertEqual(try cluster.plumb(h2, ["net", "connect", "ov", c2]).status, 0)
        let ip2 = try ClusterAgentTests.address(of: c2, on: h2, cluster)
        func agent(_ h: MultiHostLab.Host) throws -> pid_t {
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("pt-agent-\(lab.tag)-\(h.name).log").path
            lab.onCleanup { try? FileManager.default.removeItem(atPath: log) }
            return try cluster.spawn(h, [CLITests.binary, "agent", "--state-dir", h.stateDir, "--store", cluster.etcdEndpoint!,
                                         "--host-id", h.name], log: log)
        }
        _ = try agent(h1)
        let agent2 = try agent(h2)

        // host1's map: host2's VTEP named by its host, and c2 as a remote endpoint hosted on it.
        var map: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(8)
        repeat {
            let r = try cluster.plumb(h1, ["map", "--json"], stateDir: false)
            XCTAssertEqual(r.status, 0, r.stderr)
            map = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]) ?? [:]
            let edges = map["edges"] as? [[String: Any]] ?? []
            if edges.contains(where: { $0["kind"] as? String == "hosted" }) && edges.contains(where: {
                $0["kind"] as? String == "tunnel" && ($0["label"] as? String)?.contains("not in the FDB") == false }) { break }
            usleep(200_000)
        } while Date() < deadline
        let nodes = map["nodes"] as? [[String: Any]] ?? []
        let remoteEP = try XCTUnwrap(nodes.first { $0["id"] as? String == "remote-endpoint:ov:\(ip2)" }, "\(map)")
        XCTAssertEqual(remoteEP["kind"] as? String, "remote-endpoint")
        XCTAssertEqual(remoteEP["host"] as? String, h2.name)
        XCTAssertEqual(remoteEP["name"] as? String, c2)
        let vtep2 = try XCTUnwrap(nodes.first { $0["id"] as? String == "remote:\(h2.address)" }, "\(map)")
        XCTAssertEqual(vtep2["host"] as? String, h2.name)
        let hosted = (map["edges"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "hosted" }
        XCTAssertEqual(hosted.compactMap { $0["to"] as? String }, ["remote:\(h2.address)"])
        XCTAssertFalse(nodes.contains { $0["id"] as? String == "remote-endpoint:ov:\(ip1)" }, "host1's own endpoint is not remote")
        let picture = try cluster.plumb(h1, ["map", "--width", "160"], stateDir: false)
        XCTAssertTrue(picture.stdout.contains("\(c2) \(ip2) eth0 on \(h2.name)"), picture.stdout)
        // Without the store the map is the host's alone.
        let plain = try cluster.plumb(h1, ["map", "--json"], store: false, stateDir: false)
        XCTAssertFalse(plain.stdout.contains("remote-endpoint"), plain.stdout)

        // trace c1 → c2 goes into the tunnel to host2's VTEP and on through host2's published summary.
        var trace = try remoteTrace(cluster, h1, from: c1, to: ip2, host: h2.name)
        XCTAssertTrue(["DELIVERED", "UNKNOWN"].contains(trace.doc["verdict"] as? String), trace.text)
        XCTAssertEqual(trace.doc["assumedVerdict"] as? String ?? trace.doc["verdict"] as? String, "DELIVERED", trace.text)
        XCTAssertTrue(trace.text.contains("VTEP \(h2.address)"), trace.text)
        XCTAssertEqual(try ClusterRemoteViewTests.pings(cluster, h1, c1, ip2), true, "the traced path carries traffic")

        // An IPv6-only cluster overlay: endpoints get MACs derived from their addresses, so host1's agent
        // programs host2's endpoint (static FDB entry and permanent neighbour) and they reach each other.
        for h in [h1, h2] { try createOverlay(h, "ov6", vni: 4344, subnet: "fd13:9::/64") }
        for (h, c) in [(h1, c1), (h2, c2)] {
            let r = try cluster.plumb(h, ["net", "connect", "ov6", c, "--ifname", "eth1"])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let v6 = try cluster.run(h2, ["ip", "-n", c2, "-6", "-o", "addr", "show", "dev", "eth1", "scope", "global"])
        let ip6 = try XCTUnwrap(v6.split(separator: " ").first { $0.hasPrefix("fd13:9::") }.map { String($0.split(separator: "/")[0]) }, v6)
        let mac6 = HardwareAddress.overlayEndpoint(IPAddress(ip6)!)!.description
        let programmed = Date()
        while Date().timeIntervalSince(programmed) < 8, !(try cluster.permanentNeighbors(h1, dev: "vx-ov6")).contains("\(ip6) \(mac6)") {
            usleep(200_000)
        }
        XCTAssertTrue(try cluster.permanentNeighbors(h1, dev: "vx-ov6").contains("\(ip6) \(mac6)"))
        XCTAssertTrue(try cluster.forwardingEntries(h1, dev: "vx-ov6").contains("\(mac6) \(h2.address)"))
        XCTAssertTrue(try ClusterRemoteViewTests.pings(cluster, h1, c1, ip6), "c1 reaching c2 over the IPv6 overlay")

        // host2 drops VXLAN's UDP: with its next summary, the trace names the dropping rule on host2.
        try cluster.run(h2, ["iptables", "-I", "INPUT", "-p", "udp", "--dport", "4789", "-j", "DROP"])
        kill(agent2, SIGTERM)
        _ = try agent(h2)  // publishes its summary at its first resync
        let started = Date()
        repeat {
            trace = try remoteTrace(cluster, h1, from: c1, to: ip2, host: h2.name)
            if trace.doc["verdict"] as? String == "DROPPED" { break }
            usleep(300_000)
        } while Date().timeIntervalSince(started) < 10
        XCTAssertEqual(trace.doc["verdict"] as? String, "DROPPED", trace.text)
        XCTAssertEqual(trace.status, 3)
        let hops = trace.doc["hops"] as? [[String: Any]] ?? []
        XCTAssertEqual(trace.doc["dropHop"] as? Int, hops.count, "the remote hop dropped it")
        XCTAssertEqual(hops.last?["host"] as? String, h2.name)
        XCTAssertTrue((trace.doc["reason"] as? String ?? "").contains("INPUT"), trace.text)
    }

    /// `plumb trace SRC IP --json` on `h` once `host`'s summary is in: the document, its text form and the exit status.
    func remoteTrace(_ cluster: MultiHostLab, _ h: MultiHostLab.Host, from src: String, to ip: String, host: String) throws
        -> (doc: [String: Any], text: String, status: Int32) {
        var r = (status: Int32(0), stdout: "", stderr: "")
        let deadline = Date().addingTimeInterval(8)
        repeat {
            r = try cluster.plumb(h, ["trace", src, ip, "--json"], stateDir: false)
            if r.stdout.contains("published summary") { break }
            usleep(300_000)
        } while Date() < deadline
        let doc = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]) ?? [:]
        let text = try cluster.plumb(h, ["trace", src, ip], stateDir: false)
        return (doc, text.stdout + text.stderr, r.status)
    }

    static func pings(_ cluster: MultiHostLab, _ h: MultiHostLab.Host, _ ns: String, _ ip: String) throws -> Bool {
        for _ in 0..<20 where try cluster.result(h, ["ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "1", ip]).status == 0 { return true }
        return false
    }
}
