import Foundation
import Glibc
import XCTest

/// The base of the real-runtime suites: a private state directory per test, and the doctor's verdict on a
/// RuntimeHost. A runtime that cannot start fails every test of its class with the runtime's own words.
class RuntimeTestCase: RootTestCase {
    var stateDir = ""

    override func setUpWithError() throws {
        try requireRoot()
        stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-rt-state-\(UUID().uuidString.prefix(8))").path
        let dir = stateDir
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// The doctor finds nothing above info on `host` (and exits 0).
    func assertHealthy(_ host: RuntimeHost, _ situation: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let d = try host.doctor(stateDir: stateDir)
        XCTAssertEqual(alarms(d.findings), [], "\(situation): the doctor raised an alarm", file: file, line: line)
        XCTAssertEqual(d.status, 0, "\(situation): exit status", file: file, line: line)
    }

    /// The doctor's findings on `host` whose id starts with `check`.
    func findings(_ host: RuntimeHost, check: String) throws -> [[String: Any]] {
        try host.doctor(stateDir: stateDir).findings.filter { ($0["check"] as? String) == check }
    }

    /// An HTTP GET with curl from the host's uplink neighbour ("wan"): what a client outside the host sees of
    /// a published port. Any HTTP answer counts (busybox httpd may answer 404 for a directory).
    func fetchFromOutside(_ host: RuntimeHost, _ url: String) -> Bool {
        let r = try? Shell.result(["ip", "netns", "exec", host.wan, "curl", "-s", "-o", "/dev/null", "-m", "3",
                                   "-w", "%{http_code}", url])
        return r?.status == 0 && r?.stdout != "000"
    }
}
