import Foundation
import Glibc
import XCTest

/// The doctor on a real Podman host, with the CNI backend (Debian 12's default for podman 4.3) and with
/// netavark: podman runs in a pt-rt namespace playing the host, state private to the test.
final class PodmanDoctorTests: RuntimeTestCase {
    nonisolated(unsafe) static var host: Result<RuntimeHost, Error>?

    override class func setUp() {
        super.setUp()
        guard getuid() == 0 else { return }
        host = Result { try RuntimeHost(label: "pm") }
    }

    override class func tearDown() {
        if case .success(let h)? = host { h.cleanup() }
        host = nil
        super.tearDown()
    }

    func podman(_ backend: PodmanRunner.Backend) throws -> PodmanRunner {
        let h = try XCTUnwrap(Self.host, "the host namespace was not made").get()
        let p = try PodmanRunner(host: h, backend: backend)
        addTeardownBlock { p.cleanup() }
        return p
    }

    /// A container with a published port on a network of its own; healthy with it and after it is gone.
    func publishedPortLifecycle(_ backend: PodmanRunner.Backend, subnet: String, port: Int) throws {
        let p = try podman(backend)
        let net = "pt-pm-\(backend.rawValue)"
        try p.run("network", "create", "--subnet", subnet, "--disable-dns", net)
        let name = "pt-pm-web-\(backend.rawValue)"
        try p.start(name, network: net, publish: ["\(port):80"], "httpd", "-f", "-p", "80", "-h", "/www")
        let url = "http://\(p.host.uplinkAddress):\(port)/"
        XCTAssertTrue(RuntimeHost.wait(5) { fetchFromOutside(p.host, url) }, "the published port answers from outside")
        if backend == .netavark {
            // Debian 12's netavark (1.4) leaves hairpin mode off on the container's bridge port, so with
            // br_netfilter the container cannot reach its own published port. That alarm is true: check it is
            // the only one, that the container really fails, and that the doctor's fix repairs it.
            let pid = try p.run("inspect", "--format", "{{.State.Pid}}", name).trimmingCharacters(in: .whitespacesAndNewlines)
            func selfFetch() -> Bool {
                let r = try? Shell.result(["nsenter", "--net=/proc/\(pid)/ns/net", "curl", "-s", "-o", "/dev/null", "-m", "2", url])
                return r?.status == 0
            }
            XCTAssertFalse(selfFetch(), "netavark's container cannot reach its own published port")
            let found = try p.host.doctor(stateDir: stateDir).findings.filter { ($0["severity"] as? String) != "info" }
            XCTAssertEqual(found.map { $0["check"] as? String }, ["hairpin-off"], "\(alarms(found))")
            let id = try XCTUnwrap(found.first?["id"] as? String)
            let fix = try Shell.result([CLITests.binary, "doctor", "--fix", id, "--yes", "--host-ns", p.host.name, "--state-dir", stateDir])
            XCTAssertEqual(fix.status, 0, fix.stderr)
            XCTAssertTrue(RuntimeHost.wait(3) { selfFetch() }, "hairpin on: the container reaches its own published port")
        }
        try assertHealthy(p.host, "podman (\(backend.rawValue)) with a published port")
        p.removeAll()
        let save = try p.host.run("iptables-save", "-t", "nat")
        let setmark = backend == .cni ? "CNI-HOSTPORT-SETMARK" : "NETAVARK-HOSTPORT-SETMARK"
        XCTAssertTrue(save.contains(":\(setmark)"), "the portmap chain stays behind, un-jumped:\n\(save)")
        try assertHealthy(p.host, "podman (\(backend.rawValue)) after its container and network are gone")
        let fixes = try p.host.doctor(stateDir: stateDir).stdout
        XCTAssertFalse(fixes.contains("-j \(setmark)"), "no fix jumps to \(setmark) from a built-in chain: \(fixes)")
    }

    func testCNIBackendWithAPublishedPortIsHealthyAndStaysSoAfterRemoval() throws {
        try publishedPortLifecycle(.cni, subnet: "10.213.220.0/24", port: 8091)
    }

    func testNetavarkBackendWithAPublishedPortIsHealthyAndStaysSoAfterRemoval() throws {
        try publishedPortLifecycle(.netavark, subnet: "10.213.221.0/24", port: 8092)
    }
}
