import Foundation
import XCTest

/// The doctor on a host whose container network is made by Debian's CNI bridge and portmap plugins run by
/// hand (as cnitool runs a network list), before and after the container is deleted: the portmap plugin
/// leaves CNI-HOSTPORT-SETMARK behind with nothing jumping to it.
final class CNIPortmapDoctorTests: RuntimeTestCase {
    func testBridgeAndPortmapAreHealthyAndStaySoAfterDelete() throws {
        let h = try RuntimeHost(label: "cp")
        addTeardownBlock { h.cleanup() }
        let c = "pt-rt-\(h.tag)-c1"
        try Shell.run("ip", "netns", "add", c)
        h.onCleanup { _ = try? Shell.run(["ip", "netns", "del", c], check: false) }
        try Shell.run("ip", "-n", c, "link", "set", "lo", "up")
        let chain = CNIChain(host: h, name: "ptrt\(h.tag)", plugins: [
            ["type": "bridge", "bridge": "ptrt\(h.tag)cb", "isGateway": true, "ipMasq": true, "hairpinMode": true,
             "ipam": ["type": "host-local", "subnet": "10.213.231.0/24", "dataDir": "\(h.dir)/ipam",
                      "routes": [["dst": "0.0.0.0/0"]]]],
            ["type": "portmap", "capabilities": ["portMappings": true], "snat": true],
        ])
        let ports: [String: Any] = ["portMappings": [["hostPort": 8093, "containerPort": 80, "protocol": "tcp"]]]
        let id = "ptrt\(h.tag)c1"
        try chain.add(id: id, netns: c, runtimeConfig: ports)
        var added = true
        addTeardownBlock { if added { try? chain.delete(id: id, netns: c, runtimeConfig: ports) } }
        let server = try Shell.spawn(["ip", "netns", "exec", c, "busybox", "httpd", "-f", "-p", "80", "-h", "/"])
        addTeardownBlock { RuntimeHost.stop(pid: server.pid, grace: 2); server.waitUntilExit() }
        XCTAssertTrue(RuntimeHost.wait(5) { fetchFromOutside(h, "http://\(h.uplinkAddress):8093/") }, "the published port answers")
        XCTAssertTrue(try h.run("iptables-save", "-t", "nat").contains("CNI-DN-"))
        try assertHealthy(h, "CNI bridge + portmap with a published port")
        try chain.delete(id: id, netns: c, runtimeConfig: ports)
        added = false
        let save = try h.run("iptables-save", "-t", "nat")
        XCTAssertTrue(save.contains(":CNI-HOSTPORT-SETMARK"), "portmap leaves its SETMARK chain:\n\(save)")
        XCTAssertFalse(save.contains("-j CNI-HOSTPORT-SETMARK"), "nothing jumps to it any more:\n\(save)")
        try assertHealthy(h, "CNI bridge + portmap after the container is deleted")
        XCTAssertFalse(try h.doctor(stateDir: stateDir).stdout.contains("-j CNI-HOSTPORT-SETMARK"),
                       "no fix jumps to CNI-HOSTPORT-SETMARK from a built-in chain")
    }
}
