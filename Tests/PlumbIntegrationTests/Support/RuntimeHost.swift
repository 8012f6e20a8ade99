import Foundation
import Glibc
import XCTest

/// A network namespace that plays a container host for a real runtime (dockerd, podman, lxc, CNI plugins),
/// so the runtime's bridge, veths and firewall chains land there and never in the machine's own namespace.
/// It has an uplink: a veth to a second namespace ("wan") that is its default gateway, so the checks that
/// need a way out (masquerading, forwarding) apply as on a real host. Test traffic stays between these
/// namespaces. Everything is named `pt-rt-TAG-…` / `ptrtTAG…` and removed by `cleanup()`, which is safe to
/// call more than once and after a failed start.
final class RuntimeHost: @unchecked Sendable {
    let tag: String
    let name: String
    let wan: String
    /// A private temporary directory (state of the runtime, root file systems), removed by cleanup.
    let dir: String
    let uplinkAddress = "10.213.200.1", gatewayAddress = "10.213.200.2"
    private var cleanups: [() -> Void] = []

    /// `label` tells the runtime (a few letters), so names of concurrent classes never collide.
    init(label: String) throws {
        try requireRoot()
        tag = label + String(format: "%02x", Int.random(in: 0..<256))
        name = "pt-rt-\(tag)-host"
        wan = "pt-rt-\(tag)-wan"
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-rt-\(tag)-\(UUID().uuidString.prefix(6))").path
        do { try build() } catch { cleanup(); throw error }
    }

    private func build() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let d = dir
        cleanups.append { RuntimeHost.removeTree(d) }
        for n in [name, wan] {
            try Shell.run("ip", "netns", "add", n)
            cleanups.append { _ = try? Shell.run(["ip", "netns", "del", n], check: false) }
            try Shell.run("ip", "-n", n, "link", "set", "lo", "up")
            try Shell.run("ip", "netns", "exec", n, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
            try Shell.run("ip", "netns", "exec", n, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1")
        }
        let up = "ptrt\(tag)u", down = "ptrt\(tag)w"
        try Shell.run("ip", "-n", name, "link", "add", up, "type", "veth", "peer", "name", down, "netns", wan)
        try Shell.run("ip", "-n", name, "addr", "add", "\(uplinkAddress)/30", "dev", up)
        try Shell.run("ip", "-n", wan, "addr", "add", "\(gatewayAddress)/30", "dev", down)
        try Shell.run("ip", "-n", name, "link", "set", up, "up")
        try Shell.run("ip", "-n", wan, "link", "set", down, "up")
        try Shell.run("ip", "-n", name, "route", "add", "default", "via", gatewayAddress)
    }

    /// Registers an undo step, run in reverse order by cleanup().
    func onCleanup(_ f: @escaping () -> Void) { cleanups.append(f) }

    func cleanup() {
        let all = cleanups
        cleanups = []
        for f in all.reversed() { f() }
    }

    /// argv that runs `args` in this host's network namespace only (its mount namespace stays the machine's,
    /// unlike `ip netns exec`, which remounts /sys and would hide the cgroup tree from runc).
    func inHost(_ args: [String]) -> [String] { ["nsenter", "--net=/run/netns/\(name)"] + args }

    @discardableResult
    func run(_ args: String...) throws -> String { try Shell.run(inHost(args)) }

    /// `plumb doctor --json --host-ns HOST`: the findings (id, severity, ...) and the exit status.
    func doctor(stateDir: String, extra: [String] = []) throws -> (status: Int32, findings: [[String: Any]], stdout: String) {
        let r = try Shell.result([CLITests.binary, "doctor", "--json", "--host-ns", name, "--state-dir", stateDir] + extra)
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        guard let findings = obj?["findings"] as? [[String: Any]] else {
            throw Shell.Failed(command: ["plumb", "doctor"], status: r.status, stderr: r.stderr + r.stdout)
        }
        return (r.status, findings, r.stdout)
    }

    /// A tar of a minimal busybox-static root file system (what `docker import` / `podman import` take), made once.
    lazy var busyboxTar: String = { (try? RuntimeHost.busyboxTar(in: dir)) ?? "" }()

    /// A minimal busybox-static root file system at `root`: what podman/docker import and systemd-nspawn run.
    static func busyboxTree(at root: String) throws {
        for sub in ["bin", "etc", "tmp", "proc", "sys", "dev", "www", "usr/lib", "run", "var"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(sub)", withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: "\(root)/bin/busybox")
        for applet in ["sh", "sleep", "httpd", "nc", "ip", "wget", "cat", "ls", "ps", "init", "mount", "hostname"] {
            try FileManager.default.createSymbolicLink(atPath: "\(root)/bin/\(applet)", withDestinationPath: "busybox")
        }
        try "ok\n".write(toFile: "\(root)/www/index.html", atomically: false, encoding: .utf8)
        // systemd-nspawn refuses a directory without an os-release file.
        try "ID=busybox\n".write(toFile: "\(root)/usr/lib/os-release", atomically: false, encoding: .utf8)
    }

    /// The busybox tree as a tar under `dir`.
    static func busyboxTar(in dir: String) throws -> String {
        let root = "\(dir)/rootfs", tar = "\(dir)/rootfs.tar"
        try busyboxTree(at: root)
        try Shell.run("tar", "-C", root, "-cf", tar, ".")
        return tar
    }

    /// Removes a directory tree after unmounting whatever a runtime left mounted below it.
    static func removeTree(_ path: String) {
        let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        let below = mounts.split(separator: "\n").compactMap { line -> String? in
            let f = line.split(separator: " ")
            return f.count > 4 && f[4].hasPrefix(path) ? String(f[4]) : nil
        }
        for m in below.sorted(by: { $0.count > $1.count }) { _ = umount2(m, Int32(MNT_DETACH)) }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Waits until `condition` holds, polling every 100 ms, at most `seconds`.
    static func wait(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }

    /// Ends a process this test started, by PID: SIGTERM, then SIGKILL after `grace` seconds.
    static func stop(pid: pid_t, grace: Double = 10) {
        guard pid > 0, kill(pid, 0) == 0 else { return }
        kill(pid, SIGTERM)
        if !wait(grace, { kill(pid, 0) != 0 || isZombie(pid) }) { kill(pid, SIGKILL) }
    }

    static func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }
}

/// What a runtime test asserts about the doctor on a healthy host: no finding above info.
func alarms(_ findings: [[String: Any]]) -> [String] {
    findings.filter { ($0["severity"] as? String) != "info" }.map { "\($0["id"] ?? "?") (\($0["severity"] ?? "?")): \($0["title"] ?? "")" }
}
