import Foundation
import XCTest
import PlumbCLI

/// docs/commands.md shows the exit-code table of the code (`ExitStatus`), row for row: a code added, removed or
/// reworded in one place and not the other fails here.
final class ExitCodeDocsTests: XCTestCase {
    func testCommandsPageShowsTheExitCodeTable() throws {
        let page = try String(contentsOfFile: Repository.path("docs/commands.md"), encoding: .utf8)
        XCTAssertTrue(page.contains("## Exit codes\n"), "docs/commands.md lost its exit codes section")
        XCTAssertTrue(page.contains(ExitStatus.markdownTable()),
                      "docs/commands.md's exit-code table differs from ExitStatus; paste this table:\n\(ExitStatus.markdownTable())")
    }

    func testEveryDocumentedCodeIsInTheTable() {
        XCTAssertEqual(ExitStatus.allCases.map(\.rawValue), [0, 1, 3, 4, 5, 64, 77])
    }

    /// `plumb --help` (and so the man page) names every code; the README's sentence about root names 77.
    func testHelpAndReadmeAgreeWithTheTable() throws {
        for status in ExitStatus.allCases {
            XCTAssertTrue(ExitStatus.summary.contains(" \(status.rawValue) "), "plumb --help does not name exit code \(status.rawValue)")
        }
        let readme = try String(contentsOfFile: Repository.path("README.md"), encoding: .utf8)
        XCTAssertTrue(readme.contains("exits with code \(ExitStatus.permission.rawValue)"), "README.md's exit code for a missing root")
    }
}
