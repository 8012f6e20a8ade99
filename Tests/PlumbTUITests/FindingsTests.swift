import Foundation
import XCTest
import PlumbModel
@testable import PlumbTUI

/// The doctor in the TUI: the Doctor tab lists findings (errors first), badges mark the namespaces and links
/// they concern, and `f`/`u` show the plan and act only after `y`.
final class FindingsTests: XCTestCase {
    func findings() -> [Finding] {
        let pg = TestEnv.namespace("postgres")
        let eth0 = pg.links.first { $0.name != "lo" }!
        let down = Finding(id: "wiring-down:ns\(pg.id):\(eth0.name)", check: "wiring-down", checkNumber: 8, severity: .error,
                           title: "veth \(eth0.name) in postgres is down while its peer is up",
                           subjects: [.init(namespace: pg.id, kind: .link, name: eth0.name)],
                           evidence: ["\(eth0.name) veth down mtu 1500"], explanation: "A veth pair carries traffic only when both ends are up.",
                           fix: Plan(operation: .doctorFix(findingID: "f1"), steps: [.setUp(link: eth0.name, in: .named("postgres"))]))
        let note = Finding(id: "leftover-netns:ns1", check: "leftover-netns", checkNumber: 13, severity: .info,
                           title: "namespace held only by a bind mount", subjects: [], evidence: [], explanation: "Nothing lives there.")
        let warn = Finding(id: "rp-filter:ns2", check: "rp-filter", checkNumber: 6, severity: .warning,
                           title: "strict rp_filter on a multi-homed namespace", subjects: [.init(namespace: pg.id, kind: .namespace)],
                           evidence: ["net.ipv4.conf.all.rp_filter = 1"], explanation: "Replies may be dropped.")
        return [note, warn, down]
    }

    func testDoctorTabListsErrorsFirstWithTheSelectedFindingsPlan() throws {
        var s = TestEnv.state(Size(width: 120, height: 40))
        s.findingsUpdated(findings())
        s.focus = .details
        s.detailTab = .findings
        let b = AppView.render(s, TestEnv.context())
        let frame = b.lines().joined(separator: "\n")
        let err = try XCTUnwrap(b.rowContaining("in postgres is down while"), frame)
        let warn = try XCTUnwrap(b.rowContaining("strict rp_filter"), frame)
        let info = try XCTUnwrap(b.rowContaining("held only by a bind mount"), frame)
        XCTAssertLessThan(err.y, warn.y)
        XCTAssertLessThan(warn.y, info.y)
        XCTAssertNotNil(b.rowContaining("fix (f):"), "the selected (first) finding's plan is shown")
        XCTAssertNotNil(b.rowContaining("ip -n postgres link set"))
        XCTAssertEqual(b.style(of: "warning", inRowWith: "warning   6 rp-filter"), TestEnv.context().theme.warning)
    }

    func testFixAsksFirstAndOnlyYesApplies() throws {
        var s = TestEnv.state()
        s.findingsUpdated(findings())
        XCTAssertEqual(s.press([.char("f")]), [.none], "first f opens the Doctor tab")
        XCTAssertEqual(s.detailTab, .findings)
        XCTAssertEqual(s.press([.char("f")]), [.none])
        let c = try XCTUnwrap(s.confirm)
        XCTAssertTrue(c.lines.contains { $0.contains("link set") && $0.contains("up") }, "\(c.lines)")
        XCTAssertNotNil(AppView.render(s, TestEnv.context()).rowContaining("y / Enter: apply"))
        XCTAssertEqual(s.press([.char("q")]), [.none], "only y or n while asking")
        XCTAssertNotNil(s.confirm)
        XCTAssertEqual(s.press([.char("n")]), [.none])
        XCTAssertNil(s.confirm)
        s.press([.char("f")])
        XCTAssertEqual(s.press([.char("y")]), [.applyFix(id: findings()[2].id)])
        XCTAssertEqual(s.press([.char("u")]), [.previewUndo], "the app reads the journal and asks")
        s.showUndo(findingID: "wiring-down:ns1:eth0", plan: Plan(operation: .doctorUndo(findingID: "x"),
                                                                 steps: [.setUp(link: "eth0", in: .named("pg"))]))
        XCTAssertEqual(s.confirm?.title, "Undo the fix for wiring-down:ns1:eth0?")
        XCTAssertEqual(s.press([.enter]), [.undoFix])
    }

    /// A firewall fix's batch is a here-document: each of its lines on a line of its own, no `?` for newlines.
    func testMultiLinePlansAreShownAsLines() throws {
        let pg = TestEnv.namespace("postgres")
        let f = Finding(id: "hairpin-off:ns\(pg.id)", check: "hairpin-off", checkNumber: 12, severity: .warning,
                        title: "hairpin", subjects: [], evidence: [], explanation: "x",
                        fix: Plan(operation: .doctorFix(findingID: "h"), steps: [
                            .firewall(family: "ipv4", batch: "*nat\n-I PREROUTING 1 -i br0 -j RETURN\nCOMMIT\n",
                                      undo: "*nat\n-D PREROUTING -i br0 -j RETURN\nCOMMIT\n", in: .host)]))
        var s = TestEnv.state(Size(width: 120, height: 40))
        s.findingsUpdated([f])
        s.focus = .details
        s.detailTab = .findings
        let frame = AppView.render(s, TestEnv.context()).lines()
        XCTAssertTrue(frame.contains { $0.contains("    -I PREROUTING 1 -i br0 -j RETURN") }, frame.joined(separator: "\n"))
        XCTAssertTrue(frame.contains { $0.contains("    COMMIT") })
        XCTAssertFalse(frame.contains { $0.contains("?*nat") || $0.contains("RETURN?") }, frame.joined(separator: "\n"))
        _ = s.press([.char("f")])
        let c = try XCTUnwrap(s.confirm)
        XCTAssertFalse(c.lines.contains { $0.contains("\n") }, "\(c.lines)")
        XCTAssertTrue(c.lines.contains("  -I PREROUTING 1 -i br0 -j RETURN"), "\(c.lines)")
    }

    /// A route's fix fails while the link to its gateway is down: the wiring fix is named as the one to apply first.
    func testFixOrderIsShownWhenOneFindingDependsOnAnother() throws {
        let pg = TestEnv.namespace("postgres")
        let down = findings()[2]
        let route = Finding(id: "no-default-route:ns\(pg.id)", check: "no-default-route", checkNumber: 9, severity: .error,
                            title: "postgres has no default route", subjects: [.init(namespace: pg.id, kind: .namespace)],
                            evidence: [], explanation: "No way out.",
                            fix: Plan(operation: .doctorFix(findingID: "r"), steps: [.setUp(link: "eth0", in: .named("postgres"))]))
        var s = TestEnv.state(Size(width: 120, height: 40))
        s.findingsUpdated([route, down])
        s.focus = .details
        s.detailTab = .findings
        let b = AppView.render(s, TestEnv.context())
        XCTAssertNotNil(b.rowContaining("fix first: \(down.id)"), b.lines().joined(separator: "\n"))
        _ = s.press([.char("f")])
        XCTAssertTrue(try XCTUnwrap(s.confirm).lines.contains("  \(down.id)"))
        XCTAssertEqual(FixOrder.sorted([route, down]).map(\.id), [down.id, route.id])
        XCTAssertEqual(FixOrder.prerequisites(of: down, among: [route, down]), [])
    }

    /// Zoomed, the findings list takes the rows the details pane had no use for.
    func testZoomedFindingsListUsesThePane() throws {
        let many = (0..<20).map { i in
            Finding(id: "rp-filter:ns\(i)", check: "rp-filter", checkNumber: 6, severity: .warning, title: "finding \(i)",
                    subjects: [], evidence: [], explanation: "x")
        }
        var s = TestEnv.state(Size(width: 120, height: 40))
        s.findingsUpdated(many)
        s.focus = .details
        s.detailTab = .findings
        let before = AppView.render(s, TestEnv.context()).lines().filter { $0.contains("finding ") }.count
        _ = s.press([.char("z")])
        let after = AppView.render(s, TestEnv.context()).lines().filter { $0.contains("finding ") }.count
        XCTAssertEqual(after, 20, "all 20 fit in a zoomed 40-row screen")
        XCTAssertGreaterThan(after, before)
    }

    func testReadonlyRefusesFixAndUndo() {
        var s = TestEnv.state()
        s.readonly = true
        s.findingsUpdated(findings())
        s.focus = .details
        s.detailTab = .findings
        s.press([.char("f")])
        XCTAssertNil(s.confirm)
        XCTAssertTrue(s.message!.text.contains("read-only"))
        s.press([.char("u")])
        XCTAssertNil(s.confirm)
    }

    func testBadgesMarkTheNamespaceAndTheLink() {
        var s = TestEnv.state(Size(width: 120, height: 40))
        s.findingsUpdated(findings())
        let ctx = TestEnv.context()
        var b = AppView.render(s, ctx)
        let row = b.rowContaining("postgres")!
        XCTAssertTrue(row.text.contains("✗"), row.text)
        s.press([.char(":")]); s.type("ns postgres"); s.press([.enter])
        b = AppView.renderPane(.topology, s, ctx, size: Size(width: 100, height: 20))
        let pg = TestEnv.namespace("postgres")
        let eth0 = pg.links.first { $0.name != "lo" }!
        XCTAssertTrue(b.rowContaining(eth0.name)!.text.contains("✗"))
        // eth0 is selected (a container's first link that is not lo): the highlight reverses it.
        XCTAssertEqual(b.style(of: "✗", inRowWith: eth0.name)?.fg, ctx.theme.error.fg)
        XCTAssertEqual(b.style(of: "✗", inRowWith: eth0.name)?.bold, ctx.theme.error.bold)
    }
}
