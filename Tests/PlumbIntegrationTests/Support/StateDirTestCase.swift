import Foundation
import XCTest

/// A test of `plumb net`/`gc` through the real binary: its own TestLab, a test namespace standing in for the host
/// (`--host-ns`), and a private state directory, all removed at the end.
class StateDirTestCase: RootTestCase {
    var lab: TestLab!
    var home = "", stateDir = ""

    override func setUpWithError() throws {
        try requireRoot()
        lab = TestLab()
        addTeardownBlock { [lab] in lab?.cleanup() }
        home = try namespace("h")
        stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-state-\(lab.tag)-\(UUID().uuidString.prefix(6))").path
        let dir = stateDir
        lab.onCleanup { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// A test namespace (subclasses may prepare it further).
    func namespace(_ suffix: String) throws -> String { try lab.addNamespace(suffix) }

    /// The binary with the private state directory and `--host-ns` (the stand-in host unless given).
    func plumb(_ args: String..., hostNs: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        try Shell.result([CLITests.binary] + args + ["--state-dir", stateDir, "--host-ns", hostNs ?? home])
    }

    /// `ip netns` inode of a test namespace, as `sandbox` and `net:[ID]` show it.
    func inode(_ ns: String) throws -> String {
        try Shell.run("stat", "-L", "-c", "%i", "/run/netns/\(ns)").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
