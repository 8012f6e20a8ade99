import XCTest
@testable import PlumbTUI

final class KeymapTests: XCTestCase {
    let km = Keymap.default

    private func action(_ key: Key, _ ctx: KeyContext = .namespaces) -> Action? {
        km.binding(for: key, in: [ctx, .global])?.action
    }

    func testRequiredKeysAreBound() {
        XCTAssertEqual(action(.up), .moveUp)
        XCTAssertEqual(action(.char("k")), .moveUp)
        XCTAssertEqual(action(.down), .moveDown)
        XCTAssertEqual(action(.char("j")), .moveDown)
        XCTAssertEqual(action(.left, .topology), .previousPane)
        XCTAssertEqual(action(.char("h"), .topology), .previousPane)
        XCTAssertEqual(action(.right), .drillIn)
        XCTAssertEqual(action(.char("l")), .drillIn)
        XCTAssertEqual(action(.left, .details), .previousPane, "h/l move between panes, [ ] between tabs")
        XCTAssertEqual(action(.char("["), .details), .previousTab)
        XCTAssertEqual(action(.char("]")), .nextTab)
        XCTAssertEqual(action(.tab), .nextPane)
        XCTAssertEqual(action(.backTab), .previousPane)
        XCTAssertEqual(action(.enter), .drillIn)
        XCTAssertEqual(action(.escape), .back)
        XCTAssertEqual(action(.char("/")), .filter)
        XCTAssertEqual(action(.char(":")), .command)
        XCTAssertEqual(action(.char("?")), .help)
        XCTAssertEqual(action(.char("r")), .refresh)
        XCTAssertEqual(action(.char("p")), .pause)
        XCTAssertEqual(action(.char("q")), .quit)
        XCTAssertEqual(action(.ctrl("c")), .quit)
        XCTAssertEqual(km.binding(for: .escape, in: [.help, .global])?.action, .closeHelp)
    }

    func testTheKeysReservedEarlierHaveAllLanded() {
        for (key, act) in [("c", Action.capture), ("s", .shell), ("f", .fix), ("u", .undo)] {
            let b = km.binding(for: .char(Character(key)), in: [.global])
            XCTAssertEqual(b?.action, act)
            XCTAssertEqual(b?.available, true, key)
        }
        XCTAssertTrue(km.bindings.allSatisfy(\.available), "no default key answers 'not yet available'")
    }

    func testNoKeyIsBoundTwiceInOneContext() {
        for ctx in KeyContext.allCases {
            var seen: [Key: Action] = [:]
            for b in km.bindings where b.context == ctx {
                for k in b.keys {
                    XCTAssertNil(seen[k], "\(k) bound twice in \(ctx): \(seen[k].map { "\($0)" } ?? "") and \(b.action)")
                    seen[k] = b.action
                }
            }
        }
    }

    func testMarkdownTableListsEveryBinding() {
        let md = km.markdownTable()
        let lines = md.split(separator: "\n")
        XCTAssertEqual(lines.first, "| Keys | Where | Action |")
        XCTAssertEqual(lines.count, km.bindings.count + 2)
        for b in km.bindings {
            XCTAssertTrue(lines.contains { $0.contains(b.help.replacingAll("|", with: "\\|")) }, b.help)
            for k in b.keys { XCTAssertTrue(md.contains("`\(k.label())`"), k.label()) }
        }
        XCTAssertTrue(md.contains("| `f` | Everywhere | apply the doctor's fix for the selected finding (shows the plan first) |"))
        XCTAssertFalse(md.contains("not yet available"))
        XCTAssertTrue(md.contains("| `y` `Enter` | Confirmation | yes: apply the plan shown |"))
        XCTAssertTrue(md.contains("| `x` | Capture pane | close the capture |"))
        XCTAssertTrue(md.contains("| `↑` `k` | Everywhere |"))
        print(md)
    }

    func testLabels() {
        XCTAssertEqual(Key.up.label(), "↑")
        XCTAssertEqual(Key.up.label(unicode: false), "Up")
        XCTAssertEqual(Key.ctrl("c").label(), "Ctrl-C")
        XCTAssertEqual(Key.backTab.label(), "Shift-Tab")
        XCTAssertEqual(Key.char(" ").label(), "Space")
        XCTAssertEqual(km.bindings.first?.keysLabel(), "↑ / k")
    }
}
