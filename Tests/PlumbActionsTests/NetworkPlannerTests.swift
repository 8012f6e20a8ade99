import XCTest
@testable import PlumbActions
import PlumbModel

/// The planner on hand-built snapshots: no root, no kernel, no store.
final class NetworkPlannerTests: XCTestCase {
    let planner = NetworkPlanner(hostNamespace: .host)

    func host(links: [Link] = [], routes: [Route] = []) -> Namespace {
        Namespace(id: 1, isHost: true, links: [Link(index: 1, name: "lo", kind: .loopback)]
                  + [Link(index: 2, name: "eth0", kind: .device, addresses: [IPPrefix("10.0.2.15/24")!])] + links, routes: routes)
    }

    func sandbox(_ id: UInt64, _ name: String) -> Namespace {
        Namespace(id: id, names: [name], links: [Link(index: 1, name: "lo", kind: .loopback)], cookie: id + 1000)
    }

    func request(_ name: String, driver: String = "bridge", subnet: IPPrefix? = prefix("10.213.50.0/24")) -> NetworkService.CreateRequest {
        var r = NetworkService.CreateRequest(name: name)
        r.driver = driver
        r.subnet = subnet
        return r
    }

    func create(_ req: NetworkService.CreateRequest, host: Namespace? = nil,
                networks: [NetworkRecord] = []) throws -> (Plan, NetworkRecord) {
        try planner.create(req, driver: try XCTUnwrap(NetworkDriver(rawValue: req.driver)), host: host ?? self.host(),
                           networks: networks, cni: nil, createdAt: 5)
    }

    func message(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "no error" } catch { return "\(error)" }
    }

    func testBridgeCreate() throws {
        let (plan, record) = try create(request("web"))
        XCTAssertEqual(plan.operation, .netCreate(network: "web"))
        XCTAssertEqual(plan.steps.prefix(3).map(\.description),
                       ["ip link add pl-web type bridge", "ip addr add 10.213.50.1/24 dev pl-web", "ip link set pl-web up"])
        guard case .firewall = plan.steps.last else { return XCTFail("the bridge's rules come last: \(plan.steps)") }
        XCTAssertEqual(record.config, .bridge(BridgeConfig(bridge: "pl-web")))
        XCTAssertEqual([record.subnet.description, record.gateway.description], ["10.213.50.0/24", "10.213.50.1"])
        XCTAssertEqual(record.createdAt, 5)
    }

    func testTheDefaultSubnetAvoidsHostRoutesAndOtherNetworks() throws {
        let other = NetworkRecord(name: "a", config: .bridge(BridgeConfig()), subnet: IPPrefix("172.30.0.0/24")!, gateway: IPAddress("172.30.0.1")!, createdAt: 0)
        let routed = host(routes: [Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix("172.30.1.0/24"), dev: "eth0")])
        let (_, record) = try create(request("web", subnet: nil), host: routed, networks: [other])
        XCTAssertEqual(record.subnet.description, "172.30.2.0/24")
    }

    func testBadInputIsRefusedBeforeAnyPlan() {
        let routed = host(routes: [Route(family: .ipv4, table: 254, tableName: "main", dst: IPPrefix("10.213.50.0/24"), dev: "eth0")])
        let overlap = message { try self.create(self.request("web", subnet: prefix("10.213.50.0/25")), host: routed) }
        XCTAssertEqual(overlap, "subnet 10.213.50.0/25 overlaps 10.213.50.0/24 (route 10.213.50.0/24 on eth0 in host): choose another --subnet")
        let taken = host(links: [Link(index: 3, name: "pl-web", kind: .bridge)])
        XCTAssertEqual(message { try self.create(self.request("web"), host: taken) },
                       "interface pl-web already exists in host: choose --bridge NAME")
        var mv = request("mv", driver: "macvlan")
        mv.parent = "eth0"; mv.mode = "bogus"
        XCTAssertEqual(message { try self.create(mv) }, "invalid --mode 'bogus': use bridge, private, vepa, passthru")
        mv.parent = "eth9"; mv.mode = nil
        XCTAssertEqual(message { try self.create(mv) }, "--parent eth9 does not exist in host (see `plumb snapshot host`)")
        var vx = request("ov", driver: "vxlan")
        vx.vni = 42
        XCTAssertTrue(message { try self.create(vx) }.contains("needs --remote"))
    }

    func testVxlanCreateUsesTypedSettings() throws {
        var vx = request("ov", driver: "vxlan")
        vx.vni = 42; vx.remote = ip("10.213.2.2"); vx.local = ip("10.213.2.1"); vx.parent = "eth0"
        let (plan, record) = try create(vx)
        XCTAssertEqual(plan.steps[1].description,
                       "ip link add vx-ov mtu 1450 type vxlan id 42 remote 10.213.2.2 local 10.213.2.1 dstport 4789 dev eth0")
        XCTAssertEqual(record.options["vni"], "42")
        XCTAssertNil(record.options["dstport"], "not given: not stored, as before")
    }

    func bridgeNetwork() -> NetworkRecord {
        NetworkRecord(name: "web", config: .bridge(BridgeConfig(bridge: "pl-web")), subnet: IPPrefix("10.213.50.0/24")!,
                      gateway: IPAddress("10.213.50.1")!, createdAt: 0)
    }

    func testConnectingTwoTargetsIsOnePlanWithOneFirewallBatch() throws {
        let a = sandbox(101, "pt-a"), b = sandbox(102, "pt-b")
        let ports = [[try PortMapping.parse("8000:80")], [try PortMapping.parse("8001:80")]]
        let (plan, specs) = try planner.connect(bridgeNetwork(), targets: ["pt-a", "pt-b"], sandboxes: [a, b],
                                                ifnames: ["eth0", "eth0"], addresses: [ip("10.213.50.2"), ip("10.213.50.3")], ports: ports)
        XCTAssertEqual(plan.operation, .netConnect(network: "web", targets: ["pt-a", "pt-b"]))
        XCTAssertEqual(plan.steps.filter { if case .firewall = $0 { return true }; return false }.count, 1)
        XCTAssertEqual(plan.steps.filter { if case .createVeth = $0 { return true }; return false }.count, 2)
        XCTAssertEqual(specs.map(\.key), ["101-c1101", "102-c1102"], "inode and cookie: a reused inode never shares a key")
        XCTAssertEqual(specs.map(\.hostIfname), [LinkNames.derived(prefix: "plv", from: "web/101"), LinkNames.derived(prefix: "plv", from: "web/102")])
        XCTAssertEqual(specs[0].sandbox, NamespaceHandle(a))
        XCTAssertTrue(specs.allSatisfy(\.defaultRoute), "sandboxes without a default route get one")
    }

    func testADualStackConnectPutsBothAddressesOnTheEndpoint() throws {
        let net = NetworkRecord(name: "web", config: .bridge(BridgeConfig(bridge: "pl-web", subnet6: prefix("fd13:50::/64"), gateway6: ip("fd13:50::1"))),
                                subnet: prefix("10.213.50.0/24"), gateway: ip("10.213.50.1"), createdAt: 0)
        let (plan, specs) = try planner.connect(net, targets: ["pt-a"], sandboxes: [sandbox(101, "pt-a")], ifnames: ["eth0"],
                                                addresses: [ip("10.213.50.2")], addresses6: [ip("fd13:50::2")], ports: [[]])
        let text = plan.steps.map(\.description)
        XCTAssertTrue(text.contains("ip -n pt-a addr add 10.213.50.2/24 dev eth0"), "\(text)")
        XCTAssertTrue(text.contains("ip -n pt-a addr add fd13:50::2/64 dev eth0"), "\(text)")
        XCTAssertTrue(plan.steps.contains(.addRoute(dst: .default, gateway: ip("fd13:50::1"), link: "eth0", in: specs[0].sandbox)))
        XCTAssertEqual(specs[0].address6, ip("fd13:50::2"))
    }

    func testACNIConnectAsksForAnAddressOnlyWhenOneIsGiven() throws {
        let net = NetworkRecord(name: "c", config: .cni(CNIChainConfig(conflist: "{}", plugins: ["/bin/true"], cniPath: "/bin")),
                                subnet: prefix("10.213.61.0/24"), gateway: ip("10.213.61.1"), createdAt: 0)
        func runtimeConfig(_ address: IPAddress?) throws -> String? {
            let (plan, _) = try planner.connect(net, targets: ["pt-a"], sandboxes: [sandbox(101, "pt-a")], ifnames: ["eth0"],
                                                addresses: [address], ports: [[]])
            guard case .cni(_, _, _, let rc, _, _, _, _, _, _)? = plan.steps.first else { XCTFail("an ADD step"); return nil }
            return rc
        }
        XCTAssertNil(try runtimeConfig(nil), "the plugin's IPAM picks")
        XCTAssertEqual(try runtimeConfig(ip("10.213.61.7")), #"{"ips":["10.213.61.7\/24"]}"#)
    }

    func testRemoveSkipsHostLinksThatVanishedAndEndsByDroppingEmptiedTables() throws {
        let host = host(links: [Link(index: 3, name: "pl-web", kind: .bridge)])
        let gone = EndpointRecord(network: "web", sandbox: "101", ifname: "eth0", hostIfname: "plvgone", createdAt: 0)
        let snap = Snapshot(takenAt: 0, namespaces: [host], processes: [], discovery: DiscoveryStats())
        let plan = try planner.remove([(bridgeNetwork(), [gone])], allNetworks: [bridgeNetwork()], snapshot: snap, host: host)
        XCTAssertEqual(plan.operation, .netRemove(networks: ["web"], force: true))
        let deleted = plan.steps.compactMap { step -> String? in if case .deleteLink(let n, _) = step { return n }; return nil }
        XCTAssertEqual(deleted, ["pl-web"])
        XCTAssertEqual(plan.steps.last, .dropEmptyFirewallTables(in: .host))
    }

    func testLeavingAMacvlanNetworkFindsTheSandboxByItsId() throws {
        let net = NetworkRecord(name: "mv", config: .macvlan(MacvlanConfig(parent: "eth0")), subnet: IPPrefix("10.213.60.0/24")!,
                                gateway: IPAddress("10.213.60.1")!, createdAt: 0)
        let a = sandbox(101, "pt-a")
        let snap = Snapshot(takenAt: 0, namespaces: [host(), a], processes: [], discovery: DiscoveryStats())
        let ep = EndpointRecord(network: "mv", sandbox: "101", ifname: "eth1", createdAt: 0, cookie: 1101)
        let plan = try planner.leave(net, endpoints: [ep], snapshot: snap, host: host(), firewallTeardown: true)
        XCTAssertEqual(plan.steps, [.deleteLink(name: "eth1", in: try XCTUnwrap(NamespaceHandle(a)))])
    }
}
