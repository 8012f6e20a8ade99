import Glibc
import CLinuxShims
import PlumbSystem

/// Runs a helper tool (iptables-save, nft) from the *calling thread*, so the child inherits the network
/// namespace that thread entered. Arguments are passed as an argv array: nothing goes through `sh -c`.
public enum CommandRunner {
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        public var stderrText: String { String(decoding: stderr, as: UTF8.self).trimmingSpaces }
    }

    static let searchPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    /// Absolute path of a tool, or nil when it is not installed.
    public static func which(_ tool: String) -> String? {
        if tool.hasPrefix("/") { return access(tool, X_OK) == 0 ? tool : nil }
        for dir in searchPath where access("\(dir)/\(tool)", X_OK) == 0 { return "\(dir)/\(tool)" }
        return nil
    }

    /// Runs `path args`, feeding `stdin` (e.g. an iptables-restore batch) when given. `environment` adds
    /// variables to the minimal PATH/LC_ALL one (CNI plugins take their arguments as CNI_* variables).
    ///
    /// With `stdout` given, the output is handed to it chunk by chunk as the tool writes it (and `Output.stdout`
    /// stays empty): the caller can parse while the tool still runs.
    public static func run(_ path: String, _ args: [String], stdin input: [UInt8]? = nil,
                           environment: [String] = [],
                           stdout consume: ((UnsafeBufferPointer<UInt8>) -> Void)? = nil) throws -> Output {
        let outPipe = try Self.pipe(path), errPipe = try Self.pipe(path)
        let outRead = outPipe.readEnd, outWrite = outPipe.writeEnd
        let errRead = errPipe.readEnd, errWrite = errPipe.writeEnd
        // A 1 MiB pipe (F_SETPIPE_SZ; pages are only used as data arrives): iptables-save's 3 MB for 20,000 rules
        // then costs a few wake-ups of each side instead of one per 64 KiB. Failing leaves the default size.
        try? outWrite.setPipeSize(1 << 20)
        let argv = cStrings([path] + args)
        let envp = cStrings(["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"] + environment)
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        var inRead: FileDescriptor? = nil, inWrite: FileDescriptor? = nil
        if input != nil {
            let inPipe = try Self.pipe(path)
            inRead = .some(inPipe.readEnd); inWrite = .some(inPipe.writeEnd)
        }
        let rc = plumb_spawn(path, argv, envp, inRead?.rawValue ?? -1, outWrite.rawValue, errWrite.rawValue, &pid)
        // The child has its own copies of its ends: close ours, so the output ends when the child exits.
        try? outWrite.close(); try? errWrite.close()
        inRead = nil
        if rc == 0, let input, let w = inWrite.take() {
            // Batches are small (kilobytes); the tool reads all of stdin before writing much, so write it all
            // first (a tool that exits early makes the write fail: its status says why), then close it (EOF).
            try? w.writeAll(input)
        }
        inWrite = nil
        if rc != 0 { throw SystemError("posix_spawn", path, errno: rc) }
        // stderr of these tools is small; read stdout to EOF first, then stderr.
        var out: [UInt8] = []
        if let consume { FileReader.readChunks(outRead, consume) } else { out = FileReader.readAll(outRead) ?? [] }
        let err = FileReader.readAll(errRead, limit: 1 << 16) ?? []
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Output(status: code, stdout: out, stderr: err)
    }

    /// Starts a long-lived process (in the calling thread's namespace) and returns its pid without waiting.
    public static func spawnDetached(_ path: String, _ args: [String]) throws -> Int32 {
        let argv = cStrings([path] + args)
        let envp = cStrings(["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"])
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = plumb_spawn_detached(path, argv, envp, &pid)
        if rc != 0 { throw SystemError("posix_spawn", path, errno: rc) }
        return pid
    }

    private static func pipe(_ path: String) throws(SystemError) -> PipeDescriptors {
        do { return try PipeDescriptors() } catch { throw SystemError("pipe2", path, errno: error.code) }
    }

    /// A NULL-terminated, malloc'd argv (freed by the caller).
    static func cStrings(_ strings: [String]) -> [UnsafeMutablePointer<CChar>?] {
        var out = [UnsafeMutablePointer<CChar>?]()
        for s in strings { out.append(s.withCString { strdup($0) }) }
        out.append(nil)
        return out
    }
}
