import Foundation
import XCTest

/// IPv6-only and dual-stack bridge networks, built inside a test namespace standing in for the host (its
/// sysctls, never the real host's): addresses and leases from fd13::/16, ip6tables chains and rules with the
/// same per-rule ownership as IPv4, IPv6 forwarding in the network's host namespace, NAT66 only when asked.
/// The kernel is read back with `ip -j -6 addr` and `ip6tables-save`.
final class IPv6BridgeTests: StateDirTestCase {
    /// A test namespace with IPv6 on (TestLab turns it off, to keep router solicitations out of other tests).
    override func namespace(_ suffix: String) throws -> String {
        let ns = try lab.addNamespace(suffix)
        for key in ["all", "default", "lo"] {
            try Shell.run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.\(key).disable_ipv6=0")
        }
        return ns
    }

    /// `ip -j -6 addr` of one interface: its global addresses as "ADDR/LEN".
    func addresses6(_ ns: String, _ dev: String) throws -> [String] {
        let out = try Shell.run("ip", "-n", ns, "-j", "-6", "addr", "show", "dev", dev)
        let links = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]])
        return links.flatMap { ($0["addr_info"] as? [[String: Any]]) ?? [] }
            .filter { ($0["scope"] as? String) == "global" }
            .compactMap { a in (a["local"] as? String).map { "\($0)/\(a["prefixlen"] as? Int ?? 0)" } }
    }

    func save(_ tool: String) throws -> [String] {
        try Shell.run("ip", "netns", "exec", home, tool).split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
    }

    func testAnIPv6OnlyBridgeNetworkEndToEnd() throws {
        let v4Before = try save("iptables-save"), v6Before = try save("ip6tables-save")
        let br = lab.linkName("6b")
        var r = try plumb("net", "create", "ptv6", "--subnet", "fd13:60::/64", "--bridge", br)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try addresses6(home, br), ["fd13:60::1/64"])
        XCTAssertEqual(try Shell.run("ip", "netns", "exec", home, "cat", "/proc/sys/net/ipv6/conf/all/forwarding")
            .trimmingCharacters(in: .whitespacesAndNewlines), "1", "IPv6 forwarding in the network's host namespace")
        var v6 = try save("ip6tables-save")
        XCTAssertTrue(v6.contains("-A PLUMB-FORWARD -i \(br) -o \(br) -m comment --comment \"plumb:ptv6\" -j ACCEPT"), "\(v6)")
        XCTAssertTrue(v6.contains(":PLUMB-ISOLATION-1 - [0:0]"), "\(v6)")
        XCTAssertFalse(v6.contains { $0.contains("MASQUERADE") }, "no NAT66 unless asked: \(v6)")
        XCTAssertEqual(try save("iptables-save"), v4Before, "an IPv6-only network writes no IPv4 rule")

        let a = try namespace("a"), b = try namespace("b")
        r = try plumb("net", "connect", "ptv6", a, "-p", "18160:80", "--json")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("\"address\":\"fd13:60::2\""), r.stdout)
        XCTAssertEqual(try plumb("net", "connect", "ptv6", b).status, 0)
        XCTAssertEqual(try addresses6(a, "eth0"), ["fd13:60::2/64"])
        XCTAssertEqual(try addresses6(b, "eth0"), ["fd13:60::3/64"])
        XCTAssertTrue(try Shell.run("ip", "-n", a, "-6", "route", "show", "default").contains("via fd13:60::1"))
        v6 = try save("ip6tables-save")
        XCTAssertTrue(v6.contains { $0.contains("-j DNAT --to-destination [fd13:60::2]:80") && $0.contains("--dport 18160") }, "\(v6)")
        // Both ends over the bridge (DAD may hold the addresses back for a moment: ping waits up to 5 s).
        XCTAssertEqual(try Shell.result(["ip", "netns", "exec", a, "ping", "-6", "-c", "1", "-w", "5", "fd13:60::3"]).status, 0)
        r = try plumb("net", "inspect", "ptv6", "--json")
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(doc["drift"] as? [String], [], "in sync: \(r.stdout)")

        // The lease of a disconnected endpoint comes back; removing the network restores ip6tables exactly.
        XCTAssertEqual(try plumb("net", "disconnect", "ptv6", a).status, 0)
        XCTAssertFalse(try save("ip6tables-save").contains { $0.contains("--to-destination") }, "its published port went")
        XCTAssertEqual(try plumb("net", "rm", "ptv6", "--force").status, 0)
        XCTAssertEqual(try save("ip6tables-save"), v6Before)
        XCTAssertEqual(try save("iptables-save"), v4Before)
    }

    func testADualStackNetworkWithNat66() throws {
        let v4Before = try save("iptables-save"), v6Before = try save("ip6tables-save")
        let br = lab.linkName("ds")
        var r = try plumb("net", "create", "ptds", "--subnet", "10.213.161.0/24", "--subnet", "fd13:61::/64", "--nat66", "--bridge", br, "--json")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("\"subnet6\":\"fd13:61::/64\"") && r.stdout.contains("\"nat66\":\"true\""), r.stdout)
        XCTAssertEqual(try addresses6(home, br), ["fd13:61::1/64"])
        XCTAssertTrue(try save("ip6tables-save").contains("-A PLUMB-POSTROUTING -s fd13:61::/64 ! -o \(br) -m comment --comment \"plumb:ptds\" -j MASQUERADE"))
        XCTAssertTrue(try save("iptables-save").contains("-A PLUMB-POSTROUTING -s 10.213.161.0/24 ! -o \(br) -m comment --comment \"plumb:ptds\" -j MASQUERADE"))

        let a = try namespace("a")
        r = try plumb("net", "connect", "ptds", a, "--json")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("\"address\":\"10.213.161.2\"") && r.stdout.contains("\"address6\":\"fd13:61::2\""), r.stdout)
        XCTAssertEqual(try addresses6(a, "eth0"), ["fd13:61::2/64"])
        XCTAssertTrue(try Shell.run("ip", "-n", a, "-4", "addr").contains("10.213.161.2/24"))
        XCTAssertTrue(try Shell.run("ip", "-n", a, "-6", "route", "show", "default").contains("via fd13:61::1"))
        XCTAssertEqual(try Shell.result(["ip", "netns", "exec", a, "ping", "-6", "-c", "1", "-w", "5", "fd13:61::1"]).status, 0)
        // Both leases go with the endpoint: connecting again gets the same two addresses.
        XCTAssertEqual(try plumb("net", "disconnect", "ptds", a).status, 0)
        r = try plumb("net", "connect", "ptds", a, "--json")
        XCTAssertTrue(r.stdout.contains("\"address\":\"10.213.161.2\"") && r.stdout.contains("\"address6\":\"fd13:61::2\""), r.stdout)

        XCTAssertEqual(try plumb("net", "rm", "ptds", "--force").status, 0)
        XCTAssertEqual(try save("ip6tables-save"), v6Before)
        XCTAssertEqual(try save("iptables-save"), v4Before)
    }
}
