import Glibc
import XCTest
@testable import PlumbTUI

/// The adapter needs a real terminal; under `swift test` (no tty) it must refuse cleanly, not crash curses.
final class CursesTerminalTests: XCTestCase {
    func testRefusesWithoutATerminal() throws {
        guard isatty(0) == 0 || isatty(1) == 0 else { throw XCTSkip("running on a terminal") }
        XCTAssertThrowsError(try CursesTerminal()) { error in
            guard case CursesError.notATerminal = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("plumb snapshot"))
        }
    }
}
