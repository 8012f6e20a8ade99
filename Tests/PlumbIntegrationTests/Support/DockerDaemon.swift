import Foundation
import Glibc
import XCTest

/// A private dockerd (Debian's docker.io) inside a RuntimeHost's network namespace: vfs storage, its own
/// data root, exec root, pidfile and unix socket in the host's temporary directory, addresses from
/// 10.213.0.0/16. Its bridge docker0 and its DOCKER* chains land in that namespace. `stop()` removes every
/// container, ends dockerd by its PID (it ends its containerd) and unmounts what it left; the namespace goes
/// with the RuntimeHost. Starting fails loudly with dockerd's own last words.
final class DockerDaemon: @unchecked Sendable {
    let host: RuntimeHost
    let socket: String
    private var process: Spawned?
    static let image = "pt-busybox"

    init(host: RuntimeHost) throws {
        self.host = host
        let root = "\(host.dir)/docker"
        socket = "\(root)/docker.sock"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let log = "\(root)/dockerd.log"
        process = try Shell.spawn(host.inHost([
            "dockerd", "--storage-driver=vfs", "--data-root", "\(root)/data", "--exec-root", "\(root)/exec",
            "--pidfile", "\(root)/dockerd.pid", "-H", "unix://\(socket)", "--bip", "10.213.210.1/24",
            "--default-address-pool", "base=10.213.216.0/21,size=24", "--log-level", "warn",
        ]), log: log)
        host.onCleanup { [self] in stop() }
        let ready = RuntimeHost.wait(60) {
            (process?.isRunning ?? false) && ((try? Shell.result(docker(["version"])).status) == 0)
        }
        guard ready else {
            let words = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(8)
            throw Shell.Failed(command: ["dockerd"], status: -1, stderr: "dockerd did not start: " + words.joined(separator: "\n"))
        }
        try run("import", host.busyboxTar, Self.image)
    }

    func docker(_ args: [String]) -> [String] { ["docker", "-H", "unix://\(socket)"] + args }

    @discardableResult
    func run(_ args: String...) throws -> String { try Shell.run(docker(args)) }

    /// Removes every container and every user network (the test's own: the daemon is private).
    func removeAll() {
        let ids = ((try? Shell.run(docker(["ps", "-aq"]))) ?? "").split(separator: "\n").map(String.init)
        if !ids.isEmpty { _ = try? Shell.result(docker(["rm", "-f"] + ids)) }
        let nets = ((try? Shell.run(docker(["network", "ls", "-q", "--filter", "type=custom"]))) ?? "")
            .split(separator: "\n").map(String.init)
        if !nets.isEmpty { _ = try? Shell.result(docker(["network", "rm"] + nets)) }
    }

    func stop() {
        guard let p = process else { return }
        process = nil
        if p.isRunning { removeAll() }
        RuntimeHost.stop(pid: p.pid, grace: 15)
        p.waitUntilExit()
    }
}
