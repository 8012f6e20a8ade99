import Foundation
import XCTest
@testable import PlumbActions
@testable import PlumbCLI
import PlumbDoctor
@testable import PlumbLab
import PlumbTrace
import PlumbModel

/// Every command's JSON, byte for byte, from fixture values through the commands' own print path
/// (`render(_:as:to:)`). Regenerate after an intended change: see GoldenFile.
final class JSONGoldenTests: XCTestCase {
    /// Renders `output` as the command would print it with `--json` (and `--pretty`) and compares each form.
    func check<O: CommandOutput>(_ output: O, _ name: String, pretty: Bool = true,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        try goldenJSON(output, name, pretty: pretty, file: file, line: line)
    }

    func testSnapshot() throws {
        try check(SnapshotOutput(snapshot: OutputFixtures.snapshot()), "snapshot")
    }

    func testDiff() throws {
        let events = SnapshotDiff.events(from: OutputFixtures.snapshot(), to: OutputFixtures.laterSnapshot())
        XCTAssertFalse(events.isEmpty)
        try check(DiffOutput(events: events), "diff", pretty: false)
    }

    func testNamespaceListing() throws {
        let snap = OutputFixtures.snapshot()
        try check(NamespaceListing(rows: snap.namespaces.map { NamespaceRow($0, at: snap.takenAt) }), "ns-ls")
    }

    func testFirewall() throws {
        let rows = OutputFixtures.snapshot().namespaces.map {
            FirewallRow(namespace: $0.id, name: $0.displayName, firewall: $0.firewall)
        }
        try check(FirewallListing(rows: rows, showEmpty: false), "fw")
    }

    /// ns add/rm, gc, net rm/disconnect and every `--dry-run --json`: the plans.
    func testPlans() throws {
        let plans = OutputFixtures.plans()
        try check(ChangeReport(plans: plans, dryRun: true, summary: ""), "plans-dry-run", pretty: false)
        try check(ChangeReport(plans: [plans[0]], dryRun: false, summary: ""), "ns-add", pretty: false)
        try check(GcOutput(report: .init(), dryRun: false), "gc-nothing", pretty: false)
    }

    func testNamespaceReferencesHaveNoPositionalKeys() throws {
        let bytes = try GoldenFile.captured {
            try render(ChangeReport(plans: OutputFixtures.plans(), dryRun: true, summary: ""), as: .json(pretty: false), to: $0)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertFalse(text.contains("_0"), text)
        XCTAssertTrue(text.contains(#""in":{"kind":"named","name":"uxc"}"#), text)
    }

    func testNetworkCommands() throws {
        try check(ChangeReport(plans: OutputFixtures.plans(), dryRun: false,
                               result: AnyEncodable(OutputFixtures.network()), summary: ""), "net-create", pretty: false)
        let eps = OutputFixtures.endpoints()
        try check(ChangeReport(plans: [], dryRun: false, result: AnyEncodable(eps[0]), summary: ""), "net-connect", pretty: false)
        try check(ChangeReport(plans: [], dryRun: false, result: AnyEncodable(eps), summary: ""), "net-connect-many", pretty: false)
        try check(NetworkListing(rows: [NetworkRow(OutputFixtures.network(), endpoints: 2)]), "net-ls", pretty: false)
    }

    func testLab() throws {
        let st = DemoLab.State(prefix: "pt", namespaces: ["pt-web"], networks: ["pt-front"], overlay: ["pt-h2"], pids: [42, 43])
        try check(LabOutput(prefix: "pt", up: true, state: st), "lab-up", pretty: false)
        try check(LabOutput(prefix: "pt", up: false, state: nil), "lab-down-not-up", pretty: false)
    }

    func testDoctor() throws {
        let report = OutputFixtures.doctorReport()
        try check(DoctorListing(report: report, snapshot: OutputFixtures.snapshot()), "doctor", pretty: false)
        let finding = report.findings[0]
        try check(DoctorFixOutput(finding: finding, plan: finding.fix!, dryRun: false), "doctor-fix", pretty: false)
        try check(DoctorUndoOutput(findingID: finding.id, plan: finding.undo!, dryRun: true), "doctor-undo-dry-run", pretty: false)
        let held = OutputFixtures.findingWithImpact()
        try check(DoctorFixOutput(finding: held, plan: held.fix!, dryRun: true), "doctor-fix-dry-run", pretty: false)
    }

    /// `--fix ID --dry-run` in text: the plan, the flows it is about, the others it changes, the verdict.
    func testDoctorFixDryRunText() {
        let held = OutputFixtures.findingWithImpact()
        let text = DoctorFixOutput(finding: held, plan: held.fix!, dryRun: true).text()
        XCTAssertEqual(text, """
            ERROR forward-drop:ns1:ipv4:pt-br
              FORWARD drops everything from pt-br in host (IPv4)
            # dry run: nothing is changed
            plan:
            iptables-restore --noflush <<EOF
            *filter
            -P FORWARD ACCEPT
            COMMIT
            EOF
            flows compared before and after (5 evaluated):
              [mended] tcp 10.213.0.2:40000 → 198.51.100.7:443 (pt-a out of pt-br to the outside)
                  before: dropped by policy of filter/FORWARD
                  after:  forwarded out eth0
              other flows that change (1):
              [other] tcp 198.51.100.7:40000 → 10.213.0.2:80 (new connection from outside on eth0 to pt-a)
                  before: dropped by policy of filter/FORWARD
                  after:  forwarded out pt-br
            verdict: NOT offered: it changes 1 flow the finding is not about, e.g. tcp 198.51.100.7:40000 → 10.213.0.2:80 (new connection from outside on eth0 to pt-a): dropped by policy of filter/FORWARD → forwarded out pt-br

            """)
        let listed = DoctorTextRenderer.render([held], notChecked: [], names: OutputFixtures.snapshot())
        XCTAssertTrue(listed.contains("    fix: not offered: it changes 1 flow"), listed)
    }

    func testTrace() throws {
        try check(TraceOutput(result: try OutputFixtures.trace()), "trace", pretty: false)
    }

    /// `capture --json` is NDJSON: one compact object and a newline per packet.
    func testCapturePacketLine() throws {
        GoldenFile.assertMatches(try OutputFixtures.packetLine().bytes(as: .json(pretty: false)), "capture.ndjson")
    }
}

/// Renders `output` as the command prints it with `--json` (and with `--pretty`) and compares each form with
/// its golden file (`NAME.json`, `NAME.pretty.json`).
func goldenJSON<O: CommandOutput>(_ output: O, _ name: String, pretty: Bool = true,
                                  file: StaticString = #filePath, line: UInt = #line) throws {
    GoldenFile.assertMatches(try GoldenFile.captured { try render(output, as: .json(pretty: false), to: $0) },
                             "\(name).json", file: file, line: line)
    if pretty {
        GoldenFile.assertMatches(try GoldenFile.captured { try render(output, as: .json(pretty: true), to: $0) },
                                 "\(name).pretty.json", file: file, line: line)
    }
}
