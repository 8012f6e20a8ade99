import XCTest
import PlumbApp
import PlumbModel
@testable import PlumbTUI

/// The loop tells the source which link counters are on screen, and samples only the links an update read.
final class AppCountersOnScreenTests: XCTestCase {
    func testTheLoopAsksForTheCountersOnScreenAndSamplesOnlyTheLinksRead() throws {
        let fake = FakeKernel()
        var first = TestEnv.snapshot
        first.takenAt = 1_000
        let h = try XCTUnwrap(first.namespaces.firstIndex { $0.isHost })
        let host = first.namespaces[h].id
        let a = first.namespaces[h].links[0].index, b = first.namespaces[h].links[1].index
        var later = first
        later.takenAt = 1_001
        later.namespaces[h].links[0].stats.rxBytes += 5_000
        later.namespaces[h].links[1].stats.rxBytes += 7_000  // not read: the update says so
        let term = FakeTerminal(size: Size(width: 120, height: 40), script: [
            .run { fake.snapshots.queue.append(SnapshotUpdate(snapshot: later, read: [host], readLinks: [host: [a]])) },
            .key(.char("q")),
        ])
        let app = TUIApp(first: first, kernel: fake.kernel, terminal: term)
        app.run()
        XCTAssertFalse(term.exhausted, "the script ran out before the loop quit")
        let rates = app.context.rates
        XCTAssertEqual(rates.rates(LinkID(namespace: host, index: a))?.rxBytes, 5_000)
        XCTAssertNil(rates.rates(LinkID(namespace: host, index: b)), "not read: no rate, neither 0 nor 7,000")
        XCTAssertEqual(rates.samples[LinkID(namespace: host, index: b)]?.count, 1)
        let asked = try XCTUnwrap(fake.snapshots.counters)
        XCTAssertEqual(asked, CounterScope(links: app.state.countersOnScreen(app.context.snapshot)))
        XCTAssertTrue(asked.namespaces.isEmpty, "no namespace is read in full every interval")
        XCTAssertTrue(asked.links[host]?.contains(try XCTUnwrap(app.state.selectedLink).index) == true)
        XCTAssertLessThan(asked.links[host]?.count ?? 0, first.namespaces[h].links.count, "the rows on screen, not all")
    }
}
