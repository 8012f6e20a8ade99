import Foundation
import XCTest

/// Creates test objects (namespaces pt-*, links pt*) and removes them in reverse order on teardown, even when
/// the test failed. Every name carries a per-run tag so parallel or crashed runs cannot collide.
final class TestLab {
    let tag: String
    private var cleanups: [() -> Void] = []

    init() {
        // Short: link names have a 15-byte limit.
        tag = String(format: "%03x", Int.random(in: 0..<4096))
    }

    /// A fixed prefix (a helper's own test tag, e.g. "cni") plus one random hex digit.
    init(prefix: String) {
        tag = prefix + String(Int.random(in: 0..<16), radix: 16)
    }

    /// `pt-<tag>-<suffix>`
    func nsName(_ suffix: String) -> String { "pt-\(tag)-\(suffix)" }
    /// `pt<tag><suffix>` (keep suffix <= 10 chars).
    func linkName(_ suffix: String) -> String { "pt\(tag)\(suffix)" }

    func onCleanup(_ f: @escaping () -> Void) { cleanups.append(f) }

    func cleanup() {
        for f in cleanups.reversed() { f() }
        cleanups.removeAll()
    }

    /// `ip netns add`, IPv6 off inside (no router solicitations moving counters under the oracles), lo up.
    @discardableResult
    func addNamespace(_ suffix: String) throws -> String {
        let name = nsName(suffix)
        try Shell.run("ip", "netns", "add", name)
        onCleanup { _ = try? Shell.run(["ip", "netns", "del", name], check: false) }
        try Shell.run("ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
        try Shell.run("ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1")
        try Shell.run("ip", "-n", name, "link", "set", "lo", "up")
        return name
    }

    /// `ip -n ns ...` or plain `ip ...` for the host (ns nil).
    func ip(_ ns: String?, _ args: String...) throws {
        try Shell.run(["ip"] + (ns.map { ["-n", $0] } ?? []) + args)
    }

    /// A host-side link to delete on cleanup (namespaced links go with their namespace).
    func ownHostLink(_ name: String) {
        onCleanup { _ = try? Shell.run(["ip", "link", "del", name], check: false) }
    }

    /// A long-lived process we started; ended by its pid on cleanup.
    func ownProcess(_ p: Spawned) {
        onCleanup { if p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() } }
    }

    func ping(from ns: String, _ address: String) throws {
        try Shell.run("ip", "netns", "exec", ns, "ping", "-c", "3", "-i", "0.2", "-W", "2", address)
    }
}
