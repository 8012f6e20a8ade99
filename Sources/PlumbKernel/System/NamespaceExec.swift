import Glibc
import PlumbSystem
import CLinuxShims
import PlumbModel

/// Runs a command inside another process's namespaces (like `nsenter -t PID -a`) or inside one network
/// namespace (like `ip netns exec`), passing its exit status back. Used by `plumb exec` and the TUI's shell key.
public enum NamespaceExec {
    /// Which namespaces to enter.
    public enum Scope: Sendable, Equatable {
        /// Only this network namespace (opened and checked by `NamespaceOpener`).
        case network(NamespaceHandle)
        /// Every namespace of this process, like `nsenter -t PID -a`: cgroup, ipc, uts, net, pid, mnt, and its
        /// user namespace only when it differs from ours. `network` is the process's network namespace as the
        /// snapshot saw it: a pid reused by another process in another namespace fails as gone.
        case process(pid: Int32, network: NamespaceHandle)
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
        /// 126 (found but not runnable) or 127 (not found / could not enter), as shells report them.
        public let exitCode: Int32
    }

    /// Starts `argv` in `scope` with exactly `environment` (`KEY=VALUE`); returns the child's pid.
    /// `fallback` replaces a missing argv[0] (a $SHELL that does not exist inside a container).
    public static func start(_ argv: [String], in scope: Scope, environment: [String], fallback: String? = nil) throws -> Int32 {
        precondition(!argv.isEmpty, "argv needs the command")
        var files: [SharedFileDescriptor] = []
        var user: SharedFileDescriptor? = nil
        var entersPid = false
        switch scope {
        case .network(let handle):
            files.append(try opened(handle))
        case .process(let pid, let network):
            // nsenter's order; the mount namespace last because entering it changes root and cwd.
            for kind in ["cgroup", "ipc", "uts", "net", "pid", "mnt"] {
                let path = "/proc/\(pid)/ns/\(kind)"
                if kind == "pid", sameNamespace(path, "/proc/self/ns/pid") { continue }
                if kind == "net" { files.append(try opened(network)); continue }
                guard let fd = FileDescriptor.openIfPresent(path, O_RDONLY) else {
                    if errno == ENOENT, kind == "cgroup" { continue }  // kernels without cgroup namespaces
                    throw Failure(description: "cannot open \(path): \(errnoText()) (did process \(pid) exit?)", exitCode: 127)
                }
                files.append(SharedFileDescriptor(fd))
                if kind == "pid" { entersPid = true }
            }
            let userPath = "/proc/\(pid)/ns/user"
            if !sameNamespace(userPath, "/proc/self/ns/user") {
                guard let fd = FileDescriptor.openIfPresent(userPath, O_RDONLY) else {
                    throw Failure(description: "cannot open \(userPath): \(errnoText())", exitCode: 127)
                }
                user = SharedFileDescriptor(fd)
            }
        }
        let cArgv = CommandRunner.cStrings(argv)
        let cEnv = CommandRunner.cStrings(environment)
        defer { cArgv.forEach { free($0) }; cEnv.forEach { free($0) } }
        var pid: pid_t = 0
        var stage: Int32 = 0
        let fds = files.map(\.rawValue), userFd = user?.rawValue ?? -1
        let rc = withExtendedLifetime((files, user)) {  // the numbers are borrowed from these until the child started
            fds.withUnsafeBufferPointer { buf in
                plumb_exec_in(buf.baseAddress, Int32(buf.count), userFd, entersPid ? 1 : 0, cArgv, cEnv, fallback, &pid, &stage)
            }
        }
        guard rc == 0 else {
            let reason = String(cString: strerror(rc))
            switch stage {
            case 1: throw Failure(description: "cannot enter the namespaces of \(scopeText(scope)): \(reason)", exitCode: 127)
            case 2: throw Failure(description: "cannot become root in the user namespace of \(scopeText(scope)): \(reason)", exitCode: 127)
            case 4: throw Failure(description: "cannot run \(argv[0]) in \(scopeText(scope)): \(reason)",
                                  exitCode: rc == ENOENT ? 127 : 126)
            default: throw Failure(description: "cannot start \(argv[0]): \(reason)", exitCode: 127)
            }
        }
        return pid
    }

    /// Waits for a started command; its exit code, or 128+signal like a shell.
    public static func wait(_ pid: Int32) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return 127 }
        }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Runs and waits with the terminal's SIGINT/SIGQUIT left to the command (as system(3) does), so Ctrl-C in
    /// a shell reaches the shell, not plumb.
    public static func run(_ argv: [String], in scope: Scope, environment: [String], fallback: String? = nil) throws -> Int32 {
        let oldInt = signal(SIGINT, SIG_IGN)
        let oldQuit = signal(SIGQUIT, SIG_IGN)
        defer { signal(SIGINT, oldInt); signal(SIGQUIT, oldQuit) }
        let pid = try start(argv, in: scope, environment: environment, fallback: fallback)
        return wait(pid)
    }

    private static func opened(_ handle: NamespaceHandle) throws -> SharedFileDescriptor {
        do { return SharedFileDescriptor(try NamespaceOpener.open(handle)) } catch {
            throw Failure(description: error.description, exitCode: 127)
        }
    }

    static func sameNamespace(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev
    }

    private static func scopeText(_ scope: Scope) -> String {
        switch scope {
        case .network(let h): return "namespace \(h)"
        case .process(let p, _): return "process \(p)"
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
