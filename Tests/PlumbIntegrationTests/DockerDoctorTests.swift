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
        try d.run("run", "-d", "--name", "pt-dk-b", "--network", "pt-dk-net", "-p", "8082:80", "-p", "9053:53/udp",
                  DockerDaemon.image, "httpd", "-f", "-p", "80", "-h", "/www")
        XCTAssertTrue(RuntimeHost.wait(5) { fetchFromOutside(d.host, "http://\(d.host.uplinkAddress):8082/") })
        try assertHealthy(d.host, "a user network with published ports")
        try d.run("rm", "-f", "pt-dk-a", "pt-dk-b")
        try assertHealthy(d.host, "a user network without containers")
        try d.run("network", "rm", "pt-dk-net")
        try assertHealthy(d.host, "after the user network is gone")
    }
}
