import Foundation
import XCTest
@testable import PlumbActions
@testable import PlumbCLI
import PlumbDoctor
import PlumbModel
import PlumbTrace

/// Names with terminal control sequences (a link renamed `ESC[7m` in a container, an OSC window title in a
/// namespace name) come out of every text output as visible escapes, never as the raw bytes a terminal acts on.
final class TextEscapingTests: XCTestCase {
    static let reverse = "pt\u{1B}[7mrev"               // SGR reverse video
    static let title = "ns\u{1B}]0;pwned\u{07}x"        // OSC: sets the window title
    static let csi = "c1\u{9B}2J"                        // C1 CSI: clears the screen on some terminals

    /// The fixture snapshot with hostile names on a link, the namespace and a process.
    static func hostile() -> Snapshot {
        var snap = OutputFixtures.snapshot()
        snap.namespaces[1].names = [title]
        snap.namespaces[0].links[0].name = reverse
        snap.namespaces[0].links[2].name = csi
        snap.processes[0].comm = "x\r\u{1B}[2Kfake"
        return snap
    }

    /// What `render(_, as: .text)` writes, as bytes.
    private func text<O: CommandOutput>(_ output: O) throws -> [UInt8] {
        try GoldenFile.captured { try render(output, as: .text, to: $0) }
    }

    private func assertNoControls(_ bytes: [UInt8], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let s = String(decoding: bytes, as: UTF8.self)
        for (i, b) in bytes.enumerated() where (b < 0x20 && b != 0x0A && b != 0x09) || b == 0x7F {
            XCTFail("\(what): raw control byte 0x\(String(b, radix: 16)) at \(i): \(s.debugDescription)", file: file, line: line)
            return
        }
        XCTAssertFalse(s.unicodeScalars.contains { (0x80...0x9F).contains($0.value) }, "\(what): raw C1 control", file: file, line: line)
    }

    func testEveryTextOutputEscapesControlCharacters() throws {
        let snap = Self.hostile()
        let outputs: [(String, [UInt8])] = [
            ("snapshot", try text(SnapshotOutput(snapshot: snap))),
            ("ns ls", try text(NamespaceListing(rows: snap.namespaces.map { NamespaceRow($0, at: snap.takenAt) }))),
            ("fw", try text(FirewallListing(rows: snap.namespaces.map {
                FirewallRow(namespace: $0.id, name: $0.displayName, firewall: $0.firewall)
            }, showEmpty: true))),
            ("doctor", try text(DoctorListing(report: OutputFixtures.doctorReport(), snapshot: snap))),
            ("diff", try text(DiffOutput(events: SnapshotDiff.events(from: OutputFixtures.snapshot(), to: snap)))),
        ]
        for (what, bytes) in outputs { assertNoControls(bytes, what) }
        let snapshotText = String(decoding: outputs[0].1, as: UTF8.self)
        XCTAssertTrue(snapshotText.contains("pt\\x1b[7mrev"), snapshotText)
        XCTAssertTrue(snapshotText.contains("c1\\u{9b}2J"), snapshotText)
        let nsText = String(decoding: outputs[1].1, as: UTF8.self)
        XCTAssertTrue(nsText.contains("ns\\x1b]0;pwned\\x07x"), nsText)
    }

    func testErrorsAndPacketLinesAreEscapedToo() throws {
        let line = try OutputFixtures.packetLine().bytes(as: .text)
        assertNoControls(line, "capture line")
        let pipe = try GoldenFile.captured { fd in FileHandleWriter.write(fd, "cannot find \(Self.title)\n") }
        XCTAssertEqual(String(decoding: pipe, as: UTF8.self), "cannot find ns\\x1b]0;pwned\\x07x\n")
    }

    /// A table cell escapes newline and tab as well: a name cannot fake a row or shift a column.
    func testTableCellsCannotFakeRowsOrShiftColumns() {
        let table = TextTable.render(header: ["NAME", "ID"], rows: [["a\nfake-row\tb", "1"], ["plain", "2"]])
        XCTAssertEqual(table.split(separator: "\n").count, 3, table)
        XCTAssertTrue(table.contains("a\\x0afake-row\\x09b  1"), table)
    }
}
