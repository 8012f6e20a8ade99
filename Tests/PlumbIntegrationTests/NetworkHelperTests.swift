import Foundation
import Glibc
import XCTest

/// A real slirp4netns serving test namespaces, as rootless Podman (a namespace path, `--netns-type=path`) and
/// rootlesskit (a process's pid) run it. slirp4netns runs here as root: /dev/net/tun is 0600 on this machine,
/// so an unprivileged one cannot open it; everything Plumb reads (slirp4netns's command line, the namespace it
/// serves, the tap inside) is the same whoever runs it. It is started with `--disable-host-loopback`,
/// `--disable-dns`, a 10.213.250.0/24 network, and no traffic is sent through it.
/// Plumb must still say what made each namespace, and name the helper with its pid and tap device.
final class NetworkHelperTests: RootTestCase {
    func testSlirp4netnsIsNamedAsTheHelperOfTheNamespacesItServes() throws {
        let tag = String(format: "%04x", Int.random(in: 0..<65536))
        let named = "pt-slirp\(tag)"
        var undo: [() -> Void] = []
        addTeardownBlock { for f in undo.reversed() { f() } }

        // An anonymous namespace made by `unshare --fork` (its sleep is unshare's child), served by pid.
        let unshared = try UnsharedSleep.start()
        undo.append { unshared.stop() }
        let child = unshared.child
        // A named one, served by path as Podman does.
        try Shell.run("ip", "netns", "add", named)
        undo.append { _ = try? Shell.result(["ip", "netns", "del", named]) }

        func slirp(_ target: [String], tap: String, cidr: String) throws -> Spawned {
            let s = try Shell.spawn(["slirp4netns", "--configure", "--mtu=65520", "--disable-host-loopback", "--disable-dns",
                                     "--cidr=\(cidr)"] + target + [tap])
            undo.append { RuntimeHost.stop(pid: s.pid, grace: 2); s.waitUntilExit() }
            return s
        }
        let byPid = try slirp(["\(child)"], tap: "pttap0", cidr: "10.213.250.0/24")
        let byPath = try slirp(["--netns-type=path", "/run/netns/\(named)"], tap: "pttap1", cidr: "10.213.251.0/24")
        for (ns, tap) in [("/proc/\(child)/ns/net", "pttap0"), ("/run/netns/\(named)", "pttap1")] {
            XCTAssertTrue(RuntimeHost.wait(5) {
                (try? Shell.run("nsenter", "--net=\(ns)", "ip", "-4", "-o", "addr", "show", tap))?.contains("10.213.25") == true
            }, "slirp4netns configured \(tap) in \(ns)")
        }

        let rows = try NamespaceListing.rows()
        func helper(_ row: [String: Any]?) -> String {
            guard let h = row?["helper"] as? [String: Any] else { return "none" }
            return "\(h["program"] as? String ?? "?") \(h["pid"] as? Int ?? 0) \(h["link"] as? String ?? "-")"
        }
        let anonymous = rows.first { ($0["id"] as? NSNumber)?.uint64Value == Self.netns(child) }
        XCTAssertEqual(helper(anonymous), "slirp4netns \(byPid.pid) pttap0", "\(String(describing: anonymous))")
        XCTAssertEqual((anonymous?["why"] as? [String: Any])?["maker"] as? String, "unshare",
                       "what made the namespace is still said: the helper only serves it")
        let path = rows.first { ($0["names"] as? [String]) == [named] }
        XCTAssertEqual(helper(path), "slirp4netns \(byPath.pid) pttap1", "\(String(describing: path))")
        XCTAssertEqual((path?["why"] as? [String: Any])?["maker"] as? String, "ip netns")
        XCTAssertNil(rows.first { ($0["isHost"] as? Bool) == true }?["helper"], "the helper's own namespace is not served")

        let text = try Shell.run(CLITests.binary, "snapshot", "pid:\(child)")
        XCTAssertTrue(text.contains("network from slirp4netns (pid \(byPid.pid)) on pttap0"), text)
    }

    /// A real pasta (Debian's passt package) serving a test namespace as Podman 4.4+ runs it: `--netns PATH`,
    /// with its tap named by `-I`. Debian 12's Podman (4.3) has no `--network pasta`, so pasta is run directly,
    /// as root like the slirp4netns test above: `--runas 0` keeps it root (it would drop to nobody and then
    /// could not enter a namespace the host's user namespace owns), `-f` keeps its pid, and no port is
    /// forwarded either way (`-t/-u/-T/-U none`); its network is 10.213.249.0/24, no traffic is sent. (pasta's
    /// PID form cannot be run as root here: with its capabilities dropped it may not open /proc/PID/ns/*; it is
    /// covered by NetworkHelpersTests.) Its comm is "passt.avx2" (pasta is a link to passt, which re-execs its
    /// AVX2 build): Plumb must still name it pasta, for the namespace it serves, with the tap.
    func testPastaIsNamedAsTheHelperOfTheNamespaceItServes() throws {
        let named = "pt-pasta\(String(format: "%04x", Int.random(in: 0..<65536)))"
        var undo: [() -> Void] = []
        addTeardownBlock { for f in undo.reversed() { f() } }
        try Shell.run("ip", "netns", "add", named)
        undo.append { _ = try? Shell.result(["ip", "netns", "del", named]) }
        // pasta's own words go to a log, shown if it does not configure its tap in time (once in a full run it
        // stayed up without configuring it for 5 s; alone it takes under 0.3 s).
        let log = NSTemporaryDirectory() + "\(named).log"
        undo.append { try? FileManager.default.removeItem(atPath: log) }
        let pasta = try Shell.spawn(["pasta", "-f", "-4", "--runas", "0", "-t", "none", "-u", "none", "-T", "none", "-U", "none",
                                     "-D", "none", "-a", "10.213.249.3", "-n", "24", "-g", "10.213.249.1", "-I", "pttap3",
                                     "--config-net", "--netns", "/run/netns/\(named)"], log: log)
        undo.append { RuntimeHost.stop(pid: pasta.pid, grace: 2); pasta.waitUntilExit() }
        XCTAssertTrue(RuntimeHost.wait(20) {
            (try? Shell.run("ip", "-n", named, "-4", "-o", "addr", "show", "pttap3"))?.contains("10.213.249.3") == true
        }, "pasta configured pttap3 in \(named); its log: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "none")")
        let comm = (try? String(contentsOfFile: "/proc/\(pasta.pid)/comm", encoding: .utf8)) ?? ""
        XCTAssertTrue(comm.hasPrefix("pass") || comm.hasPrefix("pasta"), "the pid is pasta's: comm \(comm)")

        let rows = try NamespaceListing.rows()
        let row = rows.first { ($0["names"] as? [String]) == [named] }
        let helper = row?["helper"] as? [String: Any]
        XCTAssertEqual(helper?["program"] as? String, "pasta", "\(String(describing: row))")
        XCTAssertEqual(helper?["pid"] as? Int, Int(pasta.pid))
        XCTAssertEqual(helper?["link"] as? String, "pttap3")
        XCTAssertEqual((row?["why"] as? [String: Any])?["maker"] as? String, "ip netns", "what made it is still said")
        XCTAssertNil(rows.first { ($0["isHost"] as? Bool) == true }?["helper"], "pasta's own namespace is not served")

        let text = try Shell.run(CLITests.binary, "snapshot", named)
        XCTAssertTrue(text.contains("network from pasta (pid \(pasta.pid)) on pttap3"), text)
    }

    /// Podman's own slirp4netns (`--network slirp4netns`, which rootful Podman runs too), in a test host
    /// namespace with state private to the test: Podman starts it with `--netns-type=path` on the container's
    /// /run/netns/netns-UUID. Plumb names the container and, for the same namespace, the helper and its tap.
    func testPodmansSlirp4netnsIsNamedForItsContainer() throws {
        let host = try RuntimeHost(label: "sl")
        addTeardownBlock { host.cleanup() }
        let podman = try PodmanRunner(host: host, backend: .netavark)
        let id = try podman.start("pt-slirp-pm", network: "slirp4netns:cidr=10.213.252.0/24,enable_ipv6=false", publish: [],
                                  "sleep", "120").trimmingCharacters(in: .whitespacesAndNewlines)
        var row: [String: Any]?
        XCTAssertTrue(RuntimeHost.wait(10) {
            row = (try? NamespaceListing.rows())?.first { r in
                (r["containers"] as? [[String: Any]] ?? []).contains { $0["id"] as? String == id } && r["helper"] != nil
            }
            return row != nil
        }, "the container \(id.prefix(12)) with its slirp4netns: \((try? NamespaceListing.rows()) ?? [])")
        let helper = row?["helper"] as? [String: Any]
        XCTAssertEqual(helper?["program"] as? String, "slirp4netns")
        XCTAssertEqual(helper?["link"] as? String, "tap0", "Podman names its tap tap0")
        let pid = try XCTUnwrap(helper?["pid"] as? Int)
        let argv = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
        XCTAssertTrue(argv.hasPrefix("/usr/bin/slirp4netns\u{0}") && argv.contains("--netns-type=path"),
                      "the pid is Podman's slirp4netns: \(argv.replacingOccurrences(of: "\u{0}", with: " "))")
    }

    static func netns(_ pid: Int32) -> UInt64? {
        var st = stat()
        return stat("/proc/\(pid)/ns/net", &st) == 0 ? UInt64(st.st_ino) : nil
    }
}
