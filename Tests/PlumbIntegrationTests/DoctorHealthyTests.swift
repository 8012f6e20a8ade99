import Foundation
import Glibc
import XCTest

/// No false alarms: networks built by Plumb itself and by Debian's CNI plugins (bridge + host-local, run
/// inside a pt-doc namespace playing the host) give no doctor finding above info.
final class DoctorHealthyTests: DoctorTestCase {
    func doctor(_ host: String) throws -> [[String: Any]] {
        let r = try Shell.result([CLITests.binary, "doctor", "--json", "--host-ns", host, "--state-dir", stateDir])
        XCTAssertEqual(r.status, 0, "no error-level findings: \(r.stdout) \(r.stderr)")
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        return try XCTUnwrap(obj["findings"] as? [[String: Any]])
    }

    func testNetworksMadeByPlumbGiveNoAlarms() throws {
        let h = ns("ph"), c1 = ns("p1"), c2 = ns("p2"), c3 = ns("p3")
        for n in [h, c1, c2, c3] { try addNamespace(n) }
        func plumb(_ args: String...) throws {
            let r = try Shell.result([CLITests.binary] + args + ["--state-dir", stateDir, "--host-ns", h])
            XCTAssertEqual(r.status, 0, "\(args): \(r.stderr)")
        }
        let web = "ptdoc\(tag)web", back = "ptdoc\(tag)int"
        try plumb("net", "create", web, "--subnet", "10.213.112.0/24", "--bridge", link("w"))
        try plumb("net", "create", back, "--subnet", "10.213.113.0/24", "--bridge", link("i"), "--internal")
        try plumb("net", "connect", web, c1)
        try plumb("net", "connect", web, c2, "--publish", "8080:80")
        try plumb("net", "connect", back, c2)
        try plumb("net", "connect", back, c3)
        cleanups.append { [stateDir] in
            for (n, t) in [(web, c1), (web, c2), (back, c2), (back, c3)] {
                _ = try? Shell.result([CLITests.binary, "net", "disconnect", n, t, "--state-dir", stateDir, "--host-ns", h])
            }
            for n in [web, back] { _ = try? Shell.result([CLITests.binary, "net", "rm", n, "--state-dir", stateDir, "--host-ns", h]) }
        }
        XCTAssertEqual(try Shell.result(["ip", "netns", "exec", c1, "ping", "-c", "1", "-W", "2", "10.213.112.3"]).status, 0)
        // Something listens behind c2's published port (without it, port-no-listener would rightly speak).
        let server = try Shell.spawn(["ip", "netns", "exec", c2, "busybox", "httpd", "-f", "-p", "80", "-h", "/"])
        cleanups.append { kill(server.pid, SIGTERM); server.waitUntilExit() }
        usleep(300_000)
        let found = try doctor(h)
        XCTAssertEqual(found.filter { $0["severity"] as? String != "info" }.map { $0["id"] as! String }, [])
        // Control: the doctor does look at this network (a fault in it is seen).
        try Shell.run("ip", "-n", c1, "route", "del", "default")
        let r = try Shell.result([CLITests.binary, "doctor", "--json", "--host-ns", h, "--state-dir", stateDir])
        XCTAssertEqual(r.status, 3)
        XCTAssertTrue(r.stdout.contains("no-default-route:ns"), r.stdout)
    }

    func testNetworksMadeByTheCNIBridgePluginGiveNoAlarms() throws {
        let plugin = "/usr/lib/cni/bridge"
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: plugin), "containernetworking-plugins missing")
        let h = ns("ch"), c1 = ns("c1"), c2 = ns("c2")
        for n in [h, c1, c2] { try addNamespace(n) }
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-doc-cni-\(tag)").path
        cleanups.append { try? FileManager.default.removeItem(atPath: dataDir) }
        // A gateway bridge with masquerading, as Podman configures it; the plugin runs inside the lab host, so
        // the forwarding sysctl and NAT chains it sets up land there and not on the machine.
        let config = """
            {"cniVersion":"1.0.0","name":"ptdoc\(tag)","type":"bridge","bridge":"\(link("cb"))","isGateway":true,
             "ipMasq":true,"hairpinMode":true,"ipam":{"type":"host-local","subnet":"10.213.114.0/24","dataDir":"\(dataDir)",
             "routes":[{"dst":"0.0.0.0/0"}]}}
            """
        func cni(_ command: String, _ target: String) throws -> (status: Int32, stdout: String, stderr: String) {
            try Shell.result(["ip", "netns", "exec", h, plugin],
                             env: ["CNI_COMMAND": command, "CNI_CONTAINERID": "ptdoc\(tag)\(target.suffix(2))",
                                   "CNI_NETNS": "/run/netns/\(target)", "CNI_IFNAME": "eth0", "CNI_PATH": "/usr/lib/cni"],
                             stdin: config)
        }
        for c in [c1, c2] {
            let add = try cni("ADD", c)
            XCTAssertEqual(add.status, 0, add.stdout + add.stderr)
            cleanups.append { _ = try? cni("DEL", c) }
        }
        XCTAssertEqual(try Shell.result(["ip", "netns", "exec", c1, "ping", "-c", "1", "-W", "2", "10.213.114.3"]).status, 0)
        let save = try Shell.run("ip", "netns", "exec", h, "iptables-save")
        XCTAssertTrue(save.contains("CNI-"), "the plugin made its NAT chains:\n\(save)")
        let found = try doctor(h)
        XCTAssertEqual(found.filter { $0["severity"] as? String != "info" }.map { $0["id"] as! String }, [])
        // Control: the doctor does look at this network (the plugin turned forwarding on; turning it off is seen).
        try Shell.run("ip", "netns", "exec", h, "sysctl", "-qw", "net.ipv4.ip_forward=0")
        let r = try Shell.result([CLITests.binary, "doctor", "--json", "--host-ns", h, "--state-dir", stateDir])
        XCTAssertEqual(r.status, 3)
        XCTAssertTrue(r.stdout.contains("forwarding-off:ns"), r.stdout)
    }
}
