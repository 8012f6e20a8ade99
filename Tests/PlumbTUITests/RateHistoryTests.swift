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

    func testARecordOfNoNamespacesChangesNothing() {
        var h = TestEnv.rates
        h.record(LabFixture.snapshot(step: TestEnv.step + 1), only: [])
        XCTAssertEqual(h, TestEnv.rates)
    }
}
