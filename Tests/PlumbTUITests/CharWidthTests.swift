import XCTest
@testable import PlumbTUI

final class CharWidthTests: XCTestCase {
    func testAsciiAndTreePrefixesCountOneColumnPerScalar() {
        XCTAssertEqual("eth0".displayWidth, 4)
        XCTAssertEqual("│  ├─ptbv10".displayWidth, 11)
        XCTAssertEqual("".displayWidth, 0)
    }

    func testWideCharactersTakeTwoColumns() {
        XCTAssertEqual("网络".displayWidth, 4)
        XCTAssertEqual("a🌐b".displayWidth, 4)
    }

    func testCombiningSequencesCountAsOneCharacter() {
        // "é" as e + U+0301, and a flag-less emoji with a skin-tone modifier: one cluster each.
        XCTAssertEqual("cafe\u{301}".displayWidth, 4)
        XCTAssertEqual("x\u{1F44D}\u{1F3FD}".displayWidth, 1 + CharWidth.of(Character("\u{1F44D}\u{1F3FD}")))
        // The per-scalar and per-cluster counts agree wherever nothing joins.
        for s in ["host", "├─ eth1@web", "└─ 容器", "br-4f2a …"] {
            XCTAssertEqual(s.displayWidth, s.reduce(0) { $0 + CharWidth.of($1) }, s)
        }
    }
}
