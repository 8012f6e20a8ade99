import Foundation
import Glibc
import XCTest

/// A real systemd-nspawn container that machined never hears of (`--register=no`, `--keep-unit`: no system bus
/// and no scope unit, as in CI or on a host without systemd as init), with `--network-veth`. Its cgroup names
/// no machine; Plumb names it from the `systemd-nspawn` parent's `-M`. It runs inside a RuntimeHost's network
/// namespace, so the host end of its veth lands there.
final class NspawnUnregisteredTests: RootTestCase {
    func testUnregisteredNspawnContainerIsNamedFromItsParentsMachineOption() throws {
        let h = try RuntimeHost(label: "nsp")
        addTeardownBlock { h.cleanup() }
        let root = "\(h.dir)/machine", machine = "pt-nsp\(h.tag)", log = "\(h.dir)/nspawn.log"
        try RuntimeHost.busyboxTree(at: root)
        // nsenter execs systemd-nspawn: the pid is nspawn's. Without --boot, nspawn answers SIGTERM by killing
        // the container's PID 1 with SIGKILL, so stopping nspawn by its pid ends everything it started.
        let nspawn = try Shell.spawn(h.inHost(["systemd-nspawn", "--register=no", "--keep-unit", "--network-veth", "-q",
                                               "-D", root, "-M", machine, "/bin/sleep", "120"]), log: log)
        addTeardownBlock {
            RuntimeHost.stop(pid: nspawn.pid, grace: 5)
            nspawn.waitUntilExit()
        }
        var row: [String: Any]?
        let named = RuntimeHost.wait(20) {
            row = try? NamespaceListing.row(container: machine)
            return row != nil || !nspawn.isRunning
        } && row != nil
        let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        XCTAssertTrue(named, "the nspawn container was not named \(machine); nspawn said: \(said)")
        let c = NamespaceListing.container(row, machine)
        XCTAssertEqual(c?["runtime"] as? String, "nspawn")
        XCTAssertTrue((c?["source"] as? String ?? "").hasPrefix("cmdline:"), "source: \(c?["source"] ?? "none")")
        XCTAssertEqual(row?["links"] as? Int, 2, "lo and host0, the container end of --network-veth")
        XCTAssertNil(row?["why"], "a named container needs no excuse")
    }
}
