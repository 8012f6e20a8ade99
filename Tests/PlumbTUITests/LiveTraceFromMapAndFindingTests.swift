import XCTest
import PlumbApp
import PlumbMap
import PlumbModel
@testable import PlumbTUI

/// `t` beyond the panes: on the map it traces from the node under the cursor and offers the node's first hop as
/// the destination; on the Doctor tab it traces the selected finding's flow. The offer is only typed into the
/// prompt (read from the screen buffer here); Enter sends.
final class LiveTraceFromMapAndFindingTests: XCTestCase {
    let size = Size(width: 160, height: 45)

    func mapOpened(on name: String) -> AppState { TestEnv.mapOpened(on: name, size: size) }

    func frame(_ s: AppState) -> ScreenBuffer { AppView.render(s, TestEnv.context()) }

    func testTOnAContainerOfTheMapTracesFromItTowardsItsGateway() throws {
        var s = mapOpened(on: "redis")
        XCTAssertEqual(s.mapView?.selection?.node, MapID.namespace(TestEnv.namespace("redis").id))
        s.press([.char("t")])
        XCTAssertEqual(s.input, .traceDestination)
        XCTAssertEqual(s.traceSource, TestEnv.namespace("redis").id)
        let b = frame(s)
        let prompt = try XCTUnwrap(b.rowContaining("live trace from redis to: 172.17.0.1"), b.lines().joined(separator: "\n"))
        XCTAssertEqual(prompt.y, size.height - 1, "the prompt is the status line, under the map")
        XCTAssertNotNil(s.mapView, "the map stays open behind the prompt")
        XCTAssertEqual(s.press([.enter]),
                       [.liveTrace(LiveTraceRequest(namespace: TestEnv.namespace("redis").id, destination: "172.17.0.1"))])
    }

    func testTheOfferCanBeChangedBeforeAnythingIsSent() {
        var s = mapOpened(on: "redis")
        s.press([.char("t")])
        s.press([.ctrl("u")])
        s.type("postgres 5432")
        XCTAssertEqual(s.press([.enter]), [.liveTrace(LiveTraceRequest(namespace: TestEnv.namespace("redis").id,
                                                                      destination: "postgres", port: 5432, proto: "tcp"))])
    }

    func testTOnABusTracesFromItsNamespaceToItsFirstPort() throws {
        var s = mapOpened(on: "redis")
        s.press([.up])
        let host = TestEnv.namespace("host").id
        XCTAssertEqual(s.mapView?.selection?.node, MapID.bus(host, TestEnv.linkID("host", "docker0").index))
        s.press([.char("t")])
        XCTAssertEqual(s.traceSource, host)
        let b = frame(s)
        let offered = s.inputText
        XCTAssertNotNil(b.rowContaining("live trace from host to: \(offered)"), b.lines().joined(separator: "\n"))
        let ports = TestEnv.snapshot.namespaces.filter { ns in ns.containers.contains { ["redis", "postgres", "grafana", "batch"].contains($0.name) } }
        XCTAssertTrue(ports.contains { ns in ns.links.contains { $0.addresses.contains { $0.address.description == offered } } },
                      "the offer '\(offered)' is the address of a container on docker0")
    }

    func testTOnARemoteTunnelEndSaysItIsOutsideTheHost() throws {
        var s = mapOpened(on: "redis")
        let (_, p) = MapScreen.picture(s, TestEnv.snapshot)
        let remote = try XCTUnwrap(p.regions.first { $0.node.hasPrefix("remote:") }, "the lab's vxlan100 has a remote VTEP")
        s.mapView?.selection = .init(node: remote.node, edge: remote.edge, foldOf: remote.foldOf)
        XCTAssertEqual(s.press([.char("t")]), [.none])
        XCTAssertNil(s.input)
        XCTAssertTrue(s.message?.text.contains("outside this host") ?? false, "\(String(describing: s.message))")
    }

    /// A finding whose fix was judged carries its flows as values: `t` traces the first one it is about, from the
    /// container that owns the flow's source address.
    func testTOnAFindingTracesItsFlowFromTheContainerThatSendsIt() throws {
        let host = TestEnv.namespace("host")
        var f = Finding(id: "forward-drop:ns\(host.id):ipv4:docker0", check: "forward-drop", checkNumber: 3, severity: .error,
                        title: "docker0's containers cannot reach the outside", subjects: [.init(namespace: host.id, kind: .link, name: "docker0")],
                        evidence: ["-P FORWARD DROP"], explanation: "Nothing accepts their packets in FORWARD.")
        var flow = FixImpact.Flow(namespace: host.id, flow: "tcp 172.17.0.2:40000 → 198.51.100.7:443 (redis out of docker0 to the outside)",
                                  before: "dropped by policy of filter/FORWARD", after: "forwarded out eth0", concerned: true, healthyAfter: true)
        flow.proto = "tcp"; flow.source = "172.17.0.2"; flow.destination = "198.51.100.7"; flow.destinationPort = 443
        f.impact = FixImpact(flowsCompared: 1, flows: [flow], mends: true, offered: true)
        var s = TestEnv.state(size)
        s.findingsUpdated([f])
        s.focus = .details
        s.detailTab = .findings
        s.press([.char("t")])
        XCTAssertEqual(s.traceSource, TestEnv.namespace("redis").id)
        let b = frame(s)
        XCTAssertNotNil(b.rowContaining("live trace from redis to: 198.51.100.7 443"), b.lines().joined(separator: "\n"))
        XCTAssertEqual(s.press([.enter]), [.liveTrace(LiveTraceRequest(namespace: TestEnv.namespace("redis").id,
                                                                      destination: "198.51.100.7", port: 443, proto: "tcp"))])
    }

    func testTOnAFindingWithoutFlowsStartsInTheNamespaceItNamesWithAnEmptyPrompt() {
        let host = TestEnv.namespace("host"), pg = TestEnv.namespace("postgres")
        let f = Finding(id: "mtu-mismatch:ns\(pg.id)", check: "mtu-mismatch", checkNumber: 5, severity: .warning,
                        title: "MTU differs", subjects: [.init(namespace: host.id, kind: .link, name: "docker0"),
                                                         .init(namespace: pg.id, kind: .link, name: "eth0")],
                        evidence: [], explanation: "Big packets are dropped.")
        var s = TestEnv.state(size)
        s.findingsUpdated([f])
        s.focus = .details
        s.detailTab = .findings
        s.press([.char("t")])
        XCTAssertEqual(s.traceSource, pg.id, "the container the finding names, not the host")
        XCTAssertEqual(s.inputText, "")
        XCTAssertNotNil(frame(s).rowContaining("live trace from postgres to:"))
    }

    func testTOnAnEmptyDoctorTabSaysThereIsNothingToTrace() {
        var s = TestEnv.state(size)
        s.findingsUpdated([])
        s.focus = .details
        s.detailTab = .findings
        XCTAssertEqual(s.press([.char("t")]), [.none])
        XCTAssertNil(s.input)
        XCTAssertEqual(s.message?.level, .error)
    }

    /// The whole loop from the map: m, t, Enter; the app runs the trace from the node's namespace and shows the
    /// answer over the map.
    func testTheLoopTracesFromTheMapAndShowsTheAnswerOverIt() throws {
        let log = LiveTraceLog()
        let fake = FakeKernel()   // the kernel's closures hold it unowned: it lives as long as the test
        let kernel = log.kernel(fake)
        // `:ns redis` selects redis in the panes; the map opens on it; t offers its gateway; Enter sends.
        let keys: [FakeTerminal.Input] = [.key(.char(":"))] + "ns redis".map { .key(.char($0)) } + [.key(.enter)]
            + [.key(.char("m")), .key(.char("t")), .key(.enter)]
        let term = FakeTerminal(size: Size(width: 160, height: 45), script: keys + [.key(.escape), .key(.char("q"))])
        let app = TUIApp(first: TestEnv.snapshot, kernel: kernel, terminal: term)
        app.run()
        XCTAssertEqual(log.asked.count, 1)
        XCTAssertEqual(log.asked.first?.from, "redis")
        XCTAssertEqual(log.asked.first?.request, LiveTraceRequest(namespace: TestEnv.namespace("redis").id, destination: "172.17.0.1"))
        let shown = try XCTUnwrap(term.frame(afterInputs: keys.count)).text
        XCTAssertTrue(shown.contains("PASSED: it passed every netfilter hook"), shown)
    }
}
