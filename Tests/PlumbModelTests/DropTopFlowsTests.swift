import XCTest
@testable import PlumbModel

/// The top flows of a drops group: the one-pass selection equals sorting every flow by count (descending), then
/// text, and taking the first `limit`, on random counts where most flows tie (hundreds of one-packet flows, the
/// shape of a host's IPv6 multicast drops); texts are made once and kept.
final class DropTopFlowsTests: XCTestCase {
    private func naive(_ counted: [DropFlow: Int], limit: Int) -> [DropSummary.FlowCount] {
        counted.map { (flow: $0.key, count: $0.value, text: $0.key.description) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.text < $1.text }
            .prefix(limit)
            .map { DropSummary.FlowCount(flow: $0.flow, count: $0.count) }
    }

    func testOnePassEqualsAFullSortOnRandomCountsWithManyTies() {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<300 {
            var counted: [DropFlow: Int] = [:]
            let flows = Int.random(in: 0...400, using: &rng)
            let busy = Int.random(in: 0...3, using: &rng)
            for i in 0..<flows {
                let flow = DropFlow(protocolNumber: 58, src: IPAddress(ipv4: 0x0AD50000 | UInt32(i % 700)),
                                    dst: IPAddress(ipv4: 0x0AD5FF01), srcPort: UInt16(i % 3), dstPort: 547)
                // Mostly ones; a few busy flows; some equal counts above one.
                counted[flow] = i < busy ? Int.random(in: 2...9, using: &rng) : (Int.random(in: 0..<10, using: &rng) == 0 ? 2 : 1)
            }
            for limit in [1, 5, 7, 1000] {
                var texts: [DropFlow: String] = [:]
                let got = DropSummary.top(counted, limit: limit, texts: &texts)
                XCTAssertEqual(got, naive(counted, limit: limit), "round \(round), \(flows) flows, limit \(limit)")
                XCTAssertTrue(texts.allSatisfy { $0.value == $0.key.description })
                // A second call with the kept texts gives the same answer and makes no new text.
                let made = texts.count
                XCTAssertEqual(DropSummary.top(counted, limit: limit, texts: &texts), got)
                XCTAssertEqual(texts.count, made)
            }
        }
        XCTAssertEqual(DropSummary.top([:], limit: 5), [])
        XCTAssertEqual(DropSummary.top([DropFlow(protocolNumber: 17, src: IPAddress(ipv4: 1), dst: IPAddress(ipv4: 2)): 3], limit: 0), [])
    }
}
