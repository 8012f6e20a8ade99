import Foundation
import XCTest
@testable import PlumbCapture

/// Access to the capture fixtures in Fixtures/ (real captures made by Fixtures/generate/make-fixtures.sh, plus
/// the constructed malformed.pcap).
enum Fixtures {
    static var directory: URL { Bundle.module.resourceURL!.appendingPathComponent("Fixtures") }

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    static func load(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> CaptureFile {
        try CaptureFile.read(path: url(name).path)
    }

    static func decoded(_ name: String) throws -> [DecodedPacket] {
        let f = try load(name)
        return f.packets.indices.map { f.decode($0) }
    }

    static func summaries(_ name: String) throws -> [String] { try decoded(name).map(\.summary) }

    /// Every capture file in the fixture directory.
    static var allNames: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
    }

    /// Every frame of every fixture (for fuzzing).
    static func allFrames() throws -> [[UInt8]] {
        try allNames.flatMap { try load($0).packets.map(\.data) }
    }
}

/// Runs an external tool; nil when it is not installed.
func runTool(_ name: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String)? {
    let candidates = ["/usr/bin/\(name)", "/usr/sbin/\(name)", "/usr/local/bin/\(name)", "/bin/\(name)"]
    guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    // Read before waiting so a chatty tool cannot block on a full pipe.
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

func temporaryPath(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plumb-capture-tests-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent(name).path
}
