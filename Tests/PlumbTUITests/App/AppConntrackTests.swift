import XCTest
import PlumbApp
import PlumbModel
@testable import PlumbTUI

/// The Conntrack tab through the whole loop (FakeTerminal frames) and its view on a sample with rates.
final class AppConntrackTests: XCTestCase {
    let size = Size(width: 140, height: 40)

    static func table() -> ConntrackTable {
        let client = IPAddress("10.213.0.7")!, vip = IPAddress("10.213.0.2")!, backend = IPAddress("172.18.0.2")!
        let dnat = ConntrackEntry(family: .ipv4, protocolNumber: 6,
                                  original: ConntrackTuple(src: client, dst: vip, srcPort: 41000, dstPort: 80),
                                  reply: ConntrackTuple(src: backend, dst: client, srcPort: 8080, dstPort: 41000),
                                  tcpState: .established, status: [.seenReply, .assured, .confirmed], timeout: 431999,
                                  counters: ConntrackCounters(originalPackets: 1, originalBytes: 100, replyPackets: 1, replyBytes: 100), id: 1)
        let dns = ConntrackEntry(family: .ipv4, protocolNumber: 17,
                                 original: ConntrackTuple(src: client, dst: vip, srcPort: 5000, dstPort: 53),
                                 reply: ConntrackTuple(src: vip, dst: client, srcPort: 53, dstPort: 5000),
                                 status: [.confirmed], timeout: 29,
                                 counters: ConntrackCounters(originalPackets: 1, originalBytes: 60, replyPackets: 0, replyBytes: 0), id: 2)
        return ConntrackTable(entries: [dns, dnat], usage: ConntrackUsage(count: 2, max: 1000, accounting: true))
    }

    /// Tab, Tab (the details pane), [ (from Link back round to the last tab, Conntrack), then q.
    private let openTab: [FakeTerminal.Input] = [.key(.tab), .key(.tab), .key(.char("["))]

    func testTheTabShowsTheSelectedNamespacesTableAndFill() throws {
        let fake = FakeKernel()
        fake.conntrackTables[LabFixture.hostID] = Self.table()
        let term = FakeTerminal(size: size, script: openTab + [.key(.char("q"))])
        let app = TUIApp(first: TestEnv.snapshot, kernel: fake.kernel, terminal: term)
        app.run()
        XCTAssertEqual(app.state.detailTab, .conntrack)
        let text = try XCTUnwrap(term.frame(afterInputs: 3)).text
        XCTAssertTrue(text.contains("Conntrack"), text)
        XCTAssertTrue(text.contains("2 entries of max 1000 (0.2%)"), text)
        XCTAssertTrue(text.contains("10.213.0.7:41000 → 10.213.0.2:80"), text)
        XCTAssertTrue(text.contains("172.18.0.2:8080 →"), "the DNAT reply tuple: \(text)")
        XCTAssertTrue(text.contains("dnat"), text)
        XCTAssertEqual(fake.conntrackReads.first, LabFixture.hostID)
        XCTAssertTrue(fake.conntrackReads.allSatisfy { $0 == LabFixture.hostID }, "only the selected namespace is read")
    }

    func testWithoutConntrackTheTabSaysSoInOneLine() throws {
        let fake = FakeKernel()
        let term = FakeTerminal(size: size, script: openTab + [.key(.char("q"))])
        TUIApp(first: TestEnv.snapshot, kernel: fake.kernel, terminal: term).run()
        let text = try XCTUnwrap(term.frame(afterInputs: 3)).text
        XCTAssertTrue(text.contains("conntrack is not available (fake)"), text)
    }

    func testRatesAndBusiestFirst() {
        let first = ConntrackSample.next(after: nil, namespace: LabFixture.hostID, table: Self.table(), time: 0)
        var busier = Self.table()
        busier.entries[1].counters?.replyBytes = 100 + 4000  // the DNAT flow moved 4 kB in 2 s
        busier.entries.append(ConntrackEntry(family: .ipv4, protocolNumber: 1,
                                             original: ConntrackTuple(src: IPAddress("10.213.0.7")!, dst: IPAddress("10.213.0.2")!, icmp: .init(type: 8, code: 0, id: 3)),
                                             reply: ConntrackTuple(src: IPAddress("10.213.0.2")!, dst: IPAddress("10.213.0.7")!, icmp: .init(type: 0, code: 0, id: 3)),
                                             id: 3))
        var s = TestEnv.state(size)
        s.detailTab = .conntrack
        s.conntrack = ConntrackSample.next(after: first, namespace: LabFixture.hostID, table: busier, time: 2)
        let b = AppView.renderPane(.details, s, TestEnv.context(), size: Size(width: 140, height: 12))
        XCTAssertNotNil(b.rowContaining("0.5 new/s · 0.0 destroyed/s"), b.lines().joined(separator: "\n"))
        let dnatRow = try? XCTUnwrap(b.rowContaining("41000 → 10.213.0.2:80"))
        let dnsRow = try? XCTUnwrap(b.rowContaining("5000 → 10.213.0.2:53"))
        XCTAssertTrue(dnatRow?.text.contains("2.0 kB/s") ?? false, b.lines().joined(separator: "\n"))
        XCTAssertLessThan(dnatRow?.y ?? 99, dnsRow?.y ?? 0, "busiest first")
        XCTAssertNotNil(b.rowContaining("10.213.0.7 → 10.213.0.2 type 8 id 3"), "ICMP: type and id, no ports")
    }
}
