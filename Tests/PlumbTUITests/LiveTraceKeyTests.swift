import XCTest
import PlumbApp
import PlumbModel
@testable import PlumbTUI

/// `t`: the labelled destination prompt, what typing there becomes, and the trace's answer in a dialog, drawn
/// into the screen buffer (reducer and views), and through the whole loop with a fake tracer.
final class LiveTraceKeyTests: XCTestCase {
    func testTAsksForADestinationInALabelledPromptAndAcceptsDestinationAndPort() throws {
        var s = TestEnv.state()
        let from = try XCTUnwrap(PaneRows(s, TestEnv.snapshot).namespace)
        s.press([.char("t")])
        XCTAssertEqual(s.input, .traceDestination)
        var b = AppView.render(s, TestEnv.context())
        let prompt = try XCTUnwrap(b.rowContaining("live trace from \(from.displayName) to:"), b.lines().joined(separator: "\n"))
        XCTAssertEqual(prompt.y, s.size.height - 1, "the prompt is the status line")
        XCTAssertTrue(prompt.text.contains("IP or namespace [PORT or PORT/udp]"), prompt.text)
        XCTAssertTrue(prompt.text.contains("one real packet is sent"), prompt.text)

        s.type("10.213.0.3 8080")
        b = AppView.render(s, TestEnv.context())
        XCTAssertNotNil(b.rowContaining("live trace from \(from.displayName) to: 10.213.0.3 8080"), "what is typed shows after the label")
        XCTAssertEqual(s.press([.enter]), [.liveTrace(LiveTraceRequest(namespace: from.id, destination: "10.213.0.3", port: 8080, proto: "tcp"))])
        XCTAssertNil(s.input)
        XCTAssertTrue(s.message?.text.contains("one real packet sent") ?? false, "\(String(describing: s.message))")
    }

    func testRequestsParseIntoTraceArguments() {
        func parse(_ t: String) -> [String]? { try? LiveTraceRequest.parse(t, from: 1).get().traceArguments }
        XCTAssertEqual(parse("10.213.0.3"), ["10.213.0.3"], "no port: an ICMP echo")
        XCTAssertEqual(parse(" web  80 "), ["web", "--port", "80", "--proto", "tcp"])
        XCTAssertEqual(parse("fd13::3 53/udp"), ["fd13::3", "--port", "53", "--proto", "udp"])
        XCTAssertEqual(parse("fd13::3 53/UDP"), ["fd13::3", "--port", "53", "--proto", "udp"])
        XCTAssertNil(parse(""))
        XCTAssertNil(parse("web 0"))
        XCTAssertNil(parse("web 70000"))
        XCTAssertNil(parse("web 53/sctp"))
        XCTAssertNil(parse("web 53 extra"))
    }

    func testATypoIsAnsweredInTheStatusLineAndSendsNothing() {
        var s = TestEnv.state()
        s.press([.char("t")])
        s.type("web 99999")
        XCTAssertEqual(s.press([.enter]), [.none])
        XCTAssertEqual(s.message?.level, .error)
        XCTAssertTrue(s.message?.text.contains("'99999' is not a port") ?? false, "\(String(describing: s.message))")
    }

    func testReadonlyRefusesTheKey() {
        var s = TestEnv.state()
        s.readonly = true
        XCTAssertEqual(s.press([.char("t")]), [.none])
        XCTAssertNil(s.input)
        XCTAssertTrue(s.message?.text.contains("no live traces") ?? false)
        XCTAssertFalse(ReadonlyPolicy.allows(.liveTrace(LiveTraceRequest(namespace: 1, destination: "x"))))
    }

    func testTheAnswerIsADialogThatSaysWhatDidNotFit() throws {
        var s = TestEnv.state(Size(width: 100, height: 24))
        let lines = (1...40).map { "line \($0)" }
        s.showLiveTrace(title: "Live trace a → b (one real packet)", lines: lines, command: "plumb trace a b --live")
        let b = AppView.render(s, TestEnv.context())
        XCTAssertNotNil(b.rowContaining("Live trace a → b (one real packet)"), b.lines().joined(separator: "\n"))
        XCTAssertNotNil(b.rowContaining("line 14"))
        XCTAssertNil(b.rowContaining("line 15 "))
        XCTAssertNotNil(b.rowContaining("… 26 more lines: plumb trace a b --live"), b.lines().joined(separator: "\n"))
        XCTAssertNotNil(b.rowContaining("Enter / Esc: close"))
    }

    /// The whole loop: t, the destination, Enter; the app asks its kernel for the trace and shows the answer.
    func testTheLoopRunsTheTraceAndShowsItsAnswer() throws {
        let log = LiveTraceLog()
        let fake = FakeKernel()   // the kernel's closures hold it unowned: it lives as long as the test
        let kernel = log.kernel(fake)
        let keys: [FakeTerminal.Input] = [.key(.char("t"))] + "10.213.0.3".map { .key(.char($0)) } + [.key(.enter)]
        let term = FakeTerminal(size: Size(width: 120, height: 40), script: keys + [.key(.escape), .key(.char("q"))])
        let app = TUIApp(first: TestEnv.snapshot, kernel: kernel, terminal: term)
        app.run()
        XCTAssertEqual(log.asked.count, 1)
        XCTAssertEqual(log.asked.first?.request.destination, "10.213.0.3")
        XCTAssertNil(log.asked.first?.request.port)
        let shown = try XCTUnwrap(term.frame(afterInputs: keys.count)).text
        XCTAssertTrue(shown.contains("PASSED: it passed every netfilter hook"), shown)
        XCTAssertTrue(shown.contains("Live trace"), shown)
        XCTAssertNil(app.state.confirm, "Esc closed the dialog")
    }
}
