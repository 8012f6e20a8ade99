import Foundation
import Glibc
import XCTest

/// The doctor on a real Docker host (Debian's docker.io): dockerd runs once for the class, in a pt-rt
/// namespace playing the host, with vfs storage and a busybox-static image imported locally.
final class DockerDoctorTests: RuntimeTestCase {
    nonisolated(unsafe) static var runtime: Result<DockerDaemon, Error>?

    override class func setUp() {
        super.setUp()
        guard getuid() == 0 else { return }
        var host: RuntimeHost?
        do {
            host = try RuntimeHost(label: "dk")
            runtime = .success(try DockerDaemon(host: host!))
        } catch {
            host?.cleanup()
            runtime = .failure(error)
        }
    }

    override class func tearDown() {
        if case .success(let d)? = runtime { d.host.cleanup() }
        runtime = nil
        super.tearDown()
    }

    func docker() throws -> DockerDaemon {
        let d = try XCTUnwrap(Self.runtime, "dockerd was not started").get()
        addTeardownBlock { d.removeAll() }
        return d
    }

    func testDefaultBridgeWithAPublishedPortIsHealthyAndStaysSoAfterRemoval() throws {
        let d = try docker()
        try d.run("run", "-d", "--name", "pt-dk-web", "-p", "8080:80", DockerDaemon.image, "httpd", "-f", "-p", "80", "-h", "/www")
        XCTAssertTrue(RuntimeHost.wait(5) { fetchFromOutside(d.host, "http://\(d.host.uplinkAddress):8080/") },
                      "the published port answers from outside")
        try assertHealthy(d.host, "docker0 with a published port")
        try d.run("rm", "-f", "pt-dk-web")
        try assertHealthy(d.host, "docker0 after its container is gone")
    }

    func testUserNetworkWithPublishedPortsIsHealthyAndStaysSoAfterRemoval() throws {
        let d = try docker()
        try d.run("network", "create", "--subnet", "10.213.217.0/24", "pt-dk-net")
        try d.run("run", "-d", "--name", "pt-dk-a", "--network", "pt-dk-net", "-p", "8081:80", DockerDaemon.image,
                  "httpd", "-f", "-p", "80", "-h", "/www")
        try d.run("run", "-d", "--name", "pt-dk-b", "--network", "pt-dk-net", "-p", "8082:80",
                  DockerDaemon.image, "httpd", "-f", "-p", "80", "-h", "/www")
        XCTAssertTrue(RuntimeHost.wait(5) { fetchFromOutside(d.host, "http://\(d.host.uplinkAddress):8082/") })
        try assertHealthy(d.host, "a user network with published ports")
        try d.run("rm", "-f", "pt-dk-a", "pt-dk-b")
        try assertHealthy(d.host, "a user network without containers")
        try d.run("network", "rm", "pt-dk-net")
        try assertHealthy(d.host, "after the user network is gone")
    }

    func testPortsWithoutAListenerOrOnlyALoopbackOneAreFound() throws {
        let d = try docker()
        try d.run("run", "-d", "--name", "pt-dk-loop", "-p", "8083:80", DockerDaemon.image, "httpd", "-f", "-p", "127.0.0.1:80", "-h", "/www")
        try d.run("run", "-d", "--name", "pt-dk-none", "-p", "8084:80", DockerDaemon.image, "sleep", "3600")
        XCTAssertFalse(fetchFromOutside(d.host, "http://\(d.host.uplinkAddress):8083/"), "a loopback listener does not answer")
        let found = try d.host.doctor(stateDir: stateDir).findings
        let alarms = found.filter { ($0["severity"] as? String) != "info" }.compactMap { $0["id"] as? String }
        XCTAssertEqual(alarms.filter { $0.hasPrefix("port-loopback-only:") && $0.hasSuffix(":tcp:*:8083") }.count, 1, "\(alarms)")
        XCTAssertEqual(alarms.filter { $0.hasPrefix("port-no-listener:") && $0.hasSuffix(":tcp:*:8084") }.count, 1, "\(alarms)")
        XCTAssertEqual(alarms.count, 2, "nothing else: \(alarms)")
        let ports = try Shell.json([CLITests.binary, "ports", d.host.name, "--json"]) as? [[String: Any]] ?? []
        let byPort = Dictionary(ports.map { ($0["hostPort"] as? Int ?? 0, $0) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(byPort[8083]?["listener"] as? String, "loopback")
        XCTAssertEqual(byPort[8084]?["listener"] as? String, "none")
        XCTAssertEqual(byPort[8083]?["owner"] as? String, "docker")
        XCTAssertEqual(byPort[8083]?["reachesTarget"] as? Bool, true)
        XCTAssertEqual((byPort[8083]?["proxies"] as? [String])?.isEmpty, false, "docker-proxy joined to its DNAT rule")
    }

    func testADeletedMasqueradeRuleAndAShadowingRouteAreFound() throws {
        let d = try docker()
        let subnet = "10.213.218.0/24"
        try d.run("network", "create", "--subnet", subnet, "pt-dk-net2")
        let id = try d.run("network", "inspect", "-f", "{{.Id}}", "pt-dk-net2").trimmingCharacters(in: .whitespacesAndNewlines)
        let bridge = "br-\(id.prefix(12))"
        try d.run("run", "-d", "--name", "pt-dk-m", "--network", "pt-dk-net2", "-p", "8086:80", DockerDaemon.image,
                  "httpd", "-f", "-p", "80", "-h", "/www")
        try assertHealthy(d.host, "before the faults")
        // Docker's hairpin rule (-s IP/32 -d IP/32 --dport 80 -j MASQUERADE) stays; the network's rule goes.
        let rule = ["POSTROUTING", "-s", subnet, "!", "-o", bridge, "-j", "MASQUERADE"]
        try Shell.run(d.host.inHost(["iptables", "-t", "nat", "-D"] + rule))
        XCTAssertTrue(try d.host.run("iptables-save", "-t", "nat").contains("-j MASQUERADE"), "the hairpin rule is still there")
        var alarms = try d.host.doctor(stateDir: stateDir).findings.filter { ($0["severity"] as? String) != "info" }
        XCTAssertEqual(alarms.compactMap { $0["id"] as? String }.filter { $0.hasPrefix("no-masquerade:") && $0.hasSuffix(":\(subnet)") }.count, 1,
                       "\(alarms.compactMap { $0["id"] })")
        try Shell.run(d.host.inHost(["iptables", "-t", "nat", "-A"] + rule))
        try assertHealthy(d.host, "the MASQUERADE rule is back")
        // A more specific route for part of the network, out of the uplink.
        try d.host.run("ip", "route", "add", "10.213.218.0/28", "via", d.host.gatewayAddress)
        alarms = try d.host.doctor(stateDir: stateDir).findings.filter { ($0["severity"] as? String) != "info" }
        XCTAssertEqual(alarms.compactMap { $0["id"] as? String }.filter { $0.hasPrefix("route-shadow:") && $0.hasSuffix(":\(bridge):10.213.218.0/28") }.count, 1,
                       "\(alarms.compactMap { $0["id"] })")
        try d.host.run("ip", "route", "del", "10.213.218.0/28")
        try d.host.run("ip", "route", "add", "blackhole", "10.213.218.2")
        alarms = try d.host.doctor(stateDir: stateDir).findings.filter { ($0["severity"] as? String) != "info" }
        XCTAssertEqual(alarms.compactMap { $0["id"] as? String }.filter { $0.hasSuffix(":\(bridge):10.213.218.2/32") }.count, 1,
                       "\(alarms.compactMap { $0["id"] })")
        try d.host.run("ip", "route", "del", "blackhole", "10.213.218.2")
        try assertHealthy(d.host, "the shadowing routes are gone")
    }

    func testStaleConntrackNATEntriesAreFoundAndTheFixDeletesExactlyThem() throws {
        let d = try docker()
        // An established connection DNATed to 10.213.210.99 on docker0's subnet, where no container is (any more).
        let entry = ["-s", "198.51.100.7", "-d", d.host.uplinkAddress, "-r", "10.213.210.99", "-q", "198.51.100.7",
                     "-p", "tcp", "--sport", "40000", "--dport", "8080", "--reply-port-src", "80", "--reply-port-dst", "40000"]
        try Shell.run(d.host.inHost(["conntrack", "-I"] + entry + ["--state", "ESTABLISHED", "-t", "120", "-u", "SEEN_REPLY"]))
        addTeardownBlock { _ = try? Shell.result(d.host.inHost(["conntrack", "-D", "-r", "10.213.210.99"])) }
        let found = try findings(d.host, check: "conntrack-stale-nat")
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(found.first?["severity"] as? String, "warning")
        XCTAssertTrue((found.first?["evidence"] as? [String])?.contains { $0.contains("10.213.210.99:80") } ?? false, "\(found)")
        // The fix deletes exactly that entry: a live entry of another flow (to an address a namespace has) stays.
        let other = ["-s", "198.51.100.8", "-d", d.host.uplinkAddress, "-p", "udp", "--sport", "40001", "--dport", "53", "-t", "120"]
        try Shell.run(d.host.inHost(["conntrack", "-I"] + other))
        addTeardownBlock { _ = try? Shell.result(d.host.inHost(["conntrack", "-D", "-s", "198.51.100.8"])) }
        let id = try XCTUnwrap(found.first?["id"] as? String)
        let fix = try Shell.result([CLITests.binary, "doctor", "--fix", id, "--yes", "--host-ns", d.host.name, "--state-dir", stateDir])
        XCTAssertEqual(fix.status, 0, fix.stderr + fix.stdout)
        XCTAssertFalse(try Shell.result(d.host.inHost(["conntrack", "-L", "-r", "10.213.210.99"])).stdout.contains("10.213.210.99"))
        XCTAssertTrue(try Shell.result(d.host.inHost(["conntrack", "-L", "-s", "198.51.100.8"])).stdout.contains("198.51.100.8"),
                      "the fix deleted another flow's entry")
        XCTAssertEqual(try findings(d.host, check: "conntrack-stale-nat").count, 0)
    }
}
