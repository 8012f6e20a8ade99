import Foundation
import Glibc
import PlumbCluster
import XCTest

/// `plumb net` with a cluster store (a private etcd): several "hosts" on one machine, each a state directory,
/// a `--host-id` and a test namespace standing in for its host namespace (`--host-ns`), all sharing one VXLAN
/// network's address pool through etcd. (Full sandboxed hosts with their own PID and mount namespaces are the
/// agent tests'.)
final class ClusterStoreTests: RootTestCase {
    var lab: TestLab!
    var etcd: EtcdServer!
    var hosts: [(id: String, ns: String, state: String)] = []
    let net = "pt-ov"

    override func setUpWithError() throws {
        try requireRoot()
        lab = TestLab()
        addTeardownBlock { [lab] in lab?.cleanup() }
        etcd = try EtcdServer()
        lab.onCleanup { [etcd] in etcd?.stop() }
        for h in 0..<3 {
            let ns = try lab.addNamespace("h\(h)")
            let state = FileManager.default.temporaryDirectory.appendingPathComponent("pt-state-\(lab.tag)-h\(h)-\(UUID().uuidString.prefix(6))").path
            lab.onCleanup { try? FileManager.default.removeItem(atPath: state) }
            hosts.append(("pt-host\(h)", ns, state))
        }
    }

    /// plumb as host `h`, with the store.
    func plumb(_ h: Int, _ args: [String], store: String? = nil, env: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Shell.result([CLITests.binary] + args + ["--state-dir", hosts[h].state, "--host-ns", hosts[h].ns,
                                                     "--store", store ?? etcd.storeURL, "--host-id", hosts[h].id], env: env)
    }

    /// `plumb net gc` as host `h` (it works on the store alone: no --host-ns).
    func netGc(_ h: Int, _ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Shell.result([CLITests.binary, "net", "gc"] + args + ["--state-dir", hosts[h].state, "--store", etcd.storeURL, "--host-id", hosts[h].id])
    }

    /// The shared network on host `h`; without `remote` a cluster overlay (no --remote: the agent's kind).
    func createNetwork(on h: Int, _ extra: [String] = [], remote: Bool = true) throws {
        let r = try plumb(h, ["net", "create", net, "--driver", "vxlan"] + (remote ? ["--remote", "10.213.250.\(h + 1)"] : []) + extra)
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    func leases() throws -> [AddressLease] {
        let c = try EtcdClient(location: etcd.location)
        let prefix = ClusterKeys.leasesPrefix(network: net)
        return try runBlocking { try await c.range(prefix: prefix) }.kvs.map { try ClusterJSON.decode(AddressLease.self, $0.value) }
    }

    func address(_ ns: String) throws -> String? {
        let out = try Shell.result(["ip", "-n", ns, "-j", "-4", "addr", "show", "dev", "eth0"])
        guard out.status == 0 else { return nil }
        let j = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]] ?? []
        return (j.first?["addr_info"] as? [[String: Any]])?.first?["local"] as? String
    }

    func testThreeHostsConnectingAtOnceGetDistinctAddresses() throws {
        try createNetwork(on: 0, ["--vni", "4242", "--subnet", "10.213.160.0/24"], remote: false)
        // The other hosts build the network from the cluster's record: no subnet or VNI given.
        try createNetwork(on: 1, remote: false)
        try createNetwork(on: 2, remote: false)
        let inspect = try plumb(2, ["net", "inspect", net, "--json"])
        XCTAssertTrue(inspect.stdout.contains("10.213.160.0/24") && inspect.stdout.contains("4242"), inspect.stdout)

        // 3 hosts x 20 connects, all 60 processes at once.
        var targets: [[String]] = []
        for h in 0..<3 { targets.append(try (0..<20).map { try lab.addNamespace("h\(h)t\($0)") }) }
        let start = Date()
        var spawned: [Spawned] = []
        for h in 0..<3 {
            for t in targets[h] {
                spawned.append(try Shell.spawn([CLITests.binary, "net", "connect", net, t, "--state-dir", hosts[h].state,
                                                "--host-ns", hosts[h].ns, "--store", etcd.storeURL, "--host-id", hosts[h].id],
                                               log: "\(hosts[h].state).log"))
            }
        }
        for p in spawned { p.waitUntilExit() }
        let elapsed = Date().timeIntervalSince(start)
        var inKernel: [String: String] = [:]
        for h in 0..<3 {
            for t in targets[h] {
                guard let a = try address(t) else { XCTFail("\(t) on \(hosts[h].id) has no address: \((try? String(contentsOfFile: "\(hosts[h].state).log", encoding: .utf8)) ?? "")"); continue }
                XCTAssertNil(inKernel[a], "\(a) given twice: \(inKernel[a] ?? "") and \(t)")
                inKernel[a] = hosts[h].id
            }
        }
        XCTAssertEqual(inKernel.count, 60, "60 distinct addresses (took \(elapsed) s)")
        // The cluster's leases are exactly these, each held by the host that has it, all bound.
        let all = try leases()
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: all.map { ($0.address, $0.host) }), inKernel)
        XCTAssertTrue(all.allSatisfy { $0.state == .bound && $0.namespaceCookie != nil && $0.ifname == "eth0" }, "\(all)")
        // A cluster overlay's endpoint MAC follows from its address; the lease carries it for the peers.
        let sample = try XCTUnwrap(all.first { $0.address == "10.213.160.2" })
        XCTAssertEqual(sample.mac, "02:50:0a:d5:a0:02")
        let t = targets.flatMap { $0 }.first { (try? address($0)) == "10.213.160.2" }!
        XCTAssertTrue(try Shell.run("ip", "-n", t, "-o", "link", "show", "eth0").contains("02:50:0a:d5:a0:02"))

        // Every host's endpoints, from any host (text and JSON).
        let ls = try plumb(1, ["net", "ls", "--json"])
        XCTAssertEqual(ls.status, 0, ls.stderr)
        let rows = try JSONSerialization.jsonObject(with: Data(ls.stdout.utf8)) as? [[String: Any]] ?? []
        let cluster = rows.first { $0["name"] as? String == net }?["cluster"] as? [String: Any]
        XCTAssertEqual(cluster?["endpoints"] as? Int, 60, ls.stdout)
        XCTAssertEqual(cluster?["hosts"] as? [String], hosts.map(\.id))
        let text = try plumb(0, ["net", "inspect", net])
        XCTAssertTrue(text.stdout.contains("60 endpoints on 3 hosts") && text.stdout.contains("pt-host2 "), text.stdout)

        // Disconnect gives the address back to the cluster.
        let gone = try XCTUnwrap(try address(targets[1][0]))
        XCTAssertEqual(try plumb(1, ["net", "disconnect", net, targets[1][0]]).status, 0)
        XCTAssertFalse(try leases().contains { $0.address == gone })
    }

    func testUnreachableStoreReadsLocallyAndRefusesWrites() throws {
        try createNetwork(on: 0, ["--vni", "4243", "--subnet", "10.213.161.0/24"])
        let t = try lab.addNamespace("t")
        XCTAssertEqual(try plumb(0, ["net", "connect", net, t]).status, 0)
        let dead = "etcd://127.0.0.1:\(try EtcdServer.freePort("127.0.0.1"))"
        // Reads: this host's view, and a note naming the store.
        let ls = try plumb(0, ["net", "ls"], store: dead)
        XCTAssertEqual(ls.status, 0, ls.stderr)
        XCTAssertTrue(ls.stdout.contains(net), ls.stdout)
        XCTAssertTrue(ls.stderr.contains("this host's view only") && ls.stderr.contains(dead), ls.stderr)
        XCTAssertEqual(try plumb(0, ["net", "inspect", net], store: dead).status, 0)
        // Writes on the shared network: one line naming the store and what to do; nothing changed.
        let t2 = try lab.addNamespace("t2")
        let r = try plumb(0, ["net", "connect", net, t2], store: dead)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains(String(dead.dropFirst(7))) && r.stderr.contains("start etcd"), r.stderr)
        XCTAssertNil(try address(t2), "nothing was connected")
        let d = try plumb(0, ["net", "disconnect", net, t], store: dead)
        XCTAssertEqual(d.status, 1, d.stderr)
        XCTAssertNotNil(try address(t), "nothing was disconnected")
    }

    func testConnectKilledHalfWayAndEtcdRestartedIsRepairedByGc() throws {
        try createNetwork(on: 0, ["--vni", "4244", "--subnet", "10.213.162.0/24"])
        let t = try lab.addNamespace("t")
        // plumb dies (kill -9) after the first kernel step: the lease is taken, the endpoint half-built.
        let r = try plumb(0, ["net", "connect", net, t], env: ["PLUMB_TEST_KILL_AFTER_STEP": "1"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(try leases().map(\.address), ["10.213.162.2"])
        XCTAssertEqual(try leases().first?.state, .reserved)
        // etcd restarts meanwhile (its data kept).
        etcd.kill()
        let down = try plumb(0, ["net", "connect", net, t])
        XCTAssertEqual(down.status, 1, down.stderr)
        XCTAssertTrue(down.stderr.contains("cannot reach the etcd store"), down.stderr)
        try etcd.start()
        // gc undoes the half-built endpoint and gives the lease back: the next connect gets the same address.
        let gc = try plumb(0, ["gc"])
        XCTAssertEqual(gc.status, 0, gc.stdout + gc.stderr)
        XCTAssertTrue(gc.stdout.contains("cluster lease 10.213.162.2"), gc.stdout)
        XCTAssertEqual(try leases().count, 0)
        XCTAssertEqual(try plumb(0, ["gc"]).stdout, "nothing to clean up\n")
        XCTAssertEqual(try plumb(0, ["net", "connect", net, t]).status, 0)
        XCTAssertEqual(try address(t), "10.213.162.2")
    }

    func testDeadHostsLeasesAreReclaimedAfterTheGracePeriod() throws {
        try createNetwork(on: 0, ["--vni", "4245", "--subnet", "10.213.163.0/24"])
        try createNetwork(on: 1)
        let t = try lab.addNamespace("t")
        XCTAssertEqual(try plumb(1, ["net", "connect", net, t]).status, 0)
        // Host 1 has no live host key (no agent): dead, but its lease is younger than the grace period.
        var r = try netGc(0, ["--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("\"reclaimed\":[]"), r.stdout)
        r = try netGc(0, ["--grace", "0", "--dry-run"])
        XCTAssertTrue(r.stdout.contains("would reclaim 10.213.163.2 on \(net) from dead host pt-host1"), r.stdout)
        XCTAssertEqual(try leases().count, 1)
        r = try netGc(0, ["--grace", "0"])
        XCTAssertTrue(r.stdout.contains("reclaimed 10.213.163.2"), r.stdout)
        XCTAssertEqual(try leases().count, 0)
        // Host 1's own gc notices its endpoint lost its lease and takes it back (nobody else took it).
        r = try plumb(1, ["gc"])
        XCTAssertTrue(r.stdout.contains("taken again"), r.stdout)
        XCTAssertEqual(try leases().map(\.host), ["pt-host1"])
    }
}
