import Foundation
import Glibc
import XCTest

/// A real rootless Podman: a user made by the test (`ptuser…`, with /etc/subuid and /etc/subgid ranges for
/// Debian's newuidmap), its runtime directory at /run/user/UID as pam_systemd makes it (or elsewhere), a busybox image
/// imported from a tar, and `podman run --network none` as that user. Plumb must name the container and show
/// who owns its namespace. Everything is removed afterwards, even on failure: the container, every process of
/// the user (by pid), the user, its subuid/subgid lines, its home and runtime directory.
final class RootlessPodmanTests: RootTestCase {
    func testRootlessContainerIsNamedAndOwnedByItsUser() throws {
        try runRootlessContainer(runtimeDirectory: { uid, _ in "/run/user/\(uid)" })
    }

    /// A session without pam_systemd: XDG_RUNTIME_DIR elsewhere (here under the test's directory). Plumb finds
    /// it from conmon's environment and proves the container by the pidfile there, not only by conmon's
    /// command line.
    func testRuntimeDirectoryElsewhereIsFoundFromTheRuntimesEnvironment() throws {
        try runRootlessContainer(runtimeDirectory: { _, dir in "\(dir)/xdg" })
    }

    /// Rootless Podman's own network helpers, where an unprivileged process can open /dev/net/tun. On this
    /// machine the node is 0600 (root only), so every podman command of the test runs in a private mount
    /// namespace with a 0666 tun node (same device, 10:200) bound over /dev/net/tun; the host's node is not
    /// touched. Podman's pause process, conmon and slirp4netns inherit that view, as on a distribution whose
    /// /dev/net/tun is 0666. Two namespaces get a helper: a `--network slirp4netns` container's own, and the
    /// shared rootless netns a user-defined network lives in. slirp4netns's networks are in 10.213.0.0/16.
    func testRootlessSlirp4netnsAndTheRootlessNetnsAreNamedWithTheirHelpers() throws {
        let r = try makeUser(runtimeDirectory: { uid, _ in "/run/user/\(uid)" }, tunUsable: true)
        // The rootless netns's slirp4netns takes its options from containers.conf, not from the command line.
        try FileManager.default.createDirectory(atPath: "\(r.home)/.config/containers", withIntermediateDirectories: true)
        try "[engine]\nnetwork_cmd_options = [\"cidr=10.213.246.0/24\", \"enable_ipv6=false\"]\n"
            .write(toFile: "\(r.home)/.config/containers/containers.conf", atomically: true, encoding: .utf8)
        try Shell.run("chown", "-R", "\(r.uid):\(r.uid)", "\(r.home)/.config")

        let slirp = "\(r.name)s", bridged = "\(r.name)b", net = "\(r.name)n"
        try r.podmanOK(["run", "-d", "--name", slirp, "--network", "slirp4netns:cidr=10.213.245.0/24,enable_ipv6=false",
                        "pt-busybox", "sleep", "120"])
        try r.podmanOK(["network", "create", "--subnet", "10.213.244.0/24", "--disable-dns", net])
        try r.podmanOK(["run", "-d", "--name", bridged, "--network", net, "pt-busybox", "sleep", "120"])

        var rows = [[String: Any]]()
        let shared = "rootless-netns (\(r.user))"
        func row(_ name: String) -> [String: Any]? {
            rows.first { ($0["containers"] as? [[String: Any]] ?? []).contains { $0["name"] as? String == name } }
        }
        XCTAssertTrue(RuntimeHost.wait(10) {
            rows = (try? NamespaceListing.rows()) ?? []
            return row(slirp)?["helper"] != nil && row(shared)?["helper"] != nil && row(bridged) != nil
        }, "both helpers and the bridged container: \(rows)")

        for name in [slirp, shared, bridged] {
            let owner = row(name)?["owner"] as? [String: Any]
            XCTAssertEqual(owner?["user"] as? String, r.user, "\(name) is owned by the test user")
            XCTAssertEqual(NamespaceListing.container(row(name), name)?["runtime"] as? String, "podman", name)
        }
        XCTAssertNil(row(bridged)?["helper"], "the bridged container reaches out through the rootless netns, not a helper of its own")
        for name in [slirp, shared] {
            let helper = row(name)?["helper"] as? [String: Any]
            XCTAssertEqual(helper?["program"] as? String, "slirp4netns", name)
            XCTAssertEqual(helper?["link"] as? String, "tap0", name)
            let pid = helper?["pid"] as? Int ?? 0
            let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
            XCTAssertTrue(status.contains("\nUid:\t\(r.uid)\t"), "\(name)'s slirp4netns (pid \(pid)) runs as the user: \(status.prefix(300))")
        }
        let helperPid = (row(slirp)?["helper"] as? [String: Any])?["pid"] as? Int ?? 0
        let id = (row(slirp)?["id"] as? NSNumber)?.uint64Value ?? 0
        let text = try Shell.run(CLITests.binary, "snapshot", "\(id)")
        XCTAssertTrue(text.contains("network from slirp4netns (pid \(helperPid)) on tap0")
                      && text.contains("owned by user \(r.user) (uid \(r.uid))"), text)
    }

    /// Starts a `--network none` container as a new user whose runtime directory is `runtimeDirectory(uid,
    /// testDirectory)` and checks what Plumb says about it.
    func runRootlessContainer(runtimeDirectory: (UInt32, String) -> String) throws {
        let r = try makeUser(runtimeDirectory: runtimeDirectory, tunUsable: false)
        let (user, uid, name, runtimeDir) = (r.user, r.uid, r.name, r.runtimeDir)
        let started = try Shell.result(r.podman(["run", "-d", "--name", name, "--network", "none", "pt-busybox", "sleep", "120"]))
        XCTAssertEqual(started.status, 0, "rootless podman run: \(started.stderr)")
        guard started.status == 0 else { return }

        var row: [String: Any]?
        XCTAssertTrue(RuntimeHost.wait(10) { row = try? NamespaceListing.row(container: name); return row != nil },
                      "the rootless container \(name) was not named: \((try? NamespaceListing.rows()) ?? [])")
        XCTAssertEqual(NamespaceListing.container(row, name)?["runtime"] as? String, "podman")
        // Proven by Podman's own pidfile in the run root under the runtime directory, wherever that is.
        let source = NamespaceListing.container(row, name)?["source"] as? String ?? ""
        XCTAssertTrue(source.hasPrefix("\(runtimeDir)/containers/") && source.hasSuffix("/userdata/pidfile"),
                      "the container is proven by its pidfile under \(runtimeDir): \(source)")
        let owner = row?["owner"] as? [String: Any]
        XCTAssertEqual(owner?["uid"] as? Int, Int(uid))
        XCTAssertEqual(owner?["user"] as? String, user)
        let map = owner?["uidMap"] as? [[String: Any]] ?? []
        XCTAssertTrue(map.contains { $0["inside"] as? Int == 0 && $0["outside"] as? Int == Int(uid) },
                      "root inside maps to the user: \(map)")
        let text = try Shell.run(CLITests.binary, "ns", "ls")
        XCTAssertTrue(text.contains("OWNER") && text.contains("\(user) (\(uid))"), text)
    }

    /// A test user and its rootless Podman, ready to run: the user (`ptuser…`) with its subuid/subgid range, a
    /// home under the test's directory, the runtime directory `runtimeDirectory(uid, testDirectory)`, and the
    /// busybox image imported. Everything is undone in the test's teardown, even when it fails.
    struct RootlessUser {
        let user: String, uid: UInt32, home: String, runtimeDir: String, name: String
        /// The directory the private tun node is mounted on, when podman runs with a usable /dev/net/tun.
        let tunDir: String?

        func podman(_ args: [String]) -> [String] {
            let command = RootlessPodmanTests.podman(user, home, runtimeDir, args)
            guard let tunDir else { return command }
            // A fixed script; the paths and the command come as its arguments.
            return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                    "mount -t tmpfs -o mode=755 pt-tun \"$1\" && mknod -m 666 \"$1/tun\" c 10 200 && "
                    + "mount --bind \"$1/tun\" /dev/net/tun && shift && exec \"$@\"", "sh", tunDir] + command
        }

        func podmanOK(_ args: [String]) throws {
            let r = try Shell.result(podman(args))
            XCTAssertEqual(r.status, 0, "rootless podman \(args.joined(separator: " ")): \(r.stderr)")
            if r.status != 0 { throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: r.stderr]) }
        }
    }

    func makeUser(runtimeDirectory: (UInt32, String) -> String, tunUsable: Bool) throws -> RootlessUser {
        let tag = String(format: "%04x", Int.random(in: 0..<65536))
        let user = "ptuser\(tag)", name = "pt-rl\(tag)"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-rl-\(tag)-\(UUID().uuidString.prefix(6))").path
        let home = "\(dir)/home"
        var undo: [() -> Void] = []
        addTeardownBlock { for f in undo.reversed() { f() } }

        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        undo.append { RuntimeHost.removeTree(dir) }
        try Shell.run("chmod", "755", dir)
        try Shell.run("useradd", "-M", "-d", home, "-s", "/bin/sh", user)
        undo.append { _ = try? Shell.result(["userdel", user]) }
        let uid = try XCTUnwrap(UInt32(Shell.run("id", "-u", user).trimmingCharacters(in: .whitespacesAndNewlines)))
        let range = "\(user):\(2_000_000 + Int.random(in: 0..<1000) * 65536):65536"
        for file in ["/etc/subuid", "/etc/subgid"] {
            let before = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            try (before + (before.isEmpty || before.hasSuffix("\n") ? "" : "\n") + range + "\n")
                .write(toFile: file, atomically: true, encoding: .utf8)
            undo.append { Self.removeLine(range, from: file) }
        }
        let runtimeDir = runtimeDirectory(uid, dir)
        try FileManager.default.createDirectory(atPath: (runtimeDir as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: runtimeDir, withIntermediateDirectories: false)
        undo.append { RuntimeHost.removeTree(runtimeDir) }
        var tunDir: String?
        if tunUsable {
            tunDir = "\(dir)/tun"
            try FileManager.default.createDirectory(atPath: tunDir!, withIntermediateDirectories: false)
        }
        let r = RootlessUser(user: user, uid: uid, home: home, runtimeDir: runtimeDir, name: name, tunDir: tunDir)
        // Before the user goes: the containers, then whatever of the user's is left (podman's pause process,
        // conmon, slirp4netns, aardvark-dns), each by its pid.
        undo.append {
            _ = try? Shell.result(r.podman(["rm", "-f", "-t", "0", "-a"]))
            let pids = ((try? Shell.run(["pgrep", "-u", String(uid)], check: false)) ?? "")
                .split(separator: "\n").compactMap { pid_t($0) }
            for pid in pids { RuntimeHost.stop(pid: pid, grace: 2) }
        }
        let tar = try RuntimeHost.busyboxTar(in: home)
        try Shell.run("chown", "-R", "\(uid):\(uid)", home, runtimeDir)
        try Shell.run("chmod", "700", runtimeDir)
        try r.podmanOK(["import", tar, "pt-busybox"])
        return r
    }

    /// podman as `user`, from its home, with the drivers this machine can run rootless (vfs storage, cgroupfs,
    /// runc, a file for events); the graph root stays the default under the home, which is what Plumb reads.
    static func podman(_ user: String, _ home: String, _ runtimeDir: String, _ args: [String]) -> [String] {
        ["runuser", "-u", user, "--", "env", "-C", home, "HOME=\(home)", "XDG_RUNTIME_DIR=\(runtimeDir)",
         "podman", "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "file",
         "--runtime", "runc"] + args
    }

    static func removeLine(_ line: String, from file: String) {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return }
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter { $0 != line }
        try? kept.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
    }
}
