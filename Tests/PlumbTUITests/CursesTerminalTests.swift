import Glibc
import XCTest
@testable import PlumbTUI

/// The adapter needs a real terminal; under `swift test` (no tty) it must refuse cleanly, not crash curses.
final class CursesTerminalTests: XCTestCase {
    func testRefusesWithoutATerminal() throws {
        // stdin is /dev/null for the call, so the test means the same when run from a terminal (it used to skip).
        let saved = dup(0)
        let null = open("/dev/null", O_RDONLY)
        XCTAssertTrue(saved >= 0 && null >= 0 && dup2(null, 0) == 0, "could not put /dev/null on stdin")
        close(null)
        defer { dup2(saved, 0); close(saved) }
        XCTAssertThrowsError(try CursesTerminal()) { error in
            guard case CursesError.notATerminal = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("plumb snapshot"))
        }
    }
}
