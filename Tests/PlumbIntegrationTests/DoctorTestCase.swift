import Foundation
import XCTest

/// What the doctor's integration suites share: a per-test tag for names (`pt-doc-TAG-*`, `ptdocTAG*`), a
/// private state directory, and cleanups run in reverse even when the test fails.
class DoctorTestCase: RootTestCase {
    var tag = ""
    var cleanups: [() -> Void] = []
    var stateDir = ""

    func ns(_ s: String) -> String { "pt-doc-\(tag)-\(s)" }
    func link(_ s: String) -> String { "ptdoc\(tag)\(s)" }

    override func setUpWithError() throws {
        try requireRoot()
        tag = String(format: "%02x", Int.random(in: 0..<256))
        addTeardownBlock { [self] in for f in cleanups.reversed() { f() }; cleanups = [] }
        stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-doc-state-\(tag)-\(UUID().uuidString.prefix(6))").path
        let dir = stateDir
        cleanups.append { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// `ip netns add` (removed at cleanup), IPv6 off inside, lo up.
    func addNamespace(_ n: String) throws {
        try Shell.run("ip", "netns", "add", n)
        cleanups.append { _ = try? Shell.run(["ip", "netns", "del", n], check: false) }
        try Shell.run("ip", "netns", "exec", n, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
        try Shell.run("ip", "netns", "exec", n, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1")
        try Shell.run("ip", "-n", n, "link", "set", "lo", "up")
    }
}
