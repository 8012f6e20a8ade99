import Foundation
import XCTest
@testable import PlumbActions
@testable import PlumbCLI
import PlumbCluster
import PlumbDoctor
@testable import PlumbTrace
@testable import PlumbModel

/// The JSON of the listings and results that JSONGoldenTests does not cover, byte for byte (compact, and
/// `--pretty` for the listings), and one check over every golden file: no Swift-synthesized encoding leaks
/// into the contract.
final class JSONGoldenListingTests: XCTestCase {
    func check<O: CommandOutput>(_ output: O, _ name: String, pretty: Bool = true,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        try goldenJSON(output, name, pretty: pretty, file: file, line: line)
    }

    func testSockets() throws {
        let listen = SocketRecord(proto: .tcp, family: .ipv4, state: .listen,
                                  local: SocketEndpoint(address: IPAddress("0.0.0.0")!, port: 80), receiveQueue: 0, sendQueue: 128,
                                  inode: 4711, uid: 0, owners: [SocketOwner(pid: 42, fd: 3, comm: "httpd")])
        let est = SocketRecord(proto: .tcp, family: .ipv4, state: .established,
                               local: SocketEndpoint(address: IPAddress("10.213.0.2")!, port: 80),
                               remote: SocketEndpoint(address: IPAddress("10.213.0.1")!, port: 41000), receiveQueue: 0, sendQueue: 0,
                               inode: 4712, uid: 0, tcp: TCPInfo(rttMicros: 120, congestionWindow: 10, mss: 1448, congestionAlgorithm: "cubic"),
                               owners: [SocketOwner(pid: 42, fd: 4, comm: "httpd")])
        let unix = SocketRecord(proto: .unixStream, family: nil, state: .listen, receiveQueue: 0, sendQueue: 0, inode: 4713,
                                path: "/run/pt.sock", owners: [])
        try check(SocketListing(rows: [SocketNamespaceRow(namespace: 4026532000, name: "pt-web", containers: ["web"],
                                                          sockets: [listen, est, unix], notes: ["raw sockets not read"])]), "ss")
    }

    func testPorts() throws {
        let port = PublishedPort(namespace: 4026531840, proto: "tcp", hostPort: 8080, targetAddress: IPAddress("10.213.0.2")!, targetPort: 80,
                                 targetNamespace: 4026532000, targetName: "web", owner: "plumb", chain: "PLUMB-DNAT",
                                 rule: "-p tcp --dport 8080 -j DNAT --to-destination 10.213.0.2:80", reachesTarget: true,
                                 listener: .wildcard, listenerAddresses: ["0.0.0.0:80"])
        try check(PortListing(ports: [port], names: [4026531840: "host"]), "ports")
    }

    func testConntrack() throws {
        try check(ConntrackListing(namespace: 4026531840, name: "host",
                                   usage: ConntrackUsage(count: 2, max: 262144, accounting: true),
                                   entries: ConntrackOutputTests.entries()), "conntrack")
        let plan = ConntrackService.plan(deleting: ConntrackOutputTests.entries(), in: .named("pt-a"), target: "pt-a",
                                         filter: ConntrackFilter(src: IPPrefix("10.213.0.0/16")))
        let result = ConntrackDeleteResult(namespace: 4026532000, name: "pt-a", filter: "--src 10.213.0.0/16", deleted: 2, dryRun: false)
        try check(ChangeReport(plans: [plan], dryRun: false, result: AnyEncodable(result), summary: result.summary),
                  "conntrack-delete", pretty: false)
    }

    /// `conntrack watch --json`: one object per event (NDJSON), the event's kind as text beside its entry.
    func testConntrackWatch() throws {
        let entries = ConntrackOutputTests.entries()
        var lines: [UInt8] = []
        for (kind, entry) in [(ConntrackEvent.Kind.new, entries[0]), (.destroy, entries[1])] {
            lines += try StreamingJSONEncoder().encode(ConntrackEvent(kind: kind, entry: entry)) + [0x0A]
        }
        GoldenFile.assertMatches(lines, "conntrack-watch.ndjson")
    }

    /// `net inspect --json` is one line like every other output; `--pretty` indents it.
    func testNetInspect() throws {
        try check(NetworkInspection(report: OutputFixtures.inspection()), "net-inspect")
    }

    /// `doctor --fix-all --json`: one document with each finding's outcome and plan.
    func testDoctorFixAll() throws {
        let f = OutputFixtures.doctorReport().findings[0]
        try check(DoctorFixAllOutput(dryRun: false, fixes: [
            .init(finding: f.id, result: .fixed, plan: f.fix!),
            .init(finding: "leftover-chain:1:PT-X", result: .skipped, reason: "not confirmed", plan: f.fix!),
        ]), "doctor-fix-all", pretty: false)
        try check(DoctorFixAllOutput(dryRun: true, fixes: []), "doctor-fix-all-nothing", pretty: false)
        XCTAssertEqual(DoctorFixAllOutput(dryRun: true, fixes: []).text(), "nothing to fix\n")
    }

    /// `drops --json`: one object per drop (NDJSON, as the stream prints it) and, with `--for`, the summary.
    func testDrops() throws {
        let tcp = DropFlow(protocolNumber: 6, src: IPAddress("10.213.0.2")!, dst: IPAddress("10.213.0.3")!, srcPort: 41000, dstPort: 80)
        let ping = DropFlow(protocolNumber: 1, src: IPAddress("10.213.0.2")!, dst: IPAddress("10.213.0.9")!,
                            icmp: DropFlow.ICMP(type: 8, code: 0, id: 7))
        let drop = PacketDrop(monotonicNanos: 5, time: 1_764_378_123.0045, reason: DropReason(code: 2, name: "NOT_SPECIFIED"),
                              location: KernelLocation(address: 0xffff_ffff_8100_1234, symbol: "nf_hook_slow", offset: 0x1b, module: nil),
                              netnsCookie: 4097, netnsInode: 4026532000, namespaceName: "pt-web", ifindex: 2, interface: "eth0",
                              etherType: 0x0800, flow: tcp, length: 60)
        let host = PacketDrop(monotonicNanos: 6, time: 1_764_378_124, reason: DropReason(code: 3, name: "NO_SOCKET"),
                              location: KernelLocation(address: 0xffff_ffff_8200_0000), etherType: 0x0806)
        var lines: [UInt8] = []
        for d in [drop, host] { lines += try StreamingJSONEncoder().encode(DropEventJSON(drop: d)) + [0x0A] }
        GoldenFile.assertMatches(lines, "drops.ndjson")

        let summary = DropSummary(seconds: 10.0004, total: 12, lost: 1, groups: [
            .init(namespace: "pt-web", netnsInode: 4026532000, reason: "NOT_SPECIFIED", location: "nf_hook_slow+0x1b",
                  interfaces: ["eth0"], count: 9, rate: 0.9, topFlows: [.init(flow: tcp, count: 8), .init(flow: ping, count: 1)]),
            .init(namespace: "host-wide", netnsInode: nil, reason: "NO_SOCKET", location: "0xffffffff82000000",
                  interfaces: [], count: 3, rate: 0.3, topFlows: []),
        ], flowsNotKept: 2)
        try check(DropsSummaryOutput(mode: "bpf", fallbackReason: nil, target: "pt-web", summary: summary), "drops-summary")
    }

    /// `net gc --json` (the cluster store's leases of dead hosts): the leases as the store keeps them, state as text.
    func testNetGc() throws {
        let leases = [
            AddressLease(network: "ptovl", address: "10.213.160.3", host: "node-b", namespaceCookie: 4097, namespaceInode: 4026532000,
                         namespaceName: "pt-web", ifname: "eth0", mac: "02:42:0a:d5:a0:03", state: .bound, since: 1_764_378_000),
            AddressLease(network: "ptovl", address: "10.213.160.4", host: "node-b", state: .reserved, since: 1_764_378_100.5),
        ]
        try check(NetGcOutput(store: "etcd://10.213.250.1:2379", dryRun: true, liveHosts: ["node-a"], reclaimed: leases), "net-gc")
        XCTAssertEqual(NetGcOutput(store: "etcd://10.213.250.1:2379", dryRun: true, liveHosts: ["node-a"], reclaimed: leases).text(),
                       "would reclaim 10.213.160.3 on ptovl from dead host node-b (pt-web)\n"
                       + "would reclaim 10.213.160.4 on ptovl from dead host node-b\n")
    }

    /// `net inspect --json` of a network only the cluster store has here: a local inspect's keys, the store's record.
    func testStoreOnlyInspection() throws {
        let net = ClusterNetwork(name: "ptovl", driver: "vxlan", subnet: "10.213.160.0/24", gateway: "10.213.160.1", mtu: 1450,
                                 vni: 4242, port: 4789, createdBy: "node-a", createdAt: 1_764_378_000)
        let lease = AddressLease(network: "ptovl", address: "10.213.160.2", host: "node-a", namespaceName: "pt-web", ifname: "eth0",
                                 mac: "02:42:0a:d5:a0:02", state: .bound, since: 1_764_378_010)
        let cluster = NetworkService.ClusterEndpoints(store: "etcd://10.213.250.1:2379", endpoints: [lease], hosts: [
            ClusterNetworkHost(host: "node-a", live: true, vtep: "10.213.250.11", vtepMAC: "02:00:00:00:00:0a", endpoints: 1),
            ClusterNetworkHost(host: "node-b", live: false, endpoints: 0),
        ])
        try check(StoreOnlyInspection(network: net, cluster: cluster), "net-inspect-store-only", pretty: false)
    }

    /// `snapshot --cluster --json`: the agents' host summaries merged as `{"hosts": [...]}`, made here from a
    /// summary as an agent publishes it (decoded, so the golden shows exactly what is encoded back); its text
    /// gives the counts with their nouns.
    func testClusterSnapshot() throws {
        let published = #"{"hosts":[{"host":"node-a","underlay":"10.213.250.11","time":1764378000,"overlays":[{"network":"ptovl","vni":4242,"subnet":"10.213.160.0/24","device":"pt-vx","bridge":"pt-br","vtepMAC":"02:00:00:00:00:0a","forwarding":["02:00:00:00:00:0b dst 10.213.250.12"],"neighbors":[],"endpoints":[{"address":"10.213.160.2","mac":"02:42:0a:d5:a0:02","ifname":"eth0","sandbox":"net:[4026532000]","hostIfname":"plv1"}],"endpointsOmitted":0}],"nftTables":[],"bridgeNfCallIptables":true,"underlayDevice":"eth1"}]}"#
        let merged = try JSONDecoder().decode(ClusterSnapshot.Merged.self, from: Data(published.utf8))
        try check(merged, "snapshot-cluster", pretty: false)
        XCTAssertEqual(merged.text(), "host node-a (underlay 10.213.250.11)\n"
                       + "  ptovl: vni 4242 10.213.160.0/24, pt-vx on pt-br, 1 endpoint, 1 forwarding entry\n"
                       + "    10.213.160.2  02:42:0a:d5:a0:02  net:[4026532000]\n")
    }

    /// `agent --once --json`: the plans array written as every other command writes plans (it used Foundation's
    /// encoder with sorted keys), the same bytes as the `plans` of a dry run's report.
    func testAgentPlans() throws {
        let plans = OutputFixtures.plans()
        try check(AgentPlansOutput(plans: plans), "agent-plans", pretty: false)
        let own = try AgentPlansOutput(plans: plans).bytes(as: .json(pretty: false)).dropLast()
        let report = String(decoding: try ChangeReport(plans: plans, dryRun: true, summary: "").bytes(as: .json(pretty: false)), as: UTF8.self)
        XCTAssertTrue(report.contains(String(decoding: own, as: UTF8.self)), report)
        XCTAssertEqual(AgentPlansOutput(plans: [Plan(operation: .nsAdd(name: "pt-x"), steps: [])]).text(),
                       "\(Plan(operation: .nsAdd(name: "pt-x"), steps: []).label): nothing to change\n")
        XCTAssertTrue(AgentPlansOutput(plans: [plans[0]]).text().contains(": 2 steps\n  "), AgentPlansOutput(plans: [plans[0]]).text())
    }

    /// `trace --live --json`: the static trace's document with `live` added (the kernel's own trace beside it).
    func testLiveTrace() throws {
        let accept = LivePass(kind: .rule, family: "ip", table: "filter", chain: "FORWARD", hook: "forward", index: 1, handle: 12,
                              rule: "-A FORWARD -o pt-br0 -j ACCEPT", iptables: true, owner: "plumb", verdict: "accept")
        let drop = LivePass(kind: .policy, family: "ip", table: "filter", chain: "INPUT", hook: "input", index: nil, handle: nil,
                            rule: nil, iptables: true, owner: "builtin", verdict: "drop")
        let live = LiveTraceResult(
            probe: LiveProbe(proto: "tcp", source: IPAddress("10.213.0.2"), destination: IPAddress("10.213.1.2")!, destinationPort: 80, tag: 0x5a17),
            hops: [LiveHop(number: 1, namespace: 100, namespaceName: "pt-a", seen: true, observable: true, inInterface: nil,
                           outInterface: "eth0", passes: [], droppedBy: nil),
                   LiveHop(number: 2, namespace: 1, namespaceName: "host", seen: true, observable: true, inInterface: "plva",
                           outInterface: nil, passes: [accept, drop], droppedBy: drop)],
            verdict: .dropped, reason: "dropped by the policy of filter/INPUT in host", dropHop: 2,
            drop: LiveDrop(reason: "NETFILTER_DROP", location: "nf_hook_slow+0x1b", namespaceName: "host", interface: "plva"),
            comparison: [HopComparison(hop: 2, namespaceName: "host", agrees: false, text: "the static trace delivered it")],
            agrees: false, elapsedMillis: 212, notes: ["nft monitor trace: 2 events"])
        try check(LiveTraceOutput(result: try OutputFixtures.trace(), live: live), "trace-live", pretty: false)
    }

    /// Every golden file, every command's JSON: no `{"case":{"_0":…}}` (Swift's synthesized enum encoding),
    /// and no Foundation-style dates (seconds since 2001) or data blobs.
    func testNoSynthesizedEncodingInAnyOutput() throws {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Golden", withExtension: nil))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertGreaterThan(files.count, 25)
        for name in files {
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            for marker in [#""_0""#, #""_1""#, #""_2""#] {
                XCTAssertFalse(text.contains(marker), "\(name) holds a synthesized enum encoding (\(marker))")
            }
        }
    }
}
