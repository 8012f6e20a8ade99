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

    /// Starts a container as a new user whose runtime directory is `runtimeDirectory(uid, testDirectory)` and
    /// checks what Plumb says about it.
    func runRootlessContainer(runtimeDirectory: (UInt32, String) -> String) throws {
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
        // Before the user goes: the container, then whatever of the user's is left (podman's pause process,
        // conmon), each by its pid.
        undo.append {
            _ = try? Shell.result(Self.podman(user, home, runtimeDir, ["rm", "-f", "-t", "0", "-a"]))
            let pids = ((try? Shell.run(["pgrep", "-u", String(uid)], check: false)) ?? "")
                .split(separator: "\n").compactMap { pid_t($0) }
            for pid in pids { RuntimeHost.stop(pid: pid, grace: 2) }
        }
        let tar = try RuntimeHost.busyboxTar(in: home)
        try Shell.run("chown", "-R", "\(uid):\(uid)", home, runtimeDir)
        try Shell.run("chmod", "700", runtimeDir)

        let imported = try Shell.result(Self.podman(user, home, runtimeDir, ["import", tar, "pt-busybox"]))
        XCTAssertEqual(imported.status, 0, "rootless podman import: \(imported.stderr)")
        let started = try Shell.result(Self.podman(user, home, runtimeDir, ["run", "-d", "--name", name, "--network", "none",
                                                                             "pt-busybox", "sleep", "120"]))
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
