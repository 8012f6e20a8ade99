import Foundation
import Glibc
import XCTest

/// Runs oracle tools (ip, lsns, iptables-save, ...) for the integration tests. Arguments are argv arrays.
enum Shell {
    struct Failed: Error, CustomStringConvertible {
        var command: [String]; var status: Int32; var stderr: String
        var description: String { "`\(command.joined(separator: " "))` exited \(status): \(stderr)" }
    }

    static func path(_ tool: String) -> String {
        for dir in ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        where FileManager.default.isExecutableFile(atPath: "\(dir)/\(tool)") { return "\(dir)/\(tool)" }
        return tool
    }

    /// Runs and returns stdout; throws when the command fails and `check` is set.
    @discardableResult
    static func run(_ args: [String], check: Bool = true) throws -> String {
        let r = try result(args)
        if check && r.status != 0 { throw Failed(command: args, status: r.status, stderr: r.stderr) }
        return r.stdout
    }

    @discardableResult
    static func run(_ args: String...) throws -> String { try run(args) }

    /// posix_spawn + waitpid, output through temporary files. Foundation's Process waits for exits with a run
    /// loop that was seen to miss the exit of a child which itself left daemons behind (`plumb lab up`), so the
    /// oracles do not use it.
    static func result(_ args: [String], env: [String: String] = [:], stdin: String? = nil) throws
        -> (status: Int32, stdout: String, stderr: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-sh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outPath = dir.appendingPathComponent("out").path, errPath = dir.appendingPathComponent("err").path
        var fa: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fa)
        defer { posix_spawn_file_actions_destroy(&fa) }
        let inPath = dir.appendingPathComponent("in").path
        if let stdin { try stdin.write(toFile: inPath, atomically: false, encoding: .utf8) }
        posix_spawn_file_actions_addopen(&fa, 0, stdin == nil ? "/dev/null" : inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fa, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&fa, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path(args[0])] + args.dropFirst()).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let merged = ProcessInfo.processInfo.environment.merging(env) { _, new in new }
        let envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0]!, &fa, nil, argv, envp)
        guard rc == 0 else { throw Failed(command: args, status: rc, stderr: String(cString: strerror(rc))) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : (status & 0x7f)
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (code, out, err)
    }

    /// Runs a command whose children may outlive it (a tmux server); only the exit status matters.
    @discardableResult
    static func detached(_ args: [String]) throws -> Int32 { try result(args).status }

    static func json(_ args: [String]) throws -> Any {
        let text = try run(args)
        return try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    /// Starts a long-lived helper process; tests end it by its pid (TestLab.ownProcess). `log`: a file that
    /// gets its stdout and stderr (for a daemon's own words when it fails to start).
    static func spawn(_ args: [String], log: String? = nil) throws -> Spawned {
        var fa: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fa)
        defer { posix_spawn_file_actions_destroy(&fa) }
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)
        for fd in Int32(1)...2 {
            posix_spawn_file_actions_addopen(&fa, fd, log ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o600)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([path(args[0])] + args.dropFirst()).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // Default signal actions and no blocked signal in the child: code under test in this process (the capture
        // command's signal handling) sets SIGINT/SIGTERM/SIGPIPE to ignored, which exec keeps, and a helper
        // such as pasta refuses to start with them ("Couldn't install signal handlers").
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0]!, &fa, &attr, argv, environ)
        guard rc == 0 else { throw Failed(command: args, status: rc, stderr: String(cString: strerror(rc))) }
        return Spawned(pid: pid)
    }
}

/// A child process started by a test, reaped with waitpid (not Foundation's run-loop monitor).
final class Spawned: @unchecked Sendable {
    let pid: Int32
    private var exited = false
    init(pid: Int32) { self.pid = pid }
    var processIdentifier: Int32 { pid }
    var isRunning: Bool {
        if exited { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { exited = true }
        return !exited
    }
    func waitUntilExit() {
        if exited { return }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        exited = true
    }
}

/// What an integration test says when it is run without root.
struct NeedsRoot: Error, CustomStringConvertible {
    let description = "needs root: integration tests create namespaces, links and firewall rules in the kernel; "
        + "run them as root (sudo make test)"
}

/// The base of every integration test class. Without root each test fails before its setUp with one line that
/// says why, instead of a cascade of EPERMs; it never skips, because a skipped integration suite looks green.
class RootTestCase: XCTestCase {
    override func invokeTest() {
        guard getuid() == 0 else { return XCTFail(NeedsRoot().description) }
        super.invokeTest()
    }
}

/// For code that may run outside a RootTestCase test: throws the same message.
func requireRoot() throws {
    if getuid() != 0 { throw NeedsRoot() }
}
