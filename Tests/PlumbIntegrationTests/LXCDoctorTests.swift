import Foundation
import XCTest

/// The doctor on a real LXC host: a busybox-template container on a bridge set up as lxc-net sets up lxcbr0.
final class LXCDoctorTests: RuntimeTestCase {
    func testLXCBridgeIsHealthyAndStaysSoAfterTheContainerStops() throws {
        let h = try RuntimeHost(label: "lx")
        addTeardownBlock { h.cleanup() }
        let br = "ptrt\(h.tag)br", net = "10.213.230.0/24"
        try h.run("ip", "link", "add", br, "type", "bridge")
        try h.run("ip", "addr", "add", "10.213.230.1/24", "dev", br)
        try h.run("ip", "link", "set", br, "up")
        try h.run("sysctl", "-qw", "net.ipv4.ip_forward=1")
        // lxc-net's rules for its bridge (/usr/libexec/lxc/lxc-net, start_iptables).
        for rule in [["-I", "INPUT", "-i", br, "-p", "udp", "--dport", "67", "-j", "ACCEPT"],
                     ["-I", "INPUT", "-i", br, "-p", "udp", "--dport", "53", "-j", "ACCEPT"],
                     ["-I", "FORWARD", "-i", br, "-j", "ACCEPT"],
                     ["-I", "FORWARD", "-o", br, "-j", "ACCEPT"],
                     ["-t", "nat", "-A", "POSTROUTING", "-s", net, "!", "-d", net, "-j", "MASQUERADE"],
                     ["-t", "mangle", "-A", "POSTROUTING", "-o", br, "-p", "udp", "-m", "udp", "--dport", "68",
                      "-j", "CHECKSUM", "--checksum-fill"]] {
            try Shell.run(h.inHost(["iptables"] + rule))
        }
        let c = try LXCContainer(host: h, bridge: br, address: "10.213.230.2", gateway: "10.213.230.1",
                                 command: "/bin/httpd -f -p 80 -h /")
        XCTAssertTrue(RuntimeHost.wait(5) { (try? Shell.result(h.inHost(["ping", "-c", "1", "-W", "1", c.address])))?.status == 0 })
        try assertHealthy(h, "an LXC container on its bridge")
        c.stop()
        try assertHealthy(h, "the LXC bridge after its container stopped")
    }
}
