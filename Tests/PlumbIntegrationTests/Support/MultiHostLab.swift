import Foundation
import Glibc
import XCTest

/// Several hosts on one machine, for the cluster tests. Each simulated host is a sandbox with its own network,
/// PID and mount namespaces (`unshare --net --pid --mount --fork --mount-proc`), a private /run (so its own
/// /run/netns) and state directory, and a veth to an underlay bridge that lives in a namespace of its own
/// (`pt-underlay-TAG`, 10.213.250.0/24). etcd, when started, listens on the underlay bridge's address. Plumb runs
/// inside a host through `nsenter`, so it sees only that host. Everything is removed at the end, even when the
/// test fails: each sandbox's PID-namespace init is killed by its PID (which ends every process inside), the
/// underlay namespace deleted.
final class MultiHostLab {
    /// One simulated host.
    struct Host {
        let name: String
        /// The sandbox's init (PID 1 inside), as the machine sees it: `nsenter -t PID` enters the host.
        let pid: pid_t
        /// Its underlay address (the VTEP address of its overlays).
        let address: String
        /// Its underlay interface inside the sandbox.
        let uplink: String
        /// Its private state directory.
        let stateDir: String
    }

    static let underlayPrefix = "10.213.250"
    let lab: TestLab
    let underlay: String
    let bridge: String
    private(set) var hosts: [Host] = []
    /// etcd's client URL on the underlay, once started.
    private(set) var etcdEndpoint: String?

    init(lab: TestLab) throws {
        self.lab = lab
        underlay = "pt-underlay-\(lab.tag)"
        bridge = lab.linkName("ub")
        try Shell.run("ip", "netns", "add", underlay)
        lab.onCleanup { [underlay] in _ = try? Shell.run(["ip", "netns", "del", underlay], check: false) }
        try lab.ip(underlay, "link", "set", "lo", "up")
        try lab.ip(underlay, "link", "add", bridge, "type", "bridge")
        try lab.ip(underlay, "addr", "add", "\(Self.underlayPrefix).1/24", "dev", bridge)
        try lab.ip(underlay, "link", "set", bridge, "up")
    }

    /// Adds host number `hosts.count + 1`: sandbox, uplink veth, underlay address 10.213.250.(10+n).
    @discardableResult
    func addHost() throws -> Host {
        let n = hosts.count + 1
        // The sandbox's init mounts a private /run (its own /run/netns) and sleeps; the mount namespace is
        // private (unshare makes propagation private), so nothing of it reaches the machine's /run.
        let spawned = try Shell.spawn(["unshare", "--net", "--pid", "--mount", "--fork", "--mount-proc", "sh", "-c",
                                       "mount -t tmpfs none /run && mkdir -p /run/netns && exec sleep 3600"])
        var inner: pid_t?
        lab.onCleanup {
            // Killing PID 1 of the PID namespace ends every process in it (agents, pings).
            if let inner { kill(inner, SIGKILL) }
            kill(spawned.pid, SIGKILL)
            spawned.waitUntilExit()
        }
        inner = try Self.waitForSleepingChild(of: spawned.pid)
        guard let pid = inner else { throw Shell.Failed(command: ["unshare"], status: 1, stderr: "no sandbox init") }
        let outside = lab.linkName("u\(n)"), inside = lab.linkName("e\(n)")
        try lab.ip(underlay, "link", "add", outside, "type", "veth", "peer", "name", inside, "netns", "/proc/\(pid)/ns/net")
        try lab.ip(underlay, "link", "set", outside, "master", bridge)
        try lab.ip(underlay, "link", "set", outside, "up")
        let address = "\(Self.underlayPrefix).\(10 + n)"
        let stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-state-\(lab.tag)-host\(n)").path
        lab.onCleanup { try? FileManager.default.removeItem(atPath: stateDir) }
        let host = Host(name: "host\(n)", pid: pid, address: address, uplink: inside, stateDir: stateDir)
        try run(host, ["ip", "link", "set", "lo", "up"])
        try run(host, ["ip", "addr", "add", "\(address)/24", "dev", inside])
        try run(host, ["ip", "link", "set", inside, "up"])
        hosts.append(host)
        return host
    }

    /// The sleeping init of a sandbox (the child `unshare --fork` made), once it has mounted its /run.
    private static func waitForSleepingChild(of parent: pid_t) throws -> pid_t {
        try firstChild(of: parent, within: 10, what: "the sandbox's init") { child in
            (try? String(contentsOfFile: "/proc/\(child)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) == "sleep"
        }
    }

    /// The first child of `parent` that `ready` accepts (`nsenter -p` and `unshare --fork` run the command as a
    /// child), polled until `seconds` have passed.
    private static func firstChild(of parent: pid_t, within seconds: Double, what: String,
                                   ready: (pid_t) -> Bool = { _ in true }) throws -> pid_t {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let children = (try? String(contentsOfFile: "/proc/\(parent)/task/\(parent)/children", encoding: .utf8)) ?? ""
            if let child = children.split(separator: " ").first.flatMap({ pid_t($0) }), ready(child) { return child }
            usleep(5_000)
        }
        throw Shell.Failed(command: ["pid \(parent)"], status: 1, stderr: "\(what) did not start within \(Int(seconds)) s")
    }

    /// `nsenter` into the host: its network, mount and PID namespaces.
    func enter(_ host: Host) -> [String] {
        ["nsenter", "-t", String(host.pid), "-n", "-m", "-p"]
    }

    @discardableResult
    func run(_ host: Host, _ args: [String], check: Bool = true) throws -> String {
        try Shell.run(enter(host) + args, check: check)
    }

    func result(_ host: Host, _ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try Shell.result(enter(host) + args)
    }

    /// The plumb binary inside `host`, with its private state directory and the cluster store.
    /// `stateDir: false` for commands without one (`snapshot`).
    func plumb(_ host: Host, _ args: [String], store: Bool = true, stateDir: Bool = true) throws -> (status: Int32, stdout: String, stderr: String) {
        var all = args + (stateDir ? ["--state-dir", host.stateDir] : [])
        if store, let etcdEndpoint { all += ["--store", etcdEndpoint, "--host-id", host.name] }
        return try Shell.result(enter(host) + [CLITests.binary] + all)
    }

    /// A container stand-in inside `host`: a named namespace in the host's own /run/netns.
    func addContainer(_ host: Host, _ suffix: String) throws -> String {
        let name = lab.nsName(suffix)
        try run(host, ["ip", "netns", "add", name])
        try run(host, ["ip", "-n", name, "link", "set", "lo", "up"])
        return name
    }

    /// A long-running process inside `host` (an agent). Returns its PID as the machine sees it, for ending it by
    /// PID; it also ends with the sandbox. `log` gets its output.
    func spawn(_ host: Host, _ args: [String], log: String) throws -> pid_t {
        let outer = try Shell.spawn(enter(host) + args, log: log)
        lab.onCleanup { kill(outer.pid, SIGKILL); outer.waitUntilExit() }
        // nsenter -p forks: the process inside is its child.
        return try Self.firstChild(of: outer.pid, within: 5, what: "\(args.first ?? "") inside \(host.name)")
    }

    private var etcd: Spawned?

    /// Starts etcd in the underlay namespace on 10.213.250.1 with a private data directory; ended by PID. A
    /// second call after `killEtcd()` restarts it on the same data.
    @discardableResult
    func startEtcd() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-etcd-\(lab.tag)").path
        if !FileManager.default.fileExists(atPath: dir) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            lab.onCleanup { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: dir + ".log") }
        }
        let client = "http://\(Self.underlayPrefix).1:2379", peer = "http://\(Self.underlayPrefix).1:2380"
        let etcd = try Shell.spawn(["ip", "netns", "exec", underlay, "etcd", "--name", "pt-\(lab.tag)", "--data-dir", dir,
                                    "--listen-client-urls", client, "--advertise-client-urls", client,
                                    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                                    "--initial-cluster", "pt-\(lab.tag)=\(peer)"], log: dir + ".log")
        self.etcd = etcd
        lab.onCleanup { kill(etcd.pid, SIGKILL); etcd.waitUntilExit() }
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if let r = try? Shell.result(["ip", "netns", "exec", underlay, "etcdctl", "--endpoints", client, "endpoint", "health"]),
               r.status == 0 {
                etcdEndpoint = "etcd://\(Self.underlayPrefix).1:2379"
                return etcdEndpoint!
            }
            guard etcd.isRunning else { break }
            usleep(100_000)
        }
        let log = (try? String(contentsOfFile: dir + ".log", encoding: .utf8)) ?? ""
        throw Shell.Failed(command: ["etcd"], status: 1, stderr: "etcd did not become healthy: \(log.suffix(500))")
    }

    /// Ends etcd by its PID (a crash: nothing is revoked).
    func killEtcd() {
        guard let etcd else { return }
        kill(etcd.pid, SIGKILL)
        etcd.waitUntilExit()
        self.etcd = nil
    }

    /// `bridge -j fdb show dev LINK` inside `host`: (mac, dst) of the device's own entries with a destination.
    func forwardingEntries(_ host: Host, dev: String) throws -> Set<String> {
        let text = try run(host, ["bridge", "-j", "fdb", "show", "dev", dev])
        let rows = (try JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] ?? []
        return Set(rows.compactMap { row in
            guard let mac = row["mac"] as? String, let dst = row["dst"] as? String else { return nil }
            return "\(mac) \(dst)"
        })
    }

    /// `ip -j neigh show dev LINK nud permanent` inside `host`: "ip mac" of each.
    func permanentNeighbors(_ host: Host, dev: String) throws -> Set<String> {
        let text = try run(host, ["ip", "-j", "neigh", "show", "dev", dev, "nud", "permanent"])
        let rows = (try JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] ?? []
        return Set(rows.compactMap { row in
            guard let ip = row["dst"] as? String, let mac = row["lladdr"] as? String else { return nil }
            return "\(ip) \(mac)"
        })
    }
}
