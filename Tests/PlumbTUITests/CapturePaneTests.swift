import XCTest
import PlumbModel
@testable import PlumbTUI

/// The capture pane: `c` opens it on the selected link, its keys drive the list and produce the effects the
/// live loop performs, and the view lays out rows, detail and counters.
final class CapturePaneTests: XCTestCase {
    func testCOnALinkCapturesThatLinkAndFromTheNamespacesPaneEveryLink() {
        var s = TestEnv.state()
        let host = TestEnv.namespace("host")
        XCTAssertEqual(s.press([.char("c")]), [.startCapture(namespace: host.id, interface: "any", filter: "")],
                       "from the namespaces pane: every link")
        XCTAssertEqual(s.focus, .capture)
        XCTAssertNotNil(s.layout.rect(.capture), "the pane takes a band")
        s.press([.char("x")])
        XCTAssertNil(s.capture)
        XCTAssertNil(s.layout.rect(.capture), "closed: no band")
        XCTAssertEqual(s.focus, .topology)
        s.press([.char("j")])
        let link = host.links.first { $0.index == s.selectedLink?.index }!
        XCTAssertEqual(s.press([.char("c")]), [.startCapture(namespace: host.id, interface: link.name, filter: "")])
        XCTAssertEqual(s.capture?.title, "host/\(link.name)")
    }

    /// A capture on a link and on a whole namespace share one filter memory: the filter set on one is the next
    /// capture's, after closing, whichever it is on; clearing it is remembered too.
    func testLinkAndNamespaceCapturesShareTheFilterMemory() {
        var s = TestEnv.state()
        let host = TestEnv.namespace("host")
        s.press([.char("c"), .char("e")])
        s.type("icmp")
        XCTAssertEqual(s.press([.enter]), [.restartCapture(filter: "icmp")])
        s.press([.char("x"), .char("j")])
        XCTAssertNil(s.capture)
        let link = host.links.first { $0.index == s.selectedLink?.index }!
        XCTAssertEqual(s.press([.char("c")]), [.startCapture(namespace: host.id, interface: link.name, filter: "icmp")],
                       "the namespace capture's filter carries over to the link")
        XCTAssertEqual(s.capture?.filter, "icmp")
        s.press([.char("e"), .ctrl("u")])
        s.type("tcp port 80")
        s.press([.enter, .char("x"), .backTab])
        XCTAssertEqual(s.focus, .namespaces)
        XCTAssertEqual(s.press([.char("c")]), [.startCapture(namespace: host.id, interface: "any", filter: "tcp port 80")],
                       "and the link capture's back to the namespace")
        s.press([.char("e"), .ctrl("u"), .enter, .char("x"), .char("c")])
        XCTAssertEqual(s.capture?.filter, "", "an emptied filter is remembered as empty")
    }

    func testFilterSaveAndCloseBecomeEffects() {
        var s = TestEnv.state()
        s.press([.char("c")])
        s.press([.char("e")])
        XCTAssertEqual(s.input, .captureFilter)
        s.type("tcp port 80")
        XCTAssertEqual(s.press([.enter]), [.restartCapture(filter: "tcp port 80")])
        XCTAssertEqual(s.capture?.filter, "tcp port 80")
        s.press([.char("w")])
        XCTAssertEqual(s.inputText, "plumb-host-any.pcapng", "w offers a file name")
        s.press([.ctrl("u")])
        s.type("/tmp/x.pcapng")
        XCTAssertEqual(s.press([.enter]), [.saveCapture(path: "/tmp/x.pcapng", overwrite: false)])
        XCTAssertEqual(s.press([.char("x")]), [.stopCapture])
    }

    func testSelectionPauseFollowAndDetail() {
        var s = TestEnv.state()
        s.press([.char("c")])
        s.captureUpdated(rowCount: 10)
        XCTAssertTrue(s.capture!.following)
        s.press([.char("k")])
        XCTAssertEqual(s.capture?.selected, 8, "up from the followed newest row")
        s.press([.char("g")])
        XCTAssertEqual(s.capture?.selected, 0)
        s.press([.char(" ")])
        XCTAssertEqual(s.capture?.paused, true)
        s.press([.char("F")])
        XCTAssertEqual(s.capture?.paused, false)
        XCTAssertNil(s.capture?.selected, "F follows the newest again")
        s.press([.enter])
        XCTAssertEqual(s.capture?.showDetail, true)
        XCTAssertEqual(s.capture?.selected, 9, "the detail holds on the packet it shows")
        s.press([.escape])
        XCTAssertEqual(s.capture?.showDetail, false)
        s.captureUpdated(rowCount: 3)
        XCTAssertEqual(s.capture?.selected, 2, "clamped when the pane holds fewer packets")
    }

    func testTabVisitsTheCapturePaneBetweenTopologyAndDetails() {
        var s = TestEnv.state()
        s.press([.char("c"), .tab])
        XCTAssertEqual(s.focus, .details)
        s.press([.tab, .tab, .tab])
        XCTAssertEqual(s.focus, .capture)
    }

    func testViewShowsRowsDetailAndCounters() {
        var s = TestEnv.state(Size(width: 120, height: 40))
        s.press([.char("c")])
        var ctx = TestEnv.context()
        ctx.capture = CaptureFeed(rows: [
            .init(time: "10:00:00.001", summary: "IP 10.213.1.2 > 10.213.1.3: ICMP echo request, id 1, seq 1, length 64"),
            .init(time: "10:00:00.002", summary: "IP 10.213.1.3 > 10.213.1.2: ICMP host unreachable", isWarning: true),
        ], status: "2 captured · 0 dropped by the kernel", detail: ["Frame", "  wire length: 98", "0000  ff ff"])
        s.captureUpdated(rowCount: 2)
        var b = AppView.render(s, ctx)
        XCTAssertNotNil(b.rowContaining("Capture: host/any · live"))
        XCTAssertNotNil(b.rowContaining("ICMP echo request, id 1"))
        XCTAssertNotNil(b.rowContaining("2 captured · 0 dropped by the kernel"))
        XCTAssertEqual(b.style(of: "unreachable", inRowWith: "10:00:00.002"), ctx.theme.warning)
        XCTAssertNil(b.rowContaining("wire length"), "no detail until Enter")
        s.press([.enter])
        b = AppView.render(s, ctx)
        XCTAssertNotNil(b.rowContaining("wire length: 98"))
        ctx.capture?.ended = "capture ended: the namespace of web/eth0 was deleted"
        b = AppView.render(s, ctx)
        XCTAssertNotNil(b.rowContaining("the namespace of web/eth0 was deleted"))
        XCTAssertNotNil(b.rowContaining("Capture: host/any · ended"), b.lines().joined(separator: "\n"))
    }
}
