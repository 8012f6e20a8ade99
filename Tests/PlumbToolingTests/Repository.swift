import Foundation

/// Paths in the source tree (these tests check the repository's scripts and documents, not a module).
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// Runs a program with `stdin` from a file; returns its exit status and stdout (empty when `stdoutFile`
    /// takes it).
    static func run(_ arguments: [String], stdinFile: String? = nil,
                    stdoutFile: String? = nil) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = root
        if let stdinFile { process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: stdinFile)) }
        let out = Pipe()
        if let stdoutFile {
            guard FileManager.default.createFile(atPath: stdoutFile, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: stdoutFile])
            }
            let file = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutFile))
            process.standardOutput = file
            process.standardError = file
        } else {
            process.standardOutput = out
        }
        try process.run()
        let data = stdoutFile == nil ? out.fileHandleForReading.readDataToEndOfFile() : Data()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
