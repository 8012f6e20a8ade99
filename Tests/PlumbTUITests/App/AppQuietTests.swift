import XCTest
import PlumbApp
import PlumbModel
@testable import PlumbTUI

/// The live source hands nothing over while the counters on screen stand still; its next update says since
/// when they stood still, and the loop's rates then span the last interval, not the whole quiet spell.
final class AppQuietTests: XCTestCase {
    /// The host's first link's rx rate after an update 100 s after the first snapshot that adds 5,000 bytes.
    private func rxRate(quiet: QuietCounters?) throws -> Double? {
        let fake = FakeKernel()
        var first = TestEnv.snapshot
        first.takenAt = 1_000
        let h = try XCTUnwrap(first.namespaces.firstIndex { $0.isHost })
        let link = first.namespaces[h].links[0]
        var later = first
        later.takenAt = 1_100
        later.namespaces[h].links[0].stats.rxBytes += 5_000
        let host = first.namespaces[h].id
        let term = FakeTerminal(size: Size(width: 120, height: 40), script: [
            .run { fake.snapshots.queue.append(SnapshotUpdate(snapshot: later, read: [host], quiet: quiet)) },
            .key(.char("q")),
        ])
        let app = TUIApp(first: first, kernel: fake.kernel, terminal: term)
        app.run()
        XCTAssertFalse(term.exhausted, "the script ran out before the loop quit")
        return app.context.rates.rates(LinkID(namespace: host, index: link.index))?.rxBytes
    }

    func testAfterAQuietSpellTheRateSpansTheLastIntervalOnly() throws {
        let host = try XCTUnwrap(TestEnv.snapshot.host?.id)
        XCTAssertEqual(try rxRate(quiet: QuietCounters(at: 1_099, namespaces: [host])), 5_000,
                       "the counters stood still until 1 s before: 5,000 bytes in that second")
        XCTAssertEqual(try rxRate(quiet: nil), 50, "without the quiet mark the 5,000 bytes spread over 100 s")
    }
}
