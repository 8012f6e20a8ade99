import XCTest
import PlumbModel
@testable import PlumbTUI

/// The rate history's ring and its bookkeeping of vanished links, with partial records (`only:`) as the live
/// loop makes them: only the namespaces on screen are sampled each second.
final class RateHistoryTests: XCTestCase {
    private let host = TestEnv.namespace("host").id
    private let redis = TestEnv.namespace("redis").id

    func testAFullRingKeepsTheNewestSamplesOldestFirst() {
        var h = RateHistory(capacity: 3)
        for s in 0..<5 { h.record(LabFixture.snapshot(step: s)) }
        let id = TestEnv.linkID("host", "veth3c1f2a9")
        XCTAssertEqual(h.samples[id]?.map(\.time), (2..<5).map { LabFixture.snapshot(step: $0).takenAt })
        XCTAssertEqual(h.series(id, \.rxBytes), (3..<5).map { Double(LabFixture.rate(10, $0)) })
        XCTAssertEqual(h.rates(id)?.rxBytes, Double(LabFixture.rate(10, 4)))
        // The same history recorded another way round the ring is the same history.
        var other = RateHistory(capacity: 3)
        for s in 2..<5 { other.record(LabFixture.snapshot(step: s)) }
        XCTAssertEqual(h, other)
    }

    func testPartialRecordsSampleOnlyTheirNamespacesAndForgetWhatVanishedThere() {
        var h = RateHistory()
        h.record(LabFixture.snapshot(step: 0))
        h.record(LabFixture.snapshot(step: 1), only: [host])
        let eth0 = TestEnv.linkID("host", "eth0"), redisEth0 = TestEnv.linkID("redis", "eth0")
        XCTAssertEqual(h.samples[eth0]?.count, 2)
        XCTAssertEqual(h.samples[redisEth0]?.count, 1, "not on screen: not sampled")

        // A host link and a redis link are deleted; only the host is read: the host's is forgotten, redis's kept.
        var snap = LabFixture.snapshot(step: 2)
        let hi = snap.namespaces.firstIndex { $0.id == host }!, ri = snap.namespaces.firstIndex { $0.id == redis }!
        snap.namespaces[hi].links.removeAll { $0.name == "eth0" }
        snap.namespaces[ri].links.removeAll { $0.name == "eth0" }
        h.record(snap, only: [host])
        XCTAssertNil(h.samples[eth0])
        XCTAssertEqual(h.samples[redisEth0]?.count, 1, "its namespace was not read: its old counters stay")
        XCTAssertEqual(h.samples[TestEnv.linkID("host", "docker0")]?.count, 3)

        // redis goes away entirely: its links are forgotten although it was not read.
        snap.takenAt += 2
        snap.namespaces.remove(at: ri)
        h.record(snap, only: [host])
        XCTAssertTrue(h.samples.keys.allSatisfy { $0.namespace != redis })

        // eth0 comes back: a new history, not the old one continued.
        let back = LabFixture.snapshot(step: 4)
        h.record(back, only: [host])
        XCTAssertEqual(h.samples[eth0]?.count, 1)
        XCTAssertNil(h.rates(eth0))
        // A full read forgets everything it did not see (redis's links, read again, start over).
        h.record(LabFixture.snapshot(step: 5))
        XCTAssertEqual(h.samples[redisEth0]?.count, 1)
        XCTAssertEqual(h.samples[eth0]?.count, 2)
    }

    func testLinksReorderedOrInsertedKeepTheirOwnHistories() {
        var h = RateHistory()
        h.record(LabFixture.snapshot(step: 0))
        h.record(LabFixture.snapshot(step: 1), only: [host])
        // The host's links come in another order, then with a new link among them.
        var reordered = LabFixture.snapshot(step: 2)
        let hi = reordered.namespaces.firstIndex { $0.id == host }!
        reordered.namespaces[hi].links.reverse()
        h.record(reordered, only: [host])
        var inserted = LabFixture.snapshot(step: 3)
        var extra = inserted.namespaces[hi].links[0]
        extra.index = 9_999
        extra.name = "new0"
        inserted.namespaces[hi].links.insert(extra, at: 1)
        h.record(inserted, only: [host])
        for l in inserted.namespaces[hi].links {
            let s = h.samples[LinkID(namespace: host, index: l.index)]
            XCTAssertEqual(s?.last?.stats, l.stats, l.name)
            XCTAssertEqual(s?.count, l.index == 9_999 ? 1 : 4, l.name)
            if l.index != 9_999 {
                let at2 = reordered.namespaces[hi].links.first { $0.index == l.index }!
                XCTAssertEqual(s?[2].stats, at2.stats, "\(l.name): its own counters when the order changed")
            }
        }
    }

    /// The live source reads only the links on screen: a link off screen keeps old counters in the snapshot.
    /// Sampled as if read they would show a false zero, then a spike when the link is read again.
    func testALinkNotReadForAWhileShowsNoZeroAndNoSpikeWhenItIsReadAgain() throws {
        var base = TestEnv.snapshot
        let h = try XCTUnwrap(base.namespaces.firstIndex { $0.id == host })
        let a = base.namespaces[h].links[0].index, b = base.namespaces[h].links[1].index
        let aID = LinkID(namespace: host, index: a), bID = LinkID(namespace: host, index: b)
        // Both links move 1,000 bytes a second all along; `b` is read at 0-2 and from 11 on only.
        func snap(_ t: Int, bReadAt: Int) -> Snapshot {
            var s = base
            s.takenAt = 1_000 + Double(t)
            s.namespaces[h].links[0].stats.rxBytes = UInt64(1_000 * t)
            s.namespaces[h].links[1].stats.rxBytes = UInt64(1_000 * bReadAt)
            return s
        }
        base.namespaces[h].links[0].stats = LinkStats()
        base.namespaces[h].links[1].stats = LinkStats()
        var hist = RateHistory()
        for t in 0...2 { hist.record(snap(t, bReadAt: t)) }
        XCTAssertEqual(hist.rates(bID)?.rxBytes, 1_000)
        for t in 3...10 {
            hist.record(snap(t, bReadAt: 2), only: [host], links: [host: [a]])
            XCTAssertEqual(hist.rates(aID)?.rxBytes, 1_000)
            XCTAssertNil(hist.rates(bID), "t=\(t): not read, no rate (its old counters are no zero rate)")
            XCTAssertEqual(hist.series(bID, \.rxBytes), [])
            XCTAssertEqual(hist.samples[bID]?.count, 3, "kept, not sampled")
        }
        hist.record(snap(11, bReadAt: 11), only: [host], links: [host: [a, b]])
        XCTAssertNil(hist.rates(bID), "read again: one sample, not a rate over the nine seconds away")
        XCTAssertEqual(hist.samples[bID]?.count, 1, "its history starts over")
        hist.record(snap(12, bReadAt: 12), only: [host], links: [host: [a, b]])
        XCTAssertEqual(hist.rates(bID)?.rxBytes, 1_000, "the first rate spans one interval")
        XCTAssertEqual(hist.series(bID, \.rxBytes), [1_000])
        XCTAssertEqual(hist.series(aID, \.rxBytes), Array(repeating: 1_000, count: 12), "a's history is whole")
        // A whole read of the namespace keeps both.
        hist.record(snap(13, bReadAt: 13), only: [host])
        XCTAssertEqual(hist.series(bID, \.rxBytes), [1_000, 1_000])
        XCTAssertNotNil(hist.samples[LinkID(namespace: host, index: base.namespaces[h].links[2].index)])
    }

    func testARecordOfNoNamespacesChangesNothing() {
        var h = TestEnv.rates
        h.record(LabFixture.snapshot(step: TestEnv.step + 1), only: [])
        XCTAssertEqual(h, TestEnv.rates)
    }
}
