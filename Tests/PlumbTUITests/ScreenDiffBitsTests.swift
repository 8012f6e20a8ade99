import XCTest
@testable import PlumbTUI

/// `changes(since:)` compares cells by their bits first: equal bits must mean equal cells, and cells whose
/// bits differ but whose text is the same (a long grapheme held in separate storage) must still be equal.
final class ScreenDiffBitsTests: XCTestCase {
    /// The family emoji is 25 bytes of UTF-8: each Character made from its own String has its own storage.
    private func family() -> Character { Character(String(["👨", "\u{200D}", "👩", "\u{200D}", "👧"].joined())) }

    func testTheSameLongGraphemeInOtherStorageIsNoChange() {
        var a = ScreenBuffer(size: Size(width: 6, height: 1))
        a.put(family(), x: 1, y: 0, style: .plain)
        var b = ScreenBuffer(size: Size(width: 6, height: 1))
        b.put(family(), x: 1, y: 0, style: .plain)
        XCTAssertEqual(b.changes(since: a), [])
        b.put(family(), x: 1, y: 0, style: Style(fg: .red))
        XCTAssertEqual(b.changes(since: a).map(\.x), [1], "same text, another style: a change")
    }

    func testEveryKindOfDifferenceIsFound() {
        let a = ScreenBuffer(size: Size(width: 8, height: 1))
        var b = a
        b.put("x", x: 1, y: 0, style: .plain)             // the character
        b.put(" ", x: 3, y: 0, style: Style(bold: true))  // the style alone
        b.put("界", x: 5, y: 0, style: .plain)            // a wide character: two cells
        XCTAssertEqual(b.changes(since: a).map { [$0.x, $0.cells.count] }, [[1, 1], [3, 1], [5, 2]])
    }
}
