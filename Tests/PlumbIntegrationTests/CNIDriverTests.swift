import Foundation
import XCTest

/// `--driver cni`: Debian's CNI plugins (bridge, host-local, portmap, firewall) driven by Plumb per the CNI
/// spec, inside a pt-cni namespace standing in for the host (--host-ns: the plugins run there, so their bridge,
/// veth host ends and iptables rules never touch the real host), host-local's state in a temporary dataDir.
final class CNIDriverTests: RootTestCase {
    var lab: TestLab!
    var host = "", a = "", b = ""
    var stateDir = "", dataDir = "", confDir = ""

    override func setUpWithError() throws {
        try requireRoot()
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: "/usr/lib/cni/bridge"), "containernetworking-plugins missing")
        lab = TestLab(prefix: "cni")
        addTeardownBlock { [lab] in lab?.cleanup() }
        host = try lab.addNamespace("h")
        a = try lab.addNamespace("a")
        b = try lab.addNamespace("b")
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("pt-cni-\(lab.tag)-\(UUID().uuidString.prefix(6))").path
        stateDir = "\(tmp)/state"; dataDir = "\(tmp)/ipam"; confDir = "\(tmp)/conf"
        try FileManager.default.createDirectory(atPath: confDir, withIntermediateDirectories: true)
        lab.onCleanup { try? FileManager.default.removeItem(atPath: tmp) }
    }

    func plumb(_ args: String..., env: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Shell.result([CLITests.binary] + args + ["--state-dir", stateDir, "--host-ns", host], env: env)
    }

    /// Writes a conflist whose first plugin is `bridge` + host-local on `subnet`, followed by `extra` plugins.
    func conflist(_ name: String, bridge: String, subnet: String, extra: [String], version: String = "1.0.0") throws -> String {
        let br = """
            {"type":"bridge","bridge":"\(bridge)","isGateway":true,"ipMasq":true,
             "ipam":{"type":"host-local","subnet":"\(subnet)","dataDir":"\(dataDir)","routes":[{"dst":"0.0.0.0/0"}]}}
            """
        let text = """
            {"cniVersion":"\(version)","name":"\(name)","plugins":[\(([br] + extra).joined(separator: ","))]}
            """
        let path = "\(confDir)/\(name).conflist"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Links, addresses and routes of a namespace, from `ip -j` (addresses and routes as text, per device name).
    func netState(_ ns: String?) throws -> String {
        let pre = ns.map { ["-n", $0] } ?? []
        let links = try (Shell.json(["ip"] + pre + ["-j", "link", "show"]) as? [[String: Any]] ?? [])
            .map { "\($0["ifname"] ?? "?") \($0["link_type"] ?? "") \($0["master"] ?? "-")" }.sorted()
        let addrs = try (Shell.json(["ip"] + pre + ["-j", "addr", "show"]) as? [[String: Any]] ?? []).flatMap { l in
            (l["addr_info"] as? [[String: Any]] ?? []).map { "\(l["ifname"] ?? "?") \($0["local"] ?? "?")/\($0["prefixlen"] ?? "?")" }
        }.sorted()
        let routes = try (Shell.json(["ip"] + pre + ["-j", "route", "show", "table", "all"]) as? [[String: Any]] ?? [])
            .map { "\($0["dst"] ?? "?") \($0["gateway"] ?? "-") \($0["dev"] ?? "-") \($0["table"] ?? "main")" }.sorted()
        return (links + addrs + routes).joined(separator: "\n")
    }

    /// iptables-save (filter and nat) without counters and comments.
    func rules(_ ns: String?) throws -> String {
        let cmd = (ns.map { ["ip", "netns", "exec", $0] } ?? []) + ["iptables-save"]
        return try Shell.run(cmd).split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { $0.replacingOccurrences(of: #"\[\d+:\d+\]"#, with: "", options: .regularExpression) }.joined(separator: "\n")
    }

    /// The CNI plugins' shared skeleton (portmap's CNI-HOSTPORT-* and firewall's CNI-FORWARD/CNI-ADMIN chains and
    /// the jumps to them), which the plugins create on first use and never remove; Plumb leaves CNI's own
    /// chains alone. Everything else must be back to what it was.
    func withoutCNISkeleton(_ text: String) -> String {
        let shared = ["CNI-HOSTPORT-", "CNI-FORWARD", "CNI-ADMIN"]
        let lines = text.split(separator: "\n").filter { l in !shared.contains { l.contains($0) } }
        // Tables the skeleton alone brought in (only built-in chains with ACCEPT policies left) are dropped too.
        var out: [Substring] = [], block: [Substring] = []
        for l in lines {
            block.append(l)
            guard l == "COMMIT" else { continue }
            let meaningful = block.contains { $0.hasPrefix("-") || ($0.hasPrefix(":") && !$0.contains(" ACCEPT")) }
            if meaningful { out += block }
            block = []
        }
        return (out + block).joined(separator: "\n")
    }

    /// The real host, as far as this test could have touched it: anything named ptcni… or on 10.213.130.0/20
    /// (other helpers change the rest of the host at the same time).
    func realHost() throws -> String {
        let mine = [lab.linkName(""), "10.213.13", "10.213.14", "CNI-", "pt-cni-\(lab.tag)"]
        return (try netState(nil) + "\n" + rules(nil)).split(separator: "\n")
            .filter { l in mine.contains { l.contains($0) } }.joined(separator: "\n")
    }

    func everything() throws -> [String] {
        [try realHost(), try netState(host), try netState(a), try netState(b)]
    }

    func ipv4(_ ns: String, _ dev: String = "eth0") throws -> String? {
        let out = try Shell.result(["ip", "-n", ns, "-j", "-4", "addr", "show", "dev", dev])
        if out.status != 0 && out.stderr.contains("does not exist") { return nil }
        let j = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]] ?? []
        return (j.first?["addr_info"] as? [[String: Any]])?.first.map { "\($0["local"]!)/\($0["prefixlen"]!)" }
    }

    func testBridgeHostLocalPortmapChainConnectsTwoNamespacesAndLeavesNothing() throws {
        let before = try everything()
        let hostRulesBefore = try rules(host)
        let br = lab.linkName("br")
        let conf = try conflist("pt-cni-\(lab.tag)-web", bridge: br, subnet: "10.213.130.0/24",
                                extra: [#"{"type":"portmap","capabilities":{"portMappings":true},"snat":true}"#])
        var r = try plumb("net", "create", "ptweb", "--driver", "cni", "--cni-config", conf)
        XCTAssertEqual(r.status, 0, r.stderr)
        // Both targets in one operation; each gets one published port.
        r = try plumb("net", "connect", "ptweb", a, b, "-p", "18080-18081:80", "--json")
        XCTAssertEqual(r.status, 0, r.stderr)
        let eps = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(eps.count, 2)
        let addrA = try XCTUnwrap(eps[0]["address"] as? String), addrB = try XCTUnwrap(eps[1]["address"] as? String)
        // The kernel (ip -j) shows exactly the address the plugin's IPAM handed out and Plumb recorded.
        XCTAssertEqual(try ipv4(a), "\(addrA)/24")
        XCTAssertEqual(try ipv4(b), "\(addrB)/24")
        XCTAssertTrue(addrA.hasPrefix("10.213.130.") && addrB.hasPrefix("10.213.130.") && addrA != addrB, "\(addrA) \(addrB)")
        // host-local's own record of the allocation, in the temporary dataDir.
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(dataDir)/pt-cni-\(lab.tag)-web")
        XCTAssertTrue(files.contains(addrA) && files.contains(addrB), "\(files)")
        try lab.ping(from: a, addrB)
        // The plugin's bridge lives in the stand-in host, not in the real one.
        XCTAssertTrue(try netState(host).contains("\(br) "), "bridge \(br) in \(host)")
        XCTAssertFalse(try netState(nil).contains(br))
        XCTAssertTrue(try rules(host).contains("--to-destination \(addrB):80"), "portmap DNAT for b")

        // A published port works end to end: busybox httpd in b, fetched through the stand-in host's port.
        let www = "\(confDir)/www"
        try FileManager.default.createDirectory(atPath: www, withIntermediateDirectories: true)
        try "served through CNI portmap\n".write(toFile: "\(www)/index.html", atomically: true, encoding: .utf8)
        lab.ownProcess(try Shell.spawn(["ip", "netns", "exec", b, "busybox", "httpd", "-f", "-p", "80", "-h", www]))
        usleep(300_000)
        let got = try Shell.result(["timeout", "5", "ip", "netns", "exec", a, "busybox", "wget", "-q", "-O", "-",
                                    "http://10.213.130.1:18081/"])
        XCTAssertTrue(got.stdout.contains("served through CNI portmap"), "\(got.stdout) \(got.stderr)")

        r = try plumb("net", "ls", "--json")
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.first?["driver"] as? String, "cni")
        XCTAssertEqual(rows.first?["endpoints"] as? Int, 2)

        r = try plumb("net", "disconnect", "ptweb", a, b)
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try plumb("net", "rm", "ptweb")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try everything(), before, "real host untouched; stand-in host and targets back to before")
        XCTAssertEqual(withoutCNISkeleton(try rules(host)), withoutCNISkeleton(hostRulesBefore))
        XCTAssertFalse(try rules(host).contains("10.213.130."), "no per-container rule left")
        let left = try FileManager.default.contentsOfDirectory(atPath: "\(dataDir)/pt-cni-\(lab.tag)-web")
        XCTAssertFalse(left.contains { $0.hasPrefix("10.213.") }, "host-local released both addresses: \(left)")
        XCTAssertEqual(try plumb("net", "ls", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines), "[]")
    }

    /// The endpoint's namespace was deleted and a newcomer now sits at its path (very likely with its inode too):
    /// the DEL gets no netns (the plugins release the address and the port mapping, outside any namespace) and
    /// never enters the newcomer, whose eth0 stays.
    func testRemovingAnEndpointWhoseNamespaceWasReplacedLeavesTheNewcomerAlone() throws {
        let conf = try conflist("pt-cni-\(lab.tag)-re", bridge: lab.linkName("re"), subnet: "10.213.132.0/24",
                                extra: [#"{"type":"portmap","capabilities":{"portMappings":true},"snat":true}"#])
        XCTAssertEqual(try plumb("net", "create", "ptre", "--driver", "cni", "--cni-config", conf).status, 0)
        var r = try plumb("net", "connect", "ptre", a, "-p", "18082:80")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(try rules(host).contains("--dport 18082"), "portmap's DNAT")
        try Shell.run("ip", "netns", "del", a)
        try Shell.run("ip", "netns", "add", a)
        try lab.ip(a, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1")
        let newcomer = try netState(a)

        r = try plumb("net", "inspect", "ptre")
        XCTAssertTrue(r.stdout.contains("its namespace is gone"), r.stdout)
        r = try plumb("net", "rm", "ptre", "--force")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("is gone"), r.stdout)
        XCTAssertEqual(try netState(a), newcomer, "nothing of the newcomer was touched")
        XCTAssertFalse(try rules(host).contains("--dport 18082"), "the port mapping was released")
        let left = try FileManager.default.contentsOfDirectory(atPath: "\(dataDir)/pt-cni-\(lab.tag)-re")
        XCTAssertFalse(left.contains { $0.hasPrefix("10.213.") }, "host-local released the address: \(left)")
    }

    func testCheckPassesThenReportsTheVethDeletedBehindPlumbsBack() throws {
        let br = lab.linkName("ck")
        let conf = try conflist("pt-cni-\(lab.tag)-chk", bridge: br, subnet: "10.213.131.0/24", extra: [#"{"type":"firewall"}"#])
        XCTAssertEqual(try plumb("net", "create", "ptchk", "--driver", "cni", "--cni-config", conf).status, 0)
        var r = try plumb("net", "connect", "ptchk", a)
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try plumb("net", "inspect", "ptchk")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("in sync with the kernel"), "CHECK passes: \(r.stdout)")
        // Delete the sandbox's interface behind Plumb's back (the veth pair goes with it).
        try lab.ip(a, "link", "del", "eth0")
        r = try plumb("net", "inspect", "ptchk", "--json")
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let drift = try XCTUnwrap(doc["drift"] as? [String])
        XCTAssertTrue(drift.contains { $0.contains("CNI CHECK bridge") && $0.contains("eth0") }, "\(drift)")
        XCTAssertTrue(drift.contains { $0.contains("deleted behind Plumb's back") }, "\(drift)")
        XCTAssertEqual(try plumb("net", "rm", "ptchk", "--force").status, 0)
    }

    func testBadConfigsAndFailingPluginsChangeNothing() throws {
        let before = try everything() + [try rules(host)]
        let br = lab.linkName("bd")
        let missing = try conflist("pt-cni-\(lab.tag)-m", bridge: br, subnet: "10.213.132.0/24", extra: [#"{"type":"pt-no-such-plugin"}"#])
        let badJSON = "\(confDir)/bad.json"
        try "{\"cniVersion\": \"1.0.0\", \"plugins\": [".write(toFile: badJSON, atomically: true, encoding: .utf8)
        let noVersion = "\(confDir)/nover.json"
        try #"{"name":"x","type":"bridge","ipam":{"type":"host-local","subnet":"10.213.133.0/24"}}"#.write(toFile: noVersion, atomically: true, encoding: .utf8)
        let noIpamPlugin = "\(confDir)/noipam.json"
        try #"{"cniVersion":"1.0.0","name":"x","type":"bridge","ipam":{"type":"pt-no-ipam","subnet":"10.213.133.0/24"}}"#
            .write(toFile: noIpamPlugin, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["--cni-config", missing], "CNI plugin 'pt-no-such-plugin' not found"),
            (["--cni-config", badJSON], "not a JSON object"),
            (["--cni-config", noVersion], "no cniVersion"),
            (["--cni-config", noIpamPlugin], "'pt-no-ipam' not found"),
            (["--cni-config", "\(confDir)/absent.json"], "cannot read --cni-config"),
            ([], "needs --cni-config"),
        ]
        for (extra, expected) in cases {
            let r = try Shell.result([CLITests.binary, "net", "create", "ptbad", "--driver", "cni"] + extra
                                     + ["--state-dir", stateDir, "--host-ns", host])
            XCTAssertNotEqual(r.status, 0, "\(extra)")
            XCTAssertTrue(r.stderr.contains(expected), "\(extra): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one line: \(r.stderr)")
        }
        // A plugin that fails at ADD half-way through the chain: bridge ran first, then tuning cannot set a
        // sysctl that does not exist; the chain's DEL undoes the bridge plugin's work and the error carries the
        // plugin's CNI error message.
        let failing = try conflist("pt-cni-\(lab.tag)-f", bridge: br, subnet: "10.213.134.0/24",
                                   extra: [#"{"type":"tuning","sysctl":{"net.ipv4.conf.eth0.pt_nonsense":"1"}}"#])
        XCTAssertEqual(try plumb("net", "create", "ptfail", "--driver", "cni", "--cni-config", failing).status, 0)
        let r = try plumb("net", "connect", "ptfail", a)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("CNI ADD tuning") && r.stderr.contains("pt_nonsense"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertNil(try ipv4(a, "eth0"), "the bridge plugin's veth was removed again")
        XCTAssertEqual(try plumb("net", "rm", "ptfail").status, 0)
        XCTAssertEqual(try plumb("net", "ls", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines), "[]")
        let after = try everything() + [try rules(host)]
        XCTAssertEqual(Array(after.prefix(4)), Array(before.prefix(4)))
        XCTAssertEqual(withoutCNISkeleton(after[4]), withoutCNISkeleton(before[4]))
    }

    func testDryRunPrintsThePluginInvocationsAndChangesNothing() throws {
        let conf = try conflist("pt-cni-\(lab.tag)-dry", bridge: lab.linkName("dr"), subnet: "10.213.135.0/24",
                                extra: [#"{"type":"portmap","capabilities":{"portMappings":true}}"#])
        XCTAssertEqual(try plumb("net", "create", "ptdry", "--driver", "cni", "--cni-config", conf).status, 0)
        let before = try everything() + [try rules(host)]
        let r = try plumb("net", "connect", "ptdry", a, "-p", "18090:80", "--dry-run")
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").filter { $0.contains("CNI_COMMAND=ADD") }
        XCTAssertEqual(lines.count, 2, r.stdout)
        XCTAssertTrue(lines[0].contains("/usr/lib/cni/bridge") && lines[1].contains("/usr/lib/cni/portmap"), r.stdout)
        XCTAssertTrue(lines[0].contains("CNI_NETNS=/run/netns/\(a)") && lines[0].contains("CNI_IFNAME=eth0"), r.stdout)
        XCTAssertTrue(lines[0].contains("runtimeConfig") && lines[0].contains("\"hostPort\":18090"), r.stdout)
        XCTAssertEqual(try everything() + [try rules(host)], before)
        XCTAssertEqual(try plumb("net", "rm", "ptdry").status, 0)
    }

    func testKilledAfterTheADDIsUndoneByGc() throws {
        let br = lab.linkName("kl")
        let conf = try conflist("pt-cni-\(lab.tag)-kill", bridge: br, subnet: "10.213.136.0/24", extra: [])
        XCTAssertEqual(try plumb("net", "create", "ptkill", "--driver", "cni", "--cni-config", conf).status, 0)
        let before = try netState(a)
        let r = try plumb("net", "connect", "ptkill", a, env: ["PLUMB_TEST_KILL_AFTER_STEP": "1"])
        XCTAssertEqual(r.status, 9, "killed right after the ADD step")
        XCTAssertNotNil(try ipv4(a), "the ADD was applied before the kill")
        let gc = try plumb("gc")
        XCTAssertEqual(gc.status, 0, gc.stderr)
        XCTAssertTrue(gc.stdout.contains("undid 1"), gc.stdout)
        XCTAssertEqual(try netState(a), before, "gc ran the chain's DEL")
        let left = try FileManager.default.contentsOfDirectory(atPath: "\(dataDir)/pt-cni-\(lab.tag)-kill")
        XCTAssertFalse(left.contains { $0.hasPrefix("10.213.") }, "host-local released the address: \(left)")
        XCTAssertEqual(try plumb("net", "rm", "ptkill").status, 0)
    }

    func testRequestedAddressGoesToHostLocalThroughTheIpsCapability() throws {
        // Without a plugin declaring "ips", --ip is refused before anything runs.
        let plain = try conflist("pt-cni-\(lab.tag)-noips", bridge: lab.linkName("ni"), subnet: "10.213.142.0/24", extra: [])
        XCTAssertEqual(try plumb("net", "create", "ptnoips", "--driver", "cni", "--cni-config", plain).status, 0)
        var r = try plumb("net", "connect", "ptnoips", a, "--ip", "10.213.142.77")
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("\"ips\" capability"), r.stderr)
        XCTAssertNil(try ipv4(a))
        XCTAssertEqual(try plumb("net", "rm", "ptnoips").status, 0)

        let text = """
            {"cniVersion":"1.0.0","name":"pt-cni-\(lab.tag)-ips","plugins":[{"type":"bridge","bridge":"\(lab.linkName("ip"))",
             "capabilities":{"ips":true},"ipam":{"type":"host-local","subnet":"10.213.143.0/24","dataDir":"\(dataDir)"}}]}
            """
        let path = "\(confDir)/ips.conflist"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try plumb("net", "create", "ptips", "--driver", "cni", "--cni-config", path).status, 0)
        r = try plumb("net", "connect", "ptips", a, "--ip", "10.213.143.77", "--json")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("\"address\":\"10.213.143.77\""), r.stdout)
        XCTAssertEqual(try ipv4(a), "10.213.143.77/24")
        r = try plumb("net", "connect", "ptips", b)
        XCTAssertEqual(r.status, 0, r.stderr)
        try lab.ping(from: b, "10.213.143.77")
        XCTAssertEqual(try plumb("net", "rm", "ptips", "--force").status, 0)
        XCTAssertNil(try ipv4(a))
    }
}
