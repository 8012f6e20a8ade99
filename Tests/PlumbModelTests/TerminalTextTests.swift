import XCTest
import PlumbModel

final class TerminalTextTests: XCTestCase {
    func testControlCharactersBecomeVisibleEscapes() {
        XCTAssertEqual(TerminalText.escaped("a\u{1B}[7mb"), "a\\x1b[7mb")
        XCTAssertEqual(TerminalText.escaped("t\u{1B}]0;x\u{07}"), "t\\x1b]0;x\\x07")
        XCTAssertEqual(TerminalText.escaped("del\u{7F} c1\u{9B}J nul\u{0}"), "del\\x7f c1\\u{9b}J nul\\x00")
        XCTAssertEqual(TerminalText.escaped("cr\rnl\ntab\t"), "cr\\x0dnl\\x0atab\\x09")
        XCTAssertEqual(TerminalText.escaped("cr\rnl\ntab\t", keepingLayout: true), "cr\\x0dnl\ntab\t")
    }

    func testPrintableTextIsUntouched() {
        for s in ["", "eth0", "vethé", "名前", "a\u{A0}b", "emoji 🧪", "\u{FFFD}", "ÿ\u{100}"] {
            XCTAssertFalse(TerminalText.needsEscaping(s), s)
            XCTAssertEqual(TerminalText.escaped(s), s)
        }
        XCTAssertTrue(TerminalText.needsEscaping("\u{85}"), "NEL is a C1 control")
        XCTAssertFalse(TerminalText.needsEscaping("l1\nl2\t", keepingLayout: true))
    }
}
