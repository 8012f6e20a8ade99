import XCTest
@testable import PlumbActions
import PlumbModel

/// Which namespace of a snapshot an endpoint is in, and what a leave plans when it is gone: matched by cookie,
/// never by an inode a newcomer took.
final class EndpointIdentityTests: XCTestCase {
    let macvlan = NetworkRecord(name: "mv", config: .macvlan(MacvlanConfig(parent: "eth0")), subnet: IPPrefix("10.213.60.0/24")!,
                                gateway: IPAddress("10.213.60.1")!, createdAt: 0)
    let host = Namespace(id: 1, isHost: true, links: [Link(index: 2, name: "eth0", kind: .device)])

    func namespace(inode: UInt64, cookie: UInt64?, links: [String] = ["lo", "eth1"]) -> Namespace {
        Namespace(id: inode, names: ["pt-x"], links: links.enumerated().map { Link(index: $0.offset + 1, name: $0.element, kind: .veth) },
                  cookie: cookie)
    }

    func snapshot(_ ns: [Namespace]) -> Snapshot {
        Snapshot(takenAt: 0, namespaces: [host] + ns, processes: [], discovery: DiscoveryStats())
    }

    let ep = EndpointRecord(network: "mv", sandbox: "101", ifname: "eth1", createdAt: 0, cookie: 7)

    func testTheSameCookieIsTheEndpointsNamespace() throws {
        let ns = namespace(inode: 101, cookie: 7)
        XCTAssertTrue(ep.isIn(ns))
        let handle = try XCTUnwrap(ep.sandboxHandle(in: snapshot([ns])))
        XCTAssertEqual(handle.cookie, 7)
        XCTAssertEqual(handle.location, .named("pt-x"))
    }

    func testANewcomerWithTheInodeIsNotTheEndpointsNamespace() throws {
        let newcomer = namespace(inode: 101, cookie: 8)
        XCTAssertFalse(ep.isIn(newcomer), "a reused inode is not the same namespace")
        XCTAssertNil(ep.sandboxHandle(in: snapshot([newcomer])), "gone")
        let plan = try NetworkPlanner().leave(macvlan, endpoints: [ep], snapshot: snapshot([newcomer]), host: host,
                                              firewallTeardown: true)
        XCTAssertEqual(plan.steps, [], "nothing is deleted in the newcomer")
    }

    func testAnUnreadNamespaceIsCheckedByTheExecutorWithTheStoredCookie() throws {
        let unread = namespace(inode: 101, cookie: nil, links: [])
        XCTAssertEqual(ep.sandboxHandle(in: snapshot([unread]))?.cookie, 7)
        XCTAssertNil(ep.sandboxHandle(in: snapshot([])), "nothing has the inode: gone")
    }

    func testARowWithoutACookieNeedsEvidence() {
        let legacy = EndpointRecord(network: "mv", sandbox: "101", ifname: "eth1", createdAt: 0)
        XCTAssertTrue(legacy.isIn(namespace(inode: 101, cookie: 8)), "its interface is there")
        XCTAssertFalse(legacy.isIn(namespace(inode: 101, cookie: 8, links: ["lo", "eth0"])), "a newcomer without it")
        // With a host end, the veth's peer must lead into the namespace.
        var bridged = legacy
        bridged.hostIfname = "plvx"
        var hostWithVeth = host
        hostWithVeth.links.append(Link(index: 9, name: "plvx", kind: .veth, peer: RemoteLinkRef(namespace: 555, index: 2)))
        XCTAssertFalse(bridged.isIn(namespace(inode: 101, cookie: 8), host: hostWithVeth), "its veth leads elsewhere")
        hostWithVeth.links[hostWithVeth.links.count - 1].peer = RemoteLinkRef(namespace: 101, index: 2)
        XCTAssertTrue(bridged.isIn(namespace(inode: 101, cookie: 8), host: hostWithVeth))
    }

    func testACNIDeleteForAGoneSandboxGetsNoNetns() throws {
        let spec = NetworkSpec(name: "c", config: .cni(CNIChainConfig(conflist: "{}", plugins: ["/bin/true"], cniPath: "/bin")),
                               subnet: prefix("10.213.61.0/24"), gateway: ip("10.213.61.1"))
        let gone = EndpointSpec(sandbox: .path("/dev/null"), ifname: "eth0", hostIfname: nil, address: ip("10.213.61.2"),
                                defaultRoute: false, key: "101-c7", sandboxGone: true)
        guard case .cni(_, _, _, _, _, let id, let netns, _, _, _)? = try CNIDriver().leave(spec, gone).steps.first else {
            return XCTFail("a DEL step")
        }
        XCTAssertEqual(netns, "", "the old path may lead to a newcomer")
        XCTAssertEqual(id, "plumb-c-101-c7")
    }
}
