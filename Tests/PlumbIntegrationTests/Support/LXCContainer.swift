import Foundation
import Glibc
import XCTest

/// An LXC container from the busybox template in a private lxcpath, started in a RuntimeHost's network
/// namespace on a bridge there, the way lxc-net sets up lxcbr0 (the bridge, its address, the same FORWARD,
/// INPUT and MASQUERADE rules). LXC checks a bridge through /sys, which shows the machine's own links, so
/// the host end of the veth gets a fixed name and is enslaved to the bridge after the start. lxc-stop and
/// lxc-info talk to the monitor over an abstract socket, which lives in the network namespace: they run
/// there too. `stop()` kills the container (its init: everything in its PID namespace) and destroys it.
final class LXCContainer: @unchecked Sendable {
    let host: RuntimeHost
    let name: String
    let bridge: String
    let address: String
    private let path: String
    private var started = false

    init(host: RuntimeHost, bridge: String, address: String, gateway: String, command: String) throws {
        self.host = host
        name = "pt-lxc-\(host.tag)"
        self.bridge = bridge
        self.address = address
        path = "\(host.dir)/lxc"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        host.onCleanup { [self] in stop() }
        let create = try Shell.result(["lxc-create", "-P", path, "-n", name, "-t", "busybox"])
        guard create.status == 0 else {
            throw Shell.Failed(command: ["lxc-create"], status: create.status, stderr: "lxc-create failed: \(create.stderr)")
        }
        let veth = "ptrt\(host.tag)x"
        let config = """
            lxc.net.0.type = veth
            lxc.net.0.veth.pair = \(veth)
            lxc.net.0.flags = up
            lxc.net.0.name = eth0
            lxc.net.0.ipv4.address = \(address)/24
            lxc.net.0.ipv4.gateway = \(gateway)
            lxc.init.cmd = \(command)

            """
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(path)/\(name)/config"))
        handle.seekToEndOfFile()
        handle.write(Data(config.utf8))
        try handle.close()
        let log = "\(path)/start.log"
        let start = try Shell.result(host.inHost(["lxc-start", "-P", path, "-n", name, "-d", "-o", log, "-l", "WARN"]))
        started = true
        guard start.status == 0 else {
            let words = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(6)
            throw Shell.Failed(command: ["lxc-start"], status: start.status, stderr: "lxc-start failed: " + words.joined(separator: "\n"))
        }
        try Shell.run(host.inHost(["ip", "link", "set", veth, "master", bridge]))
    }

    /// The PID of the container's init (seen from the machine), or nil when it is not running.
    var initPID: pid_t? {
        let out = (try? Shell.run(host.inHost(["lxc-info", "-P", path, "-n", name, "-p", "-H"]))) ?? ""
        return pid_t(out.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func stop() {
        guard started else { return }
        started = false
        let pid = initPID
        _ = try? Shell.result(host.inHost(["lxc-stop", "-P", path, "-n", name, "-k"]))
        if let pid { RuntimeHost.stop(pid: pid, grace: 2) }
        _ = try? Shell.result(["lxc-destroy", "-P", path, "-n", name])
    }
}
