import Foundation
import XCTest
@testable import PlumbActions
@testable import PlumbCLI
import PlumbCapture
import PlumbModel

/// What text output says, in the user's words: one line for a file that is not a snapshot, nouns in the right
/// number, byte counts in readable units, ICMP types by name.
final class TextWordingTests: XCTestCase {
    private func tempFile(_ contents: String) throws -> String {
        let path = NSTemporaryDirectory() + "pt-wording-\(getpid())-\(UUID().uuidString)"
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    private func loadFailure(_ path: String) -> CommandFailure? {
        do {
            _ = try DiffCommand.parse([path, path]).load(path)
            return nil
        } catch {
            return error as? CommandFailure
        }
    }

    /// `plumb diff before.json /etc/hostname`: one line naming the file and what is wrong, exit 64.
    func testDiffOfAFileThatIsNotASnapshotSaysSoInOneLine() throws {
        let notJSON = try tempFile("myhost\n")
        let f = try XCTUnwrap(loadFailure(notJSON))
        XCTAssertEqual(f.description, "\(notJSON) is not a plumb snapshot: it is not JSON (`plumb snapshot --json > FILE` makes one)")
        XCTAssertEqual(f.code, PlumbExit.usage)

        let wrongShape = try tempFile(#"{"schemaVersion":1,"takenAt":"yesterday"}"#)
        let g = try XCTUnwrap(loadFailure(wrongShape))
        XCTAssertEqual(g.description, "\(wrongShape) is not a plumb snapshot: takenAt is not a number (`plumb snapshot --json > FILE` makes one)")
        let missing = try tempFile(#"{"schemaVersion":1,"takenAt":1}"#)
        XCTAssertTrue(try XCTUnwrap(loadFailure(missing)).description.contains(#"the key "namespaces" is missing"#))
        for failure in [f, g] {
            XCTAssertFalse(failure.description.contains("\n"), failure.description)
            XCTAssertFalse(failure.description.contains("DecodingError"), failure.description)
        }
    }

    func testCountsHaveTheirNounInTheRightNumber() {
        XCTAssertEqual(counted(1, "rule"), "1 rule")
        XCTAssertEqual(counted(0, "rule"), "0 rules")
        XCTAssertEqual(counted(1, "process", "processes"), "1 process")
        XCTAssertEqual(counted(2, "process", "processes"), "2 processes")
        XCTAssertEqual(counted(1, "entry", "entries"), "1 entry")

        let text = SnapshotTextRenderer().render(OutputFixtures.snapshot())
        XCTAssertTrue(text.contains("POSTROUTING policy ACCEPT [0 pkts, 0 B] (1 rule)"), text)
        XCTAssertTrue(text.contains("[1 pkt, 60 B] -j MASQUERADE"), text)
        XCTAssertFalse(text.contains("(s)") || text.contains("1 rules") || text.contains("1 namespaces"), text)

        var report = NetworkService.GcReport()
        report.undone = ["net create web (1 change)"]
        let gc = GcOutput(report: report, dryRun: false).text()
        XCTAssertTrue(gc.contains("undid 1 interrupted operation: net create web (1 change)"), gc)
        XCTAssertEqual(ActionError.rolledBack(failure: "`x` failed", undone: 1).description,
                       "`x` failed; the change already made was rolled back, nothing was left behind")
    }

    /// Link counters in the text are readable (the JSON keeps exact numbers), as the TUI shows them.
    func testByteCountsAreReadable() {
        XCTAssertEqual(Readable.bytes(999), "999 B")
        XCTAssertEqual(Readable.bytes(123_456), "123 kB")
        XCTAssertEqual(Readable.bytes(1_250_000), "1.3 MB")
        var snap = OutputFixtures.snapshot()
        snap.namespaces[0].links[0].stats.rxBytes = 1_250_000
        snap.namespaces[0].links[0].stats.txBytes = 512
        let text = SnapshotTextRenderer().render(snap)
        XCTAssertTrue(text.contains("/1.3 MB tx "), text)
        XCTAssertTrue(text.contains("/512 B"), text)
    }

    /// ICMP types and unreachable codes by name in the decoded fields (the detail view and `capture --json`).
    func testICMPTypesAreNamed() {
        func icmp(type: UInt8, code: UInt8) -> [(layer: String, name: String, value: String)] {
            var frame: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00]
            frame += [0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1, 0, 0, 10, 213, 100, 1, 10, 213, 100, 2]
            frame += [type, code, 0, 0, 0, 7, 0, 1]
            return PacketDecoder.decode(frame, linkType: .ethernet).fields().filter { $0.layer == "ICMP" }
        }
        XCTAssertTrue(icmp(type: 0, code: 0).contains { $0.name == "type" && $0.value == "echo reply (0)" })
        XCTAssertTrue(icmp(type: 8, code: 0).contains { $0.name == "type" && $0.value == "echo request (8)" })
        let unreachable = icmp(type: 3, code: 3)
        XCTAssertTrue(unreachable.contains { $0.name == "type" && $0.value == "destination unreachable (3)" }, "\(unreachable)")
        XCTAssertTrue(unreachable.contains { $0.name == "code" && $0.value == "port unreachable (3)" }, "\(unreachable)")
        XCTAssertTrue(icmp(type: 11, code: 0).contains { $0.name == "type" && $0.value == "time exceeded (11)" })
    }
}
