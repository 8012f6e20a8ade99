import Foundation
import Glibc
import XCTest

/// `plumb agent` across simulated hosts (MultiHostLab) on a private etcd: containers on different hosts ping
/// each other over a cluster overlay with no --remote; an endpoint connected while agents run is picked up
/// from its address lease; etcd going away leaves the forwarding as it was (and the agent says so); a host
/// whose agent dies is removed by its peers within TTL + 2 s.
final class ClusterAgentTests: RootTestCase {
    static let ttl = 3

    func testAgentsConnectHostsKeepStateWithoutEtcdAndDropADeadHost() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let cluster = try MultiHostLab(lab: lab)
        let h1 = try cluster.addHost(), h2 = try cluster.addHost()
        try cluster.startEtcd()
        let vx = "vx-ov"
        // The same overlay on both hosts: the second adopts the cluster's settings. No --remote.
        for h in [h1, h2] {
            let r = try cluster.plumb(h, ["net", "create", "ov", "--driver", "vxlan", "--vni", "4242", "--subnet", "10.213.7.0/24",
                                          "--local", h.address, "--parent", h.uplink])
            XCTAssertEqual(r.status, 0, "net create on \(h.name): \(r.stderr)")
        }
        let c1 = try cluster.addContainer(h1, "c1"), c2 = try cluster.addContainer(h2, "c2")
        var addresses: [String: String] = [:]
        for (h, c) in [(h1, c1), (h2, c2)] {
            let r = try cluster.plumb(h, ["net", "connect", "ov", c, "--json"])
            XCTAssertEqual(r.status, 0, "net connect on \(h.name): \(r.stderr)")
            addresses[c] = try Self.address(of: c, on: h, cluster)
        }
        XCTAssertNotEqual(addresses[c1], addresses[c2], "one pool across hosts")
        var agents: [String: pid_t] = [:]
        var logs: [String: String] = [:]
        for h in [h1, h2] {
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("pt-agent-\(lab.tag)-\(h.name).log").path
            lab.onCleanup { try? FileManager.default.removeItem(atPath: log) }
            logs[h.name] = log
            agents[h.name] = try cluster.spawn(h, [CLITests.binary, "agent", "--ttl", String(Self.ttl), "--state-dir", h.stateDir,
                                                    "--store", cluster.etcdEndpoint!, "--host-id", h.name], log: log)
        }
        func pings(_ h: MultiHostLab.Host, _ ns: String, _ ip: String) throws -> Bool {
            try cluster.result(h, ["ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "1", ip]).status == 0
        }
        func eventually(_ seconds: Double, _ what: String, _ check: () throws -> Bool) throws -> Double {
            let start = Date()
            while Date().timeIntervalSince(start) < seconds {
                if try check() { return Date().timeIntervalSince(start) }
                usleep(100_000)
            }
            XCTFail("\(what) not within \(seconds) s; agent logs: \(logs.values.map { (try? String(contentsOfFile: $0, encoding: .utf8)) ?? "" })")
            return seconds
        }
        _ = try eventually(10, "c1 on host1 reaching c2 on host2") { try pings(h1, c1, addresses[c2]!) }
        // What the agents wrote, as iproute2 sees it.
        let mac2 = "02:50:" + addresses[c2]!.split(separator: ".").map { String(format: "%02x", Int($0)!) }.joined(separator: ":")
        XCTAssertEqual(try cluster.forwardingEntries(h1, dev: vx), ["00:00:00:00:00:00 \(h2.address)", "\(mac2) \(h2.address)"])
        XCTAssertEqual(try cluster.permanentNeighbors(h1, dev: vx), ["\(addresses[c2]!) \(mac2)"])

        // Both agents published their host's summary; snapshot --cluster merges them.
        _ = try eventually(6, "both hosts' summaries in snapshot --cluster") {
            let r = try cluster.plumb(h1, ["snapshot", "--cluster", "--json"], stateDir: false)
            guard r.status == 0, let doc = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
                  let hosts = doc["hosts"] as? [[String: Any]] else { return false }
            return hosts.compactMap { $0["host"] as? String } == [h1.name, h2.name]
                && r.stdout.contains(addresses[c2]!) && r.stdout.contains(addresses[c1]!)
        }

        // An endpoint connected while the agents run is picked up by the peer from its address lease.
        let c3 = try cluster.addContainer(h2, "c3")
        XCTAssertEqual(try cluster.plumb(h2, ["net", "connect", "ov", c3]).status, 0)
        let ip3 = try Self.address(of: c3, on: h2, cluster)
        _ = try eventually(5, "c1 reaching c3, connected after the agents started") { try pings(h1, c1, ip3) }

        // etcd gone: the entries stay, traffic between the live hosts goes on, and the agent says why.
        let before = try cluster.forwardingEntries(h1, dev: vx)
        cluster.killEtcd()
        usleep(UInt32(Self.ttl) * 1_000_000 + 500_000)
        XCTAssertEqual(try cluster.forwardingEntries(h1, dev: vx), before)
        XCTAssertTrue(try pings(h1, c1, addresses[c2]!), "traffic stopped while etcd was away")
        let log1 = try String(contentsOfFile: logs[h1.name]!, encoding: .utf8)
        XCTAssertTrue(log1.contains("keeping the last forwarding entries"), log1)
        try cluster.startEtcd()
        _ = try eventually(8, "host1's agent registered again after etcd came back") {
            (try String(contentsOfFile: logs[h1.name]!, encoding: .utf8)).components(separatedBy: "registered with lease").count > 2
        }

        // host2's agent dies without revoking anything: host1 drops host2's entries within TTL + 2 s; host2's
        // address leases stay in the store.
        kill(agents[h2.name]!, SIGKILL)
        let took = try eventually(Double(Self.ttl) + 2, "host1 dropping the dead host's entries") {
            try cluster.forwardingEntries(h1, dev: vx).isEmpty && cluster.permanentNeighbors(h1, dev: vx).isEmpty
        }
        XCTAssertLessThanOrEqual(took, Double(Self.ttl) + 2)
        let inspect = try cluster.plumb(h1, ["net", "inspect", "ov", "--json"])
        XCTAssertTrue(inspect.stdout.contains(addresses[c2]!), "the dead host's address lease was dropped: \(inspect.stdout)")
    }

    /// The endpoint's IPv4 address inside its namespace.
    static func address(of ns: String, on h: MultiHostLab.Host, _ cluster: MultiHostLab) throws -> String {
        let text = try cluster.run(h, ["ip", "-n", ns, "-j", "-4", "addr", "show", "scope", "global"])
        let rows = (try JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] ?? []
        for row in rows {
            for a in row["addr_info"] as? [[String: Any]] ?? [] { if let ip = a["local"] as? String { return ip } }
        }
        throw Shell.Failed(command: ["ip", "addr"], status: 1, stderr: "no address in \(ns)")
    }
}
