import XCTest
import Foundation
@testable import PlumbModel

final class PlanOperationTests: XCTestCase {
    /// Every label the string-typed versions wrote, with the operation it means.
    static let legacy: [(String, PlanOperation)] = [
        ("net create web", .netCreate(network: "web")),
        ("net rm web", .netRemove(networks: ["web"], force: false)),
        ("net rm web db --force", .netRemove(networks: ["web", "db"], force: true)),
        ("net connect web pt-a pid:42 4026532384", .netConnect(network: "web", targets: ["pt-a", "pid:42", "4026532384"])),
        ("net connect web", .netConnect(network: "web", targets: [])),
        ("net disconnect web 4026532384", .netDisconnect(network: "web", endpoints: ["4026532384"])),
        ("ns add pt-a", .nsAdd(name: "pt-a")),
        ("ns rm pt-a", .nsRemove(name: "pt-a")),
        ("doctor fix mtu-mismatch:pt-a:eth0", .doctorFix(findingID: "mtu-mismatch:pt-a:eth0")),
        ("doctor undo ip-forwarding:host:ipv4", .doctorUndo(findingID: "ip-forwarding:host:ipv4")),
        ("lab faults", .lab("faults")),
        ("undo net connect web pt-a", .undo(.netConnect(network: "web", targets: ["pt-a"]))),
        ("undo undo ns add x", .undo(.undo(.nsAdd(name: "x")))),
        ("something else entirely", .other("something else entirely")),
        ("net  create web", .other("net  create web")),
    ]

    func testLegacyLabelsMapToTheirOperationAndRenderTheSameText() {
        for (label, op) in Self.legacy {
            XCTAssertEqual(PlanOperation(legacyLabel: label), op, label)
            XCTAssertEqual(op.label, label)
        }
    }

    func testPlanJSONPrintsTheLabelOnly() throws {
        let plan = Plan(operation: .netConnect(network: "web", targets: ["a", "b"]), steps: [.setUp(link: "lo", in: .host)])
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: try JSONEncoder().encode(plan)) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["operation", "steps"])
        XCTAssertEqual(object["operation"] as? String, "net connect web a b")
    }

    func testJournaledPlanKeepsTheTypedOperation() throws {
        // A target containing a space cannot survive a round trip through the label; the typed form does.
        let plan = Plan(operation: .netConnect(network: "web", targets: ["my box"]), steps: [.setUp(link: "lo", in: .host)])
        let data = try JSONEncoder().encode(JournaledPlan(plan))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(object["operation"] as? String, "net connect web my box")
        XCTAssertNotNil(object["kind"])
        XCTAssertEqual(try JSONDecoder().decode(Plan.self, from: data), plan)
    }

    func testAnOldJournalEntryDecodes() throws {
        let old = #"{"operation":"net connect web pt-a","steps":[{"setUp":{"link":"lo","in":{"host":{}}}}]}"#
        let plan = try JSONDecoder().decode(Plan.self, from: Data(old.utf8))
        XCTAssertEqual(plan.operation, .netConnect(network: "web", targets: ["pt-a"]))
        XCTAssertEqual(plan.steps.count, 1)
        XCTAssertEqual(plan.inverse.operation, .undo(.netConnect(network: "web", targets: ["pt-a"])))
    }
}
