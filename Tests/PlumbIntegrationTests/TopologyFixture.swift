import Foundation
import XCTest

/// A real topology covering every way a namespace can be held and every kind of wiring Plumb reads:
///
///   pt-T-sw   a "switch" namespace with bridge ptTbr (10.213.1.1/24) and ports ptTpa, ptTpb
///   pt-T-a    eth0 10.213.1.2/24, veth peer ptTpa (in pt-T-sw); iptables chain PT-COUNT counts ICMP
///   pt-T-b    eth0 10.213.1.3/24, veth peer ptTpb (in pt-T-sw)
///   pt-T-c    cpar: veth parent (peer cpeer in pt-T-d) of a macvlan that lives in pt-T-e
///   pt-T-h1/h2  veth underlay u1/u2 10.213.2.1-2/24 and a VXLAN (VNI 42, dstport 4789) 10.213.3.1-2/24
///   host      ptThost, a veth whose peer is eth1 in pt-T-a
///   anonymous a namespace held only by a process (unshare -n sleep)
///   mount     a namespace held only by a bind mount outside /run/netns
///   fd        a namespace held only by an open fd of a process in the host
final class TopologyFixture {
    let lab = TestLab()
    var sw = "", a = "", b = "", c = "", d = "", e = "", h1 = "", h2 = ""
    var anonymousPid: Int32 = 0
    var mountPath = ""
    var fdHolderPid: Int32 = 0
    var hostVeth = ""
    var bridge = ""

    func build() throws {
        let L = lab.linkName
        sw = try lab.addNamespace("sw"); a = try lab.addNamespace("a"); b = try lab.addNamespace("b")
        c = try lab.addNamespace("c"); d = try lab.addNamespace("d"); e = try lab.addNamespace("e")
        h1 = try lab.addNamespace("h1"); h2 = try lab.addNamespace("h2")

        bridge = L("br")
        try lab.ip(sw, "link", "add", bridge, "type", "bridge", "stp_state", "0", "forward_delay", "0")
        try lab.ip(sw, "addr", "add", "10.213.1.1/24", "dev", bridge)
        try lab.ip(sw, "link", "set", bridge, "up")
        for (ns, port, addr) in [(a, L("pa"), "10.213.1.2/24"), (b, L("pb"), "10.213.1.3/24")] {
            try lab.ip(sw, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns)
            try lab.ip(sw, "link", "set", port, "master", bridge, "up")
            try lab.ip(ns, "addr", "add", addr, "dev", "eth0")
            try lab.ip(ns, "link", "set", "eth0", "up")
        }
        try lab.ip(a, "route", "add", "default", "via", "10.213.1.1")

        // macvlan on a veth parent, the macvlan moved to a third namespace.
        try lab.ip(c, "link", "add", "cpar", "type", "veth", "peer", "name", "cpeer", "netns", d)
        try lab.ip(c, "link", "set", "cpar", "up")
        try lab.ip(d, "link", "set", "cpeer", "up")
        try lab.ip(c, "link", "add", "mv0", "link", "cpar", "type", "macvlan", "mode", "bridge")
        try lab.ip(c, "link", "set", "mv0", "netns", e)
        try lab.ip(e, "addr", "add", "10.213.4.2/24", "dev", "mv0")
        try lab.ip(e, "link", "set", "mv0", "up")

        // VXLAN over a veth underlay between two "hosts".
        try lab.ip(h1, "link", "add", "u1", "type", "veth", "peer", "name", "u2", "netns", h2)
        for (ns, u, ua, va, remote, local) in [(h1, "u1", "10.213.2.1/24", "10.213.3.1/24", "10.213.2.2", "10.213.2.1"),
                                               (h2, "u2", "10.213.2.2/24", "10.213.3.2/24", "10.213.2.1", "10.213.2.2")] {
            try lab.ip(ns, "addr", "add", ua, "dev", u)
            try lab.ip(ns, "link", "set", u, "up")
            try lab.ip(ns, "link", "add", "vx0", "type", "vxlan", "id", "42", "remote", remote, "local", local,
                       "dstport", "4789", "dev", u)
            try lab.ip(ns, "addr", "add", va, "dev", "vx0")
            try lab.ip(ns, "link", "set", "vx0", "up")
        }

        // A veth from the host into pt-T-a (no addresses on the host side, no host routes touched).
        hostVeth = L("host")
        try lab.ip(nil, "link", "add", hostVeth, "type", "veth", "peer", "name", "eth1", "netns", a)
        lab.ownHostLink(hostVeth)

        // iptables in pt-T-a: a user chain that counts ICMP.
        try Shell.run("ip", "netns", "exec", a, "iptables", "-N", "PT-COUNT")
        try Shell.run("ip", "netns", "exec", a, "iptables", "-A", "INPUT", "-j", "PT-COUNT")
        try Shell.run("ip", "netns", "exec", a, "iptables", "-A", "PT-COUNT", "-p", "icmp", "-m", "comment",
                      "--comment", "pt test -j counts", "-j", "ACCEPT")

        // Namespaces held in the three other ways.
        let anon = try Shell.spawn(["unshare", "-n", "sleep", "600"])
        lab.ownProcess(anon)
        anonymousPid = anon.processIdentifier

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-mnt-\(lab.tag)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        mountPath = dir.appendingPathComponent("ns").path
        _ = FileManager.default.createFile(atPath: mountPath, contents: nil)
        lab.onCleanup { try? FileManager.default.removeItem(at: dir) }
        let tmp = try Shell.spawn(["unshare", "-n", "sleep", "600"])
        lab.ownProcess(tmp)
        try waitForNamespaceSwitch(tmp.processIdentifier)
        try Shell.run("mount", "--bind", "/proc/\(tmp.processIdentifier)/ns/net", mountPath)
        lab.onCleanup { [mountPath] in _ = try? Shell.run(["umount", mountPath], check: false) }
        kill(tmp.processIdentifier, SIGKILL); tmp.waitUntilExit()

        let fdNs = try lab.addNamespace("fd")
        // A constant script (no user text): open the namespace file as fd 3, then become sleep.
        let holder = try Shell.spawn(["sh", "-c", "exec 3</run/netns/\(fdNs); exec sleep 600"])
        lab.ownProcess(holder)
        fdHolderPid = holder.processIdentifier
        try waitForFd(pid: fdHolderPid, fd: 3)
        try Shell.run("ip", "netns", "del", fdNs)

        try waitForNamespaceSwitch(anonymousPid)
        // Traffic so counters move: over the bridge, and over the VXLAN.
        try lab.ping(from: b, "10.213.1.2")
        try lab.ping(from: h1, "10.213.3.2")
    }

    /// `unshare` execs sleep after switching namespaces: wait until the pid's namespace differs from ours.
    private func waitForNamespaceSwitch(_ pid: Int32) throws {
        let mine = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net")
        for _ in 0..<200 {
            if let theirs = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net"),
               theirs != mine,
               let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8), comm.hasPrefix("sleep") {
                return
            }
            usleep(10_000)
        }
        throw Shell.Failed(command: ["unshare"], status: -1, stderr: "pid \(pid) never entered a new namespace")
    }

    private func waitForFd(pid: Int32, fd: Int32) throws {
        for _ in 0..<200 {
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) != nil,
               let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8), comm.hasPrefix("sleep") {
                return
            }
            usleep(10_000)
        }
        throw Shell.Failed(command: ["sh"], status: -1, stderr: "fd holder \(pid) never opened its namespace")
    }

    /// nsfs inode of a path (/run/netns/x, /proc/PID/ns/net).
    static func inode(_ path: String) throws -> UInt64 {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw Shell.Failed(command: ["stat", path], status: errno, stderr: "cannot stat \(path)")
        }
        return UInt64(st.st_ino)
    }
}
