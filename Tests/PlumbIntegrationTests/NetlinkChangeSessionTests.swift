import Foundation
import XCTest
import PlumbKernel
import PlumbModel
import PlumbSystem

/// The typed change session against a real namespace: each change is visible to `ip`, and a refusal carries
/// libnl's code and the kernel's own explanation.
final class NetlinkChangeSessionTests: RootTestCase {
    private func session(in ns: String) throws -> NetlinkChangeSession {
        let file = try FileDescriptor.open("/run/netns/\(ns)", O_RDONLY)
        return try NamespaceWorkers.run(inNamespaceFd: file.rawValue) { try NetlinkChangeSession() }
    }

    func testChangesLandInTheSessionsNamespace() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let ns = try lab.addNamespace("nls")
        let s = try session(in: ns)
        let br = lab.linkName("br"), a = lab.linkName("a"), b = lab.linkName("b")
        try s.addBridge(br, mtu: 1400)
        try s.addVethPair(a, peer: b, mtu: 1400)
        try s.setMaster(a, master: br)
        try s.setUp(br); try s.setUp(a); try s.setUp(b)
        try s.address(IPPrefix("10.213.77.1/24")!, on: br, add: true)
        try s.address(IPPrefix("10.213.78.2/24")!, on: b, add: true)
        try s.route(to: IPPrefix("10.213.79.0/24")!, gateway: IPAddress("10.213.78.1")!, link: b, add: true)
        try s.setHairpin(a, true)
        // Addresses cross into C as family + bytes + prefix length: IPv6, a default route, VXLAN endpoints.
        try Shell.run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.\(b).disable_ipv6=0")
        try s.address(IPPrefix("fd13:77::2/64")!, on: b, add: true)
        try s.route(to: nil, gateway: IPAddress("10.213.78.1")!, link: b, add: true)
        let vx = lab.linkName("vx")
        try s.addVxlan(vx, vni: 77, local: IPAddress("10.213.78.2")!, remote: IPAddress("10.213.78.9")!, port: 4789,
                       parent: b, mtu: nil)
        XCTAssertTrue(try Shell.run("ip", "-n", ns, "-6", "-o", "addr", "show").contains("fd13:77::2/64"))
        XCTAssertTrue(try Shell.run("ip", "-n", ns, "route", "show").contains("default via 10.213.78.1 dev \(b)"))
        let vxlan = try Shell.run("ip", "-n", ns, "-d", "link", "show", vx)
        XCTAssertTrue(vxlan.contains("vxlan id 77 remote 10.213.78.9 local 10.213.78.2"), vxlan)
        try s.route(to: nil, gateway: IPAddress("10.213.78.1")!, link: b, add: false)
        XCTAssertFalse(try Shell.run("ip", "-n", ns, "route", "show").contains("default"))

        let links = try Shell.run("ip", "-n", ns, "-o", "link", "show")
        XCTAssertTrue(links.contains("\(a)@\(b)") && links.contains("master \(br)"), links)
        XCTAssertTrue(links.contains("mtu 1400"), links)
        let addrs = try Shell.run("ip", "-n", ns, "-o", "addr", "show")
        XCTAssertTrue(addrs.contains("10.213.77.1/24") && addrs.contains("10.213.78.2/24"), addrs)
        XCTAssertTrue(try Shell.run("ip", "-n", ns, "route", "show").contains("10.213.79.0/24 via 10.213.78.1 dev \(b)"))
        XCTAssertTrue(try Shell.run("ip", "-n", ns, "-d", "link", "show", a).contains("hairpin on"))

        try s.setNoMaster(a)
        try s.rename(b, to: lab.linkName("c"))
        try s.setMTU(br, 1300)
        let after = try Shell.run("ip", "-n", ns, "-o", "link", "show")
        XCTAssertFalse(after.contains("master \(br)"), after)
        XCTAssertTrue(after.contains(lab.linkName("c")) && after.contains("mtu 1300"), after)
        try s.deleteLink(a)
        XCTAssertFalse(try Shell.run("ip", "-n", ns, "-o", "link", "show").contains("\(a)@"))
    }

    func testRefusalsCarryTheKernelsExplanation() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let ns = try lab.addNamespace("nle")
        let s = try session(in: ns)
        let a = lab.linkName("a"), b = lab.linkName("b")
        try s.addVethPair(a, peer: b, mtu: nil)
        try s.setUp(a)
        try s.address(IPPrefix("10.213.80.1/24")!, on: a, add: true)
        // A gateway outside every connected subnet: the kernel refuses and says why (extended ACK).
        do {
            try s.route(to: IPPrefix("10.213.81.0/24")!, gateway: IPAddress("10.213.99.1")!, link: a, add: true)
            XCTFail("the kernel accepted an unreachable gateway")
        } catch {
            XCTAssertEqual(error.kernelMessage, "Nexthop has invalid gateway")
            XCTAssertTrue(error.description.hasSuffix(": Nexthop has invalid gateway"), error.description)
            XCTAssertFalse(error.isMissing)
        }
        // The explanation belongs to that refusal only: the next one does not repeat it.
        do {
            try s.addBridge(a, mtu: nil)
            XCTFail("a second link named \(a) was created")
        } catch {
            XCTAssertEqual(error.code, NLE_EXIST_CODE)
            XCTAssertNotEqual(error.kernelMessage, "Nexthop has invalid gateway")
        }
        do {
            try s.deleteLink(lab.linkName("zz"))
            XCTFail("deleted a link that does not exist")
        } catch {
            XCTAssertTrue(error.isMissingLink, "\(error) (code \(error.code))")
        }
    }
}

/// libnl's NLE_EXIST (object exists).
private let NLE_EXIST_CODE: Int32 = 6
