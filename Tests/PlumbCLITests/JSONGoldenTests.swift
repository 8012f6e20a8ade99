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
        GoldenFile.assertMatches(try GoldenFile.captured { try render(output, as: .json(pretty: false), to: $0) },
                                 "\(name).json", file: file, line: line)
        if pretty {
            GoldenFile.assertMatches(try GoldenFile.captured { try render(output, as: .json(pretty: true), to: $0) },
                                     "\(name).pretty.json", file: file, line: line)
        }
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
        try check(NamespaceListing(rows: OutputFixtures.snapshot().namespaces.map(NamespaceRow.init)), "ns-ls")
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
        // `net inspect --json` is always indented.
        GoldenFile.assertMatches(try GoldenFile.captured {
            try render(NetworkInspection(report: OutputFixtures.inspection()), as: .json(pretty: true), to: $0)
        }, "net-inspect.json")
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
    }

    func testTrace() throws {
        try check(TraceOutput(result: try OutputFixtures.trace()), "trace", pretty: false)
    }

    /// `capture --json` is NDJSON: one compact object and a newline per packet.
    func testCapturePacketLine() throws {
        GoldenFile.assertMatches(try OutputFixtures.packetLine().bytes(as: .json(pretty: false)), "capture.ndjson")
    }
}
