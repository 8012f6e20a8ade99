import XCTest
@testable import PlumbTUI

final class ScreenBufferTests: XCTestCase {
    func testTextClipsWithEllipsis() {
        var b = ScreenBuffer(size: Size(width: 10, height: 1))
        let used = b.text("veth1234567890", x: 0, y: 0, width: 8)
        XCTAssertEqual(used, 8)
        XCTAssertEqual(b.lines(), ["veth123…"])
    }

    func testTextFitsExactlyWithoutEllipsis() {
        var b = ScreenBuffer(size: Size(width: 10, height: 1))
        b.text("eth0", x: 2, y: 0, width: 4)
        XCTAssertEqual(b.lines(), ["  eth0"])
    }

    func testTextClipsAtBufferEdgeAndOutside() {
        var b = ScreenBuffer(size: Size(width: 6, height: 2))
        b.text("abcdefgh", x: 3, y: 0)
        b.text("nope", x: 0, y: 5)
        b.text("xy", x: -1, y: 1, ellipsis: nil)
        XCTAssertEqual(b.lines(), ["   ab…", "y"])
    }

    func testHardCutWithoutEllipsis() {
        var b = ScreenBuffer(size: Size(width: 10, height: 1))
        b.text("abcdefgh", x: 0, y: 0, width: 3, ellipsis: nil)
        XCTAssertEqual(b.lines(), ["abc"])
    }

    func testControlCharactersAreNeutralised() {
        var b = ScreenBuffer(size: Size(width: 10, height: 1))
        b.text("a\u{1b}[2Jb", x: 0, y: 0)
        XCTAssertEqual(b.lines(), ["a?[2Jb"])
    }

    func testUnicodeBox() {
        var b = ScreenBuffer(size: Size(width: 12, height: 3))
        b.box(Rect(x: 0, y: 0, width: 12, height: 3), glyphs: .unicode, title: "Links")
        XCTAssertEqual(b.lines(), ["┌ Links ───┐", "│          │", "└──────────┘"])
    }

    func testAsciiBox() {
        var b = ScreenBuffer(size: Size(width: 8, height: 3))
        b.box(Rect(x: 0, y: 0, width: 8, height: 3), glyphs: .ascii)
        XCTAssertEqual(b.lines(), ["+------+", "|      |", "+------+"])
    }

    func testBoxTitleIsClipped() {
        var b = ScreenBuffer(size: Size(width: 10, height: 2))
        b.box(Rect(x: 0, y: 0, width: 10, height: 2), glyphs: .unicode, title: "a very long title")
        XCTAssertEqual(b.row(0), "┌ a very…┐")
    }

    func testLinesAndFill() {
        var b = ScreenBuffer(size: Size(width: 5, height: 4))
        b.hline(x: 0, y: 0, length: 5, char: "-")
        b.vline(x: 4, y: 1, length: 3, char: "|")
        b.fill(Rect(x: 0, y: 1, width: 2, height: 2), char: "#")
        XCTAssertEqual(b.lines(), ["-----", "##  |", "##  |", "    |"])
    }

    func testWideCharactersTakeTwoColumns() {
        var b = ScreenBuffer(size: Size(width: 8, height: 1))
        let used = b.text("网络x", x: 0, y: 0)
        XCTAssertEqual(used, 5)
        XCTAssertEqual(b[0, 0].width, 2)
        XCTAssertTrue(b[1, 0].isContinuation)
        XCTAssertEqual(b.lines(), ["网络x"])
        XCTAssertEqual(b.find("x")?.x, 4)
    }

    func testWideCharacterCutInHalfIsRepaired() {
        var b = ScreenBuffer(size: Size(width: 4, height: 1))
        b.text("网", x: 0, y: 0)
        b.put("a", x: 1, y: 0, style: .plain)  // overwrite the second half
        XCTAssertEqual(b.lines(), [" a"])
        XCTAssertFalse(b[0, 0].width == 2)
    }

    func testWideCharacterEllipsisCountsColumns() {
        var b = ScreenBuffer(size: Size(width: 6, height: 1))
        b.text("网络网络", x: 0, y: 0, width: 4)
        XCTAssertEqual(b.lines(), ["网…"])
    }

    func testWideCharacterAtRightEdgeBecomesSpace() {
        var b = ScreenBuffer(size: Size(width: 3, height: 1))
        b.put("网", x: 2, y: 0, style: .plain)
        XCTAssertEqual(b.row(0), "   ")
    }

    func testRestyleKeepsText() {
        var b = ScreenBuffer(size: Size(width: 4, height: 1))
        b.text("up", x: 0, y: 0, style: Style(fg: .green))
        b.restyle(Rect(x: 0, y: 0, width: 4, height: 1)) { $0.reverse = true }
        XCTAssertEqual(b.lines(), ["up"])
        XCTAssertEqual(b[0, 0].style, Style(fg: .green, reverse: true))
    }

    func testStyleOfFindsText() {
        var b = ScreenBuffer(size: Size(width: 20, height: 2))
        b.text("state", x: 0, y: 1)
        b.text("down", x: 8, y: 1, style: Style(fg: .red))
        XCTAssertEqual(b.style(of: "down")?.fg, .red)
        XCTAssertNil(b.style(of: "absent"))
    }

    func testGlyphsForEnvironment() {
        XCTAssertEqual(Glyphs.forEnvironment(["LANG": "en_US.UTF-8"]), .unicode)
        XCTAssertEqual(Glyphs.forEnvironment(["LANG": "C.utf8"]), .unicode)
        XCTAssertEqual(Glyphs.forEnvironment(["LANG": "C"]), .ascii)
        XCTAssertEqual(Glyphs.forEnvironment(["LC_ALL": "POSIX", "LANG": "en_US.UTF-8"]), .ascii)
        XCTAssertEqual(Glyphs.forEnvironment(["LANG": "en_US.UTF-8", "TERM": "linux"]), .ascii)
    }

    func testThemeResolution() {
        XCTAssertEqual(Theme.resolve(environment: [:]), .color)
        XCTAssertEqual(Theme.resolve(environment: ["NO_COLOR": "1"]), .monochrome)
        XCTAssertEqual(Theme.resolve(environment: ["NO_COLOR": ""]), .color, "an empty NO_COLOR does not count")
        XCTAssertEqual(Theme.resolve(environment: [:], noColorFlag: true), .monochrome)
        XCTAssertFalse(Theme.monochrome.usesColor)
    }
}
