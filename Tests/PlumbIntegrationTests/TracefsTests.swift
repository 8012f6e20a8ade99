import Foundation
import Glibc
import XCTest

/// The drop watcher on a host where tracefs is not mounted: Plumb must read tracefs without mounting it where
/// anyone else sees it, so that nothing is left mounted when it is killed with SIGKILL. The "host" here is a
/// mount namespace the test makes (bind-mounted on a file, entered with nsenter) and unmounts tracefs in, so
/// the machine's own tracefs mount is never touched.
final class TracefsTests: RootTestCase {
    var dir = ""
    var cleanups: [() -> Void] = []

    override func setUpWithError() throws {
        try requireRoot()
        addTeardownBlock { [self] in for c in cleanups.reversed() { c() }; cleanups.removeAll() }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-tracefs-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let d = dir
        cleanups.append { try? FileManager.default.removeItem(atPath: d) }
        // A private mount to hold the namespace file (a mount namespace cannot be bind-mounted onto a shared mount).
        try Shell.run("mount", "--bind", dir, dir)
        cleanups.append { _ = try? Shell.run(["umount", "-l", d], check: false) }
        try Shell.run("mount", "--make-private", dir)
        FileManager.default.createFile(atPath: nsFile, contents: nil)
        try Shell.run("unshare", "--mount=\(nsFile)", "--propagation", "private", "true")
        let f = nsFile
        cleanups.append { _ = try? Shell.run(["umount", "-l", f], check: false) }
        for target in try tracefsMounts() { try inNamespace("umount", "-l", target) }
        XCTAssertEqual(try tracefsMounts(), [], "the test namespace starts without tracefs")
    }

    var nsFile: String { dir + "/mnt" }

    @discardableResult
    func inNamespace(_ args: String...) throws -> String { try Shell.run(["nsenter", "--mount=\(nsFile)"] + args) }

    /// tracefs mount points in the test's mount namespace.
    func tracefsMounts() throws -> [String] {
        // findmnt exits 1 when it finds nothing.
        try Shell.run(["nsenter", "--mount=\(nsFile)", "findmnt", "-rn", "-t", "tracefs", "-o", "TARGET"], check: false)
            .split(separator: "\n").map(String.init)
    }

    func hostTracefsMounts() throws -> Int {
        try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8).split(separator: "\n")
            .filter { $0.contains(" - tracefs ") }.count
    }

    func testKilledWatcherLeavesNoTracefsMounted() throws {
        let hostBefore = try hostTracefsMounts()
        let log = dir + "/drops.log"
        // nsenter execs plumb in place (no fork for a mount namespace): the pid is plumb's.
        let p = try Shell.spawn(["nsenter", "--mount=\(nsFile)", CLITests.binary, "drops"], log: log)
        cleanups.append { if p.isRunning { kill(p.pid, SIGKILL); p.waitUntilExit() } }
        // The first line on stderr names the reader: the watcher has read tracefs and attached.
        var started = ""
        for _ in 0..<200 where started.isEmpty {
            usleep(50_000)
            started = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if !p.isRunning { break }
        }
        XCTAssertTrue(p.isRunning, "plumb drops ended early: \(started)")
        XCTAssertTrue(started.contains("BPF") || started.contains("bpf") || started.contains("tracepoint"), "plumb drops did not start: \(started)")
        XCTAssertEqual(try tracefsMounts(), [], "tracefs is not mounted where others see it, even while Plumb runs")
        kill(p.pid, SIGKILL)
        p.waitUntilExit()
        XCTAssertEqual(try tracefsMounts(), [], "nothing is left mounted after kill -9")
        XCTAssertEqual(try hostTracefsMounts(), hostBefore, "the machine's own mounts are as they were")
    }
}
