import XCTest
@testable import PlumbTUI

/// `ScreenBuffer.text` draws ASCII byte by byte and anything else by grapheme cluster: both ways must draw
/// the same cells (control characters as "?", the cut and its ellipsis).
final class TextFastPathTests: XCTestCase {
    private func drawn(_ s: String, width: Int) -> (String, Int) {
        var b = ScreenBuffer(size: Size(width: 12, height: 1))
        let used = b.text(s, x: 1, y: 0, width: width, style: .plain, ellipsis: "…")
        return (b.row(0), used)
    }

    func testASCIIAndUnicodeAreCutAndCleanedAlike() {
        XCTAssertEqual(drawn("eth0", width: 8).0, " eth0       ")
        XCTAssertEqual(drawn("a\tb\u{7f}c", width: 8).0, " a?b?c      ")
        XCTAssertEqual(drawn("veth1234567", width: 6).0, " veth1…     ")
        XCTAssertEqual(drawn("veth1234567", width: 6).1, 6)
        // The same texts with one non-ASCII character take the grapheme path and are cut at the same place.
        XCTAssertEqual(drawn("véth1234567", width: 6).0, " véth1…     ")
        XCTAssertEqual(drawn("a\tb\u{7f}é", width: 8).0, " a?b?é      ")
        // CR LF is one grapheme cluster: one "?" either way.
        XCTAssertEqual(drawn("a\r\nb", width: 8).0, " a?b        ")
    }
}
