import Foundation
import Glibc
import XCTest

/// Rootful podman run in a RuntimeHost's network namespace with every piece of state private to the test:
/// `--root`/`--runroot`/`--tmpdir` and the network configs in the host's temporary directory, runc, the
/// cgroupfs manager, vfs storage, and the network backend asked for (CNI, Debian's default for podman 4.3,
/// or netavark). The CNI plugins and netavark run where podman runs, so the bridge and the CNI-*/NETAVARK-*
/// chains land in the test's namespace. `cleanup()` removes every container (ending the conmon of any that
/// refuses, by PID) and every network.
final class PodmanRunner: @unchecked Sendable {
    enum Backend: String { case cni, netavark }
    let host: RuntimeHost
    let backend: Backend
    private let root: String
    static let image = "pt-busybox"

    init(host: RuntimeHost, backend: Backend) throws {
        self.host = host
        self.backend = backend
        root = "\(host.dir)/podman-\(backend.rawValue)"
        for d in ["net", "tmp"] { try FileManager.default.createDirectory(atPath: "\(root)/\(d)", withIntermediateDirectories: true) }
        host.onCleanup { [self] in cleanup() }
        let r = try Shell.result(podman(["import", host.busyboxTar, Self.image]))
        guard r.status == 0 else {
            throw Shell.Failed(command: podman(["import"]), status: r.status, stderr: "podman cannot run here: \(r.stderr)")
        }
    }

    func podman(_ args: [String]) -> [String] {
        host.inHost(["podman", "--root", "\(root)/root", "--runroot", "\(root)/runroot", "--tmpdir", "\(root)/tmp",
                     "--runtime", "runc", "--cgroup-manager", "cgroupfs", "--events-backend", "file",
                     "--storage-driver", "vfs", "--network-config-dir", "\(root)/net",
                     "--network-backend", backend.rawValue] + args)
    }

    @discardableResult
    func run(_ args: String...) throws -> String { try Shell.run(podman(args)) }

    /// `podman run -d` with the ulimits this machine needs, a private network and published ports.
    @discardableResult
    func start(_ name: String, network: String, publish: [String], _ command: String...) throws -> String {
        try Shell.run(podman(["run", "-d", "--name", name, "--network", network,
                              "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"]
                             + publish.flatMap { ["-p", $0] } + [Self.image] + command))
    }

    /// Removes every container (at once: `-t 0`) and every network this runner's podman knows.
    func removeAll() {
        let ids = ((try? Shell.run(podman(["ps", "-aq"]))) ?? "").split(separator: "\n").map(String.init)
        let conmons = ids.compactMap { id in
            (try? Shell.run(podman(["inspect", "--format", "{{.State.ConmonPid}}", id])))
                .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        if !ids.isEmpty { _ = try? Shell.result(podman(["rm", "-f", "-t", "0"] + ids)) }
        for pid in conmons where pid > 0 { RuntimeHost.stop(pid: pid, grace: 2) }
        let nets = ((try? Shell.run(podman(["network", "ls", "-q"]))) ?? "").split(separator: "\n").map(String.init)
        for n in nets where n != "podman" { _ = try? Shell.result(podman(["network", "rm", "-f", n])) }
    }

    private var cleaned = false
    func cleanup() {
        if cleaned { return }
        cleaned = true
        removeAll()
    }
}
