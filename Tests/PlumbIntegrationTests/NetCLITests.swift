import Foundation
import XCTest

/// `plumb net` end to end through the real binary, inside a test namespace standing in for the host
/// (--host-ns), with a private state directory per test.
final class NetCLITests: RootTestCase {
    var lab: TestLab!
    var host = "", a = "", b = ""
    var stateDir = ""

    override func setUpWithError() throws {
        try requireRoot()
        lab = TestLab()
        addTeardownBlock { [lab] in lab?.cleanup() }
        host = try lab.addNamespace("h")
        a = try lab.addNamespace("a")
        b = try lab.addNamespace("b")
        stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-state-\(lab.tag)-\(UUID().uuidString.prefix(6))").path
        let dir = stateDir
        lab.onCleanup { try? FileManager.default.removeItem(atPath: dir) }
    }

    @discardableResult
    func plumb(_ args: String..., env: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Shell.result([CLITests.binary] + args + ["--state-dir", stateDir, "--host-ns", host], env: env)
    }

    func kernelState() throws -> String {
        let links = try Shell.run("ip", "-n", host, "-o", "link", "show")
            .split(separator: "\n").map { String($0.split(separator: " ").dropFirst().prefix(1).joined()) }.sorted()
        let rules = try Shell.run("ip", "netns", "exec", host, "iptables-save")
            .split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n")
        let addrs = try Shell.run("ip", "-n", a, "-o", "addr", "show")
        return "\(links)\n\(rules)\n\(addrs)"
    }

    func testCreateConnectPingDisconnectRemoveLeavesNothing() throws {
        let before = try kernelState()
        let br = lab.linkName("br")
        var r = try plumb("net", "create", "ptweb", "--subnet", "10.213.80.0/24", "--bridge", br)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("created network ptweb"), r.stdout)
        r = try plumb("net", "connect", "ptweb", a)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("eth0 10.213.80.2"), r.stdout)
        r = try plumb("net", "connect", "ptweb", b, "--ip", "10.213.80.50", "--json")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("\"address\":\"10.213.80.50\""), r.stdout)
        XCTAssertEqual(try Shell.result(["ip", "netns", "exec", a, "ping", "-c", "1", "-W", "2", "10.213.80.50"]).status, 0)

        r = try plumb("net", "ls", "--json")
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.first?["endpoints"] as? Int, 2)
        r = try plumb("net", "inspect", "ptweb")
        XCTAssertTrue(r.stdout.contains("in sync with the kernel"), r.stdout)
        // Endpoints by namespace name, not by inode alone.
        XCTAssertTrue(r.stdout.contains("  \(a) (net:["), r.stdout)
        // A dry run shows the address the real run would take (.2 and .50 are taken), and takes none.
        let c = try lab.addNamespace("c")
        r = try plumb("net", "connect", "ptweb", c, "--dry-run")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("addr add 10.213.80.3/24 dev eth0"), r.stdout)
        XCTAssertFalse(r.stdout.contains("<next free"), r.stdout)
        // One line like every --json; --pretty indents.
        r = try plumb("net", "inspect", "ptweb", "--json")
        XCTAssertEqual(r.stdout.split(separator: "\n").count, 1, r.stdout)
        XCTAssertTrue(r.stdout.hasPrefix(#"{"network":{"name":"ptweb""#), r.stdout)
        r = try plumb("net", "inspect", "ptweb", "--json", "--pretty")
        XCTAssertGreaterThan(r.stdout.split(separator: "\n").count, 10, r.stdout)

        r = try plumb("net", "rm", "ptweb")
        XCTAssertEqual(r.status, 64, "refuses while endpoints exist: the request conflicts with what exists")
        XCTAssertTrue(r.stderr.contains("--force"), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(a) (net:[") && r.stderr.contains("\(b) (net:["), "named endpoints: \(r.stderr)")
        r = try plumb("net", "disconnect", "ptweb", b)
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try plumb("net", "rm", "ptweb", "--force")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try kernelState(), before, "teardown leaves links, rules and addresses exactly as before")
        r = try plumb("net", "ls", "--json")
        XCTAssertEqual(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "[]")
    }

    /// The one-step form runtimes use per container: `net connect NET --new-ns X` creates X and connects it; a
    /// connect that fails leaves no namespace behind; `ns rm X --force` takes both away in one call.
    func testConnectNewNamespaceInOneCallAndRemoveItInOne() throws {
        let br = lab.linkName("br")
        let fresh = lab.nsName("new")
        lab.onCleanup { _ = try? Shell.run(["ip", "netns", "del", fresh], check: false) }
        XCTAssertEqual(try plumb("net", "create", "ptone", "--subnet", "10.213.81.0/24", "--bridge", br).status, 0)
        var r = try plumb("net", "connect", "ptone", "--new-ns", fresh, "--json")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("\"address\":\"10.213.81.2\""), r.stdout)
        XCTAssertTrue(try Shell.run("ip", "-n", fresh, "-o", "addr", "show", "dev", "eth0").contains("10.213.81.2/24"))
        XCTAssertTrue(try Shell.run("ip", "-n", fresh, "-o", "link", "show", "dev", "lo").contains("UP"))

        // A second endpoint with a taken address fails: the namespace it made is gone again.
        let failed = lab.nsName("new2")
        lab.onCleanup { _ = try? Shell.run(["ip", "netns", "del", failed], check: false) }
        r = try plumb("net", "connect", "ptone", "--new-ns", failed, "--ip", "10.213.81.2")
        XCTAssertNotEqual(r.status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/run/netns/\(failed)"), "a failed connect keeps no namespace")
        XCTAssertEqual(try plumb("net", "connect", "ptone", a, "--new-ns", failed).status, 64, "--new-ns is the only target")

        r = try plumb("ns", "rm", fresh, "--force")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/run/netns/\(fresh)"))
        XCTAssertTrue(try eventuallyTrue { !(try Shell.run("ip", "-n", host, "-o", "link", "show").contains("master \(br)")) },
                      "its veth goes with the namespace")
        XCTAssertEqual(try plumb("net", "rm", "ptone").status, 0, "no endpoint is left")
    }

    func testDryRunChangesNothingAndShowsThePlan() throws {
        let before = try kernelState()
        let r = try plumb("net", "create", "ptdry", "--subnet", "10.213.81.0/24", "--bridge", lab.linkName("dr"), "--dry-run")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("# dry run: nothing was changed"), r.stdout)
        XCTAssertTrue(r.stdout.contains("link add \(lab.linkName("dr")) type bridge"), r.stdout)
        XCTAssertTrue(r.stdout.contains("MASQUERADE"), r.stdout)
        XCTAssertEqual(try kernelState(), before)
        XCTAssertEqual(try plumb("net", "ls", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines), "[]")
        let j = try plumb("net", "create", "ptdry", "--subnet", "10.213.81.0/24", "--bridge", lab.linkName("dr"), "--dry-run", "--json")
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(doc["dryRun"] as? Bool, true)
        XCTAssertFalse(((doc["commands"] as? [[String]])?.first ?? []).isEmpty)
    }

    func testBadInputIsRejectedAndChangesNothing() throws {
        XCTAssertEqual(try plumb("net", "create", "ptok", "--subnet", "10.213.82.0/24", "--bridge", lab.linkName("ok")).status, 0)
        try plumb("net", "connect", "ptok", a, "--ip", "10.213.82.7")
        let before = try kernelState()
        let cases: [([String], String)] = [
            (["net", "create", "bad name!"], "invalid network name"),
            (["net", "create", "ptx", "--subnet", "10.213.82.5/24"], "not a network address"),
            (["net", "create", "ptx", "--subnet", "10.213.82.0/25"], "overlaps"),
            (["net", "create", "ptx", "--subnet", "10.213.83.0/24", "--gateway", "10.213.84.1"], "outside subnet"),
            (["net", "create", "ptx", "--subnet", "10.213.83.0/24", "--bridge", "this-name-is-far-too-long"], "longer than 15 bytes"),
            (["net", "create", "ptx", "--subnet", "10.213.83.0/24", "--bridge", lab.linkName("ok")], "already exists"),
            (["net", "create", "ptx", "--subnet", "nonsense"], "nonsense"),
            (["net", "create", "ptok", "--subnet", "10.213.85.0/24"], "already exists"),
            (["net", "create", "ptx", "--subnet", "10.213.83.0/24", "--mtu", "20"], "--mtu"),
            (["net", "connect", "ptok", b, "--ip", "10.213.82.7"], "10.213.82.7"),
            (["net", "connect", "ptok", b, "--ip", "10.213.99.7"], "10.213.99.7"),
            (["net", "connect", "ptok", "pt-no-such-ns"], "no namespace matches"),
            (["net", "connect", "ptnonet", b], "no network named"),
            (["net", "connect", "ptok", a], "already connected"),
            (["net", "connect", "ptok", b, "--ifname", "much-too-long-name"], "longer than 15 bytes"),
            (["net", "rm", "ptok"], "--force"),
        ]
        for (args, expected) in cases {
            let r = try plumb(args)
            let notFound = expected == "no namespace matches" || expected == "no network named"
            XCTAssertEqual(r.status, notFound ? 4 : 64, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(expected), "\(args): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(args): one line: \(r.stderr)")
        }
        XCTAssertEqual(try kernelState(), before, "no bad input changed anything")
        XCTAssertEqual(try plumb("net", "rm", "ptok", "--force").status, 0)
    }

    func plumb(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Self.run(args + ["--state-dir", stateDir, "--host-ns", host])
    }

    static func run(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Shell.result([CLITests.binary] + args)
    }

    func testPublishedPortIsReachableOnTheHostAndLeavesNothing() throws {
        let before = try kernelState()
        XCTAssertEqual(try plumb("net", "create", "ptpub", "--subnet", "10.213.95.0/24", "--bridge", lab.linkName("pb")).status, 0)
        var r = try plumb("net", "connect", "ptpub", a, "-p", "8080:80")
        XCTAssertEqual(r.status, 0, r.stderr)
        let www = FileManager.default.temporaryDirectory.appendingPathComponent("pt-www-\(lab.tag)").path
        try FileManager.default.createDirectory(atPath: www, withIntermediateDirectories: true)
        try "published by plumb\n".write(toFile: "\(www)/index.html", atomically: true, encoding: .utf8)
        lab.onCleanup { try? FileManager.default.removeItem(atPath: www) }
        lab.ownProcess(try Shell.spawn(["ip", "netns", "exec", a, "busybox", "httpd", "-f", "-p", "80", "-h", www]))
        usleep(300_000)
        for url in ["http://10.213.95.1:8080/", "http://127.0.0.1:8080/"] {
            // (busybox wget's -T crashes in this busybox build; the test's own timeout bounds the wait.)
            let got = try Shell.result(["timeout", "5", "ip", "netns", "exec", host, "busybox", "wget", "-q", "-O", "-", url])
            XCTAssertTrue(got.stdout.contains("published by plumb"), "\(url): \(got.stdout) \(got.stderr)")
        }
        // Hairpin: the container reaches its own published port through the host address.
        let hairpin = try Shell.result(["timeout", "5", "ip", "netns", "exec", a, "busybox", "wget", "-q", "-O", "-", "http://10.213.95.1:8080/"])
        XCTAssertTrue(hairpin.stdout.contains("published by plumb"), "hairpin: \(hairpin.stdout) \(hairpin.stderr)")
        XCTAssertTrue(try Shell.run("bridge", "-n", host, "-d", "link", "show").contains("hairpin on"))
        r = try plumb("net", "connect", "ptpub", b, "-p", "8080:80")
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("host port 8080/tcp is already published"), r.stderr)
        r = try plumb("net", "connect", "ptpub", b, "-p", "notaport")
        XCTAssertEqual(r.status, 64)
        XCTAssertTrue(r.stderr.contains("notaport"), r.stderr)

        XCTAssertEqual(try plumb("net", "disconnect", "ptpub", a).status, 0)
        XCTAssertFalse(try Shell.run("ip", "netns", "exec", host, "iptables-save").contains("--to-destination"),
                       "the endpoint's rules went with it")
        XCTAssertEqual(try plumb("net", "rm", "ptpub").status, 0)
        XCTAssertEqual(try kernelState(), before)
    }

    func testEightConcurrentConnectsGetDistinctAddresses() throws {
        XCTAssertEqual(try plumb("net", "create", "ptcc", "--subnet", "10.213.86.0/24", "--bridge", lab.linkName("cc")).status, 0)
        var names: [String] = []
        for i in 0..<8 { names.append(try lab.addNamespace("c\(i)")) }
        let group = DispatchGroup()
        let results = Locked<[Int32]>([])
        for n in names {
            group.enter()
            let args = ["net", "connect", "ptcc", n, "--state-dir", stateDir, "--host-ns", host]
            Thread {
                let r = try? NetCLITests.run(args)
                results.mutate { $0.append(r?.status ?? -1) }
                group.leave()
            }.start()
        }
        group.wait()
        XCTAssertEqual(results.value, Array(repeating: 0, count: 8))
        var addrs = Set<String>()
        for n in names {
            let out = try Shell.run("ip", "-n", n, "-o", "-4", "addr", "show", "dev", "eth0")
            let a = try XCTUnwrap(out.split(separator: " ").first { $0.hasPrefix("10.213.86.") })
            addrs.insert(String(a))
        }
        XCTAssertEqual(addrs.count, 8, "\(addrs)")
        XCTAssertEqual(try plumb("net", "rm", "ptcc", "--force").status, 0)
    }

    func testKilledMidOperationIsCleanedByGc() throws {
        let before = try kernelState()
        // The create plan has 5 steps; die after each of the first 4 in turn.
        for k in 1...4 {
            let r = try plumb("net", "create", "ptkill", "--subnet", "10.213.87.0/24", "--bridge", lab.linkName("kl"),
                              env: ["PLUMB_TEST_KILL_AFTER_STEP": String(k)])
            XCTAssertEqual(r.status, 9, "killed after step \(k) (signal 9)")
            XCTAssertNotEqual(try kernelState(), before, "step \(k) left something behind")
            let gc = try plumb("gc")
            XCTAssertEqual(gc.status, 0, gc.stderr)
            XCTAssertTrue(gc.stdout.contains("undid 1"), gc.stdout)
            XCTAssertEqual(try kernelState(), before, "gc after a kill at step \(k) restores everything")
        }
        XCTAssertEqual(try plumb("gc").stdout, "nothing to clean up\n")
    }
}

final class Locked<T>: @unchecked Sendable {
    private var v: T
    private let lock = NSLock()
    init(_ v: T) { self.v = v }
    var value: T { lock.lock(); defer { lock.unlock() }; return v }
    func mutate(_ f: (inout T) -> Void) { lock.lock(); f(&v); lock.unlock() }
}

/// The macvlan and VXLAN drivers through the real binary.
final class OverlayDriverTests: RootTestCase {
    func testMacvlanEndpointsOnOneParentReachEachOther() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let host = try lab.addNamespace("mh"), a = try lab.addNamespace("ma"), b = try lab.addNamespace("mb")
        // The parent: one end of a veth pair inside the stand-in host (the kernel here has no dummy devices).
        try lab.ip(host, "link", "add", "ptpar", "type", "veth", "peer", "name", "ptpar1")
        try lab.ip(host, "link", "set", "ptpar", "up")
        try lab.ip(host, "link", "set", "ptpar1", "up")
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("pt-mv-\(lab.tag)").path
        lab.onCleanup { try? FileManager.default.removeItem(atPath: state) }
        func plumb(_ args: String...) throws -> (status: Int32, stdout: String, stderr: String) {
            try Shell.result([CLITests.binary] + args + ["--state-dir", state, "--host-ns", host])
        }
        var r = try plumb("net", "create", "ptmv", "--driver", "macvlan", "--parent", "ptnope", "--subnet", "10.213.91.0/24")
        XCTAssertEqual(r.status, 4)
        XCTAssertTrue(r.stderr.contains("--parent ptnope does not exist"), r.stderr)
        r = try plumb("net", "create", "ptmv", "--driver", "macvlan", "--parent", "ptpar", "--mode", "bridge", "--subnet", "10.213.91.0/24")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try plumb("net", "connect", "ptmv", a).status, 0)
        XCTAssertEqual(try plumb("net", "connect", "ptmv", b).status, 0)
        let link = try Shell.run("ip", "-n", a, "-d", "link", "show", "eth0")
        XCTAssertTrue(link.contains("macvlan mode bridge"), link)
        XCTAssertEqual(try Shell.result(["ip", "netns", "exec", a, "ping", "-c", "1", "-W", "2", "10.213.91.3"]).status, 0)
        XCTAssertEqual(try plumb("net", "disconnect", "ptmv", a).status, 0)
        XCTAssertFalse(try Shell.run("ip", "-n", a, "link").contains("eth0"))
        XCTAssertEqual(try plumb("net", "rm", "ptmv", "--force").status, 0)
        XCTAssertFalse(try Shell.run("ip", "-n", b, "link").contains("eth0"))
    }

    /// The same overlay network created on two "hosts" (namespaces joined by a veth underlay) connects their
    /// endpoints; each host has its own Plumb state, as two machines would.
    func testVxlanNetworkOnTwoHostsJoinsTheirEndpoints() throws {
        try requireRoot()
        let lab = TestLab()
        defer { lab.cleanup() }
        let h1 = try lab.addNamespace("v1"), h2 = try lab.addNamespace("v2")
        let c1 = try lab.addNamespace("c1"), c2 = try lab.addNamespace("c2")
        try lab.ip(h1, "link", "add", "ptu1", "type", "veth", "peer", "name", "ptu2", "netns", h2)
        try lab.ip(h1, "addr", "add", "10.213.92.1/24", "dev", "ptu1"); try lab.ip(h1, "link", "set", "ptu1", "up")
        try lab.ip(h2, "addr", "add", "10.213.92.2/24", "dev", "ptu2"); try lab.ip(h2, "link", "set", "ptu2", "up")
        for (h, me, other, c) in [(h1, "10.213.92.1", "10.213.92.2", c1), (h2, "10.213.92.2", "10.213.92.1", c2)] {
            let state = FileManager.default.temporaryDirectory.appendingPathComponent("pt-vx-\(lab.tag)-\(h)").path
            lab.onCleanup { try? FileManager.default.removeItem(atPath: state) }
            var r = try Shell.result([CLITests.binary, "net", "create", "ptov", "--driver", "vxlan", "--vni", "4242",
                                      "--remote", other, "--local", me, "--parent", h == h1 ? "ptu1" : "ptu2",
                                      "--subnet", "10.213.93.0/24", "--gateway", h == h1 ? "10.213.93.1" : "10.213.93.254",
                                      "--state-dir", state, "--host-ns", h])
            XCTAssertEqual(r.status, 0, r.stderr)
            r = try Shell.result([CLITests.binary, "net", "connect", "ptov", c, "--ip", c == c1 ? "10.213.93.11" : "10.213.93.12",
                                  "--state-dir", state, "--host-ns", h])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let vx = try Shell.run("ip", "-n", h1, "-d", "link", "show", "vx-ptov")
        XCTAssertTrue(vx.contains("vxlan id 4242 remote 10.213.92.2"), vx)
        XCTAssertTrue(try Shell.run("ip", "-n", c1, "link", "show", "eth0").contains("mtu 1450"), "overlay MTU leaves room for VXLAN")
        XCTAssertEqual(try Shell.result(["ip", "netns", "exec", c1, "ping", "-c", "2", "-W", "2", "10.213.93.12"]).status, 0,
                       "endpoints on two hosts reach each other over the overlay")
    }
}
