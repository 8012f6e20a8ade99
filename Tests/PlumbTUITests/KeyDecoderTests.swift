import XCTest
@testable import PlumbTUI

final class KeyDecoderTests: XCTestCase {
    private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    func testPlainCharactersAndControls() {
        XCTAssertEqual(KeyDecoder.decode(bytes("jk/")), [.char("j"), .char("k"), .char("/")])
        XCTAssertEqual(KeyDecoder.decode([0x09, 0x0d, 0x0a, 0x7f, 0x08, 0x03, 0x15]),
                       [.tab, .enter, .enter, .backspace, .backspace, .ctrl("c"), .ctrl("u")])
    }

    func testCursorKeysCSIAndSS3() {
        XCTAssertEqual(KeyDecoder.decode(bytes("\u{1b}[A\u{1b}[B\u{1b}[C\u{1b}[D")), [.up, .down, .right, .left])
        XCTAssertEqual(KeyDecoder.decode(bytes("\u{1b}OA\u{1b}OD\u{1b}OH\u{1b}OF")), [.up, .left, .home, .end])
        XCTAssertEqual(KeyDecoder.decode(bytes("\u{1b}[1;5A")), [.up], "modifiers are ignored")
    }

    func testTildeKeysAndBackTab() {
        XCTAssertEqual(KeyDecoder.decode(bytes("\u{1b}[5~\u{1b}[6~\u{1b}[3~\u{1b}[2~\u{1b}[1~\u{1b}[4~")),
                       [.pageUp, .pageDown, .delete, .insert, .home, .end])
        XCTAssertEqual(KeyDecoder.decode(bytes("\u{1b}[Z")), [.backTab])
        XCTAssertEqual(KeyDecoder.decode(bytes("\u{1b}OP\u{1b}[15~\u{1b}[24~")), [.function(1), .function(5), .function(12)])
    }

    func testUTF8() {
        XCTAssertEqual(KeyDecoder.decode(bytes("é网")), [.char("é"), .char("网")])
    }

    func testLoneEscapeNeedsFlush() {
        var d = KeyDecoder()
        XCTAssertEqual(d.feed([0x1b]), [])
        XCTAssertEqual(d.flush(), [.escape])
        XCTAssertEqual(d.flush(), [])
    }

    func testEscapeFollowedByKeyIsTwoKeys() {
        XCTAssertEqual(KeyDecoder.decode(bytes("\u{1b}q")), [.escape, .char("q")])
        XCTAssertEqual(KeyDecoder.decode(bytes("\u{1b}\u{1b}[A")), [.escape, .up])
    }

    func testSequenceSplitAcrossReads() {
        var d = KeyDecoder()
        XCTAssertEqual(d.feed([0x1b, UInt8(ascii: "[")]), [])
        XCTAssertEqual(d.feed([UInt8(ascii: "5")]), [])
        XCTAssertEqual(d.feed([UInt8(ascii: "~"), UInt8(ascii: "j")]), [.pageUp, .char("j")])
        XCTAssertEqual(d.feed([0xe7, 0xbd]), [])
        XCTAssertEqual(d.feed([0x91]), [.char("网")])
    }

    func testSGRMouse() {
        XCTAssertEqual(KeyDecoder.decode(bytes("\u{1b}[<0;10;5M")), [.mouse(MouseEvent(.press, x: 9, y: 4))])
        XCTAssertEqual(KeyDecoder.decode(bytes("\u{1b}[<0;10;5m")), [.mouse(MouseEvent(.release, x: 9, y: 4))])
        XCTAssertEqual(KeyDecoder.decode(bytes("\u{1b}[<64;1;1M\u{1b}[<65;1;1M")),
                       [.mouse(MouseEvent(.wheelUp, x: 0, y: 0)), .mouse(MouseEvent(.wheelDown, x: 0, y: 0))])
        XCTAssertEqual(KeyDecoder.decode(bytes("\u{1b}[<2;3;4M")), [.mouse(MouseEvent(.rightPress, x: 2, y: 3))])
        XCTAssertEqual(KeyDecoder.decode(bytes("\u{1b}[<32;3;4M")), [], "motion is ignored")
    }

    func testCodepointMapping() {
        XCTAssertEqual(KeyDecoder.key(forCodepoint: 0x1b), .escape)
        XCTAssertEqual(KeyDecoder.key(forCodepoint: 0x0d), .enter)
        XCTAssertEqual(KeyDecoder.key(forCodepoint: 0x02), .ctrl("b"))
        XCTAssertEqual(KeyDecoder.key(forCodepoint: 0x61), .char("a"))
    }
}
