import Foundation
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

    static func result(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path(args[0]))
        p.arguments = Array(args.dropFirst())
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// Runs a command whose children may outlive it holding stdout (a tmux server): output is discarded, only
    /// the exit status is returned.
    @discardableResult
    static func detached(_ args: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path(args[0]))
        p.arguments = Array(args.dropFirst())
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    static func json(_ args: [String]) throws -> Any {
        let text = try run(args)
        return try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    /// Starts a long-lived helper process and returns its pid (tests end it by that pid).
    static func spawn(_ args: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path(args[0]))
        p.arguments = Array(args.dropFirst())
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }
}

/// Fails (never skips) when not root: the suite's integration half only means something as root.
func requireRoot(file: StaticString = #filePath, line: UInt = #line) throws {
    if getuid() != 0 {
        XCTFail("integration tests must run as root (make test runs them as root in CI)", file: file, line: line)
        throw XCTSkip("not root")  // unreachable in CI; the XCTFail above already failed the test
    }
}
