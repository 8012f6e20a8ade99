import Glibc
import XCTest
@testable import PlumbCapture

/// The pure parts of live capture: the packet ring, the time-ordered merge, and the file sink's behaviour on a
/// write error.
final class LiveBufferTests: XCTestCase {
    func bytes(_ n: Int, _ fill: UInt8) -> [UInt8] { [UInt8](repeating: fill, count: n) }

    @discardableResult
    func put(_ ring: PacketRing, _ data: [UInt8], at t: (Int64, UInt32) = (0, 0), source: Int = 0) -> UInt64? {
        data.withUnsafeBytes { ring.append($0, seconds: t.0, nanoseconds: t.1, originalLength: data.count + 10, source: source) }
    }

    func contents(_ ring: PacketRing) -> [[UInt8]] {
        guard !ring.isEmpty else { return [] }
        return (ring.firstSequence..<ring.nextSequence).map { Array(ring.bytes(of: ring.record($0))) }
    }

    func testRingKeepsPacketsInOrderAcrossArenaWraps() {
        let ring = PacketRing(slots: 8, bytes: 100, whenFull: .dropNewest)
        XCTAssertEqual(put(ring, bytes(40, 1)), 1)
        XCTAssertEqual(put(ring, bytes(40, 2)), 2)
        XCTAssertNil(put(ring, bytes(30, 3)), "no contiguous room: refused, nothing lost")
        ring.discard(through: 1)
        // 40 bytes free at the start, 20 at the end: the packet wraps to offset 0.
        XCTAssertEqual(put(ring, bytes(30, 3)), 3)
        XCTAssertEqual(contents(ring), [bytes(40, 2), bytes(30, 3)])
        XCTAssertNil(put(ring, bytes(20, 4)), "between the wrapped tail (30) and head (40) only 10 bytes are free")
        XCTAssertEqual(put(ring, bytes(10, 5)), 4)
        XCTAssertEqual(contents(ring), [bytes(40, 2), bytes(30, 3), bytes(10, 5)])
        let r = ring.record(3)
        XCTAssertEqual(r.originalLength, 40, "original length kept")
        ring.discard(through: 10)
        XCTAssertTrue(ring.isEmpty)
        XCTAssertEqual(put(ring, bytes(50, 6)), 5, "sequences keep counting after the ring emptied")
    }

    func testRingSlotLimitAndEviction() {
        let keep = PacketRing(slots: 3, bytes: 1000, whenFull: .dropNewest)
        for i in 0..<3 { XCTAssertNotNil(put(keep, bytes(10, UInt8(i)))) }
        XCTAssertNil(put(keep, bytes(10, 9)), "slots full")
        XCTAssertEqual(keep.count, 3)

        let latest = PacketRing(slots: 3, bytes: 1000, whenFull: .evictOldest)
        for i in 0..<5 { XCTAssertEqual(put(latest, bytes(10, UInt8(i))), UInt64(i + 1)) }
        XCTAssertEqual(latest.firstSequence, 3)
        XCTAssertEqual(contents(latest), [bytes(10, 2), bytes(10, 3), bytes(10, 4)])
        XCTAssertEqual(latest.evicted, 2)

        let bytesBound = PacketRing(slots: 100, bytes: 100, whenFull: .evictOldest)
        for i in 0..<10 { put(bytesBound, bytes(30, UInt8(i))) }
        XCTAssertEqual(contents(bytesBound).map { $0[0] }, [7, 8, 9], "the arena holds the latest that fit")
        XCTAssertNil(put(bytesBound, bytes(51, 1)), "a packet over half the arena is refused")
    }

    func testRingRandomizedAgainstAModel() {
        var rng = SystemRandomNumberGenerator()
        for policy in [PacketRing.WhenFull.dropNewest, .evictOldest] {
            let ring = PacketRing(slots: 16, bytes: 512, whenFull: policy)
            var model: [(UInt64, [UInt8])] = []
            for step in 0..<5000 {
                if Int.random(in: 0..<3, using: &rng) == 0, let first = model.first {
                    let upTo = first.0 + UInt64.random(in: 0..<3, using: &rng)
                    ring.discard(through: upTo)
                    model.removeAll { $0.0 <= upTo }
                } else {
                    let data = bytes(Int.random(in: 0...200, using: &rng), UInt8(truncatingIfNeeded: step))
                    if let seq = put(ring, data) {
                        model.append((seq, data))
                        if policy == .evictOldest { model.removeAll { $0.0 < ring.firstSequence } }
                    } else {
                        XCTAssertEqual(policy, .dropNewest, "evictOldest only refuses oversize packets")
                    }
                }
                XCTAssertEqual(contents(ring), model.map(\.1), "step \(step)")
                if let f = model.first { XCTAssertEqual(ring.firstSequence, f.0) }
            }
        }
    }

    func testMergeIsTimeOrderedUpToTheWatermark() {
        let a = PacketRing(slots: 16, bytes: 4096, whenFull: .dropNewest)
        let b = PacketRing(slots: 16, bytes: 4096, whenFull: .dropNewest)
        // Each source in its own order; together interleaved, with a tie at t=5 (source 0 first).
        for t in [1, 4, 5, 9] { put(a, [UInt8(t)], at: (100, UInt32(t)), source: 0) }
        for t in [2, 3, 5, 6, 12] { put(b, [UInt8(t)], at: (100, UInt32(t)), source: 1) }
        let out = PacketRing(slots: 64, bytes: 4096, whenFull: .dropNewest)
        var r = PacketMerger.merge([a, b], into: out, through: PacketTimestamp(seconds: 100, nanoseconds: 6))
        XCTAssertEqual(r, PacketMerger.Result(moved: 7, outputFull: false))
        XCTAssertEqual(contents(out).map { $0[0] }, [1, 2, 3, 4, 5, 5, 6])
        XCTAssertEqual((out.firstSequence..<out.nextSequence).map { out.record($0).source }, [0, 1, 1, 0, 0, 1, 1])
        XCTAssertEqual(a.count + b.count, 2, "9 and 12 wait for the watermark")
        r = PacketMerger.merge([a, b], into: out, through: nil)
        XCTAssertEqual(r.moved, 2)
        XCTAssertEqual(contents(out).map { $0[0] }, [1, 2, 3, 4, 5, 5, 6, 9, 12])
    }

    func testMergeStopsWhenTheOutputIsFullAndRespectsTheLimit() {
        let a = PacketRing(slots: 16, bytes: 4096, whenFull: .dropNewest)
        for t in 0..<6 { put(a, [UInt8(t)], at: (1, UInt32(t))) }
        let out = PacketRing(slots: 4, bytes: 4096, whenFull: .dropNewest)
        XCTAssertEqual(PacketMerger.merge([a], into: out, through: nil, limit: 2), .init(moved: 2, outputFull: false))
        XCTAssertEqual(PacketMerger.merge([a], into: out, through: nil), .init(moved: 2, outputFull: true))
        XCTAssertEqual(a.count, 2, "what did not fit stays staged, in order")
        out.discard(through: 4)
        XCTAssertEqual(PacketMerger.merge([a], into: out, through: nil).moved, 2)
        XCTAssertEqual(contents(out).map { $0[0] }, [4, 5])
    }

    /// A write that fails half way (here: the file size limit, EFBIG, as a full disk gives ENOSPC) leaves the
    /// file cut back to the last whole record, and the sink refuses further writes.
    func testFileSinkCutsBackToTheLastWholeRecordOnWriteError() throws {
        let path = NSTemporaryDirectoryPath() + "/pt-cap-sink-\(getpid()).pcap"
        defer { unlink(path) }
        let sink = try FileSink(path: path, bufferSize: 4096)
        let writer = try PcapWriter(sink: sink, linkType: .ethernet)
        let frame = [UInt8](repeating: 0xAB, count: 1000)
        for i in 0..<6 { try writer.write(CapturedPacket(timestamp: PacketTimestamp(seconds: Int64(i), nanoseconds: 0), data: frame)) }
        try sink.flush()
        XCTAssertEqual(sink.committedBytes, 24 + 6 * 1016)

        var old = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &old)
        let oldHandler = signal(SIGXFSZ, SIG_IGN)
        var limit = old
        limit.rlim_cur = rlim_t(24 + 8 * 1016 + 500)   // room for 2 more records and half of a third
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit)
        var failure: Error?
        do {
            for i in 6..<12 { try writer.write(CapturedPacket(timestamp: PacketTimestamp(seconds: Int64(i), nanoseconds: 0), data: frame)) }
            try sink.flush()
        } catch { failure = error }
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &old)
        signal(SIGXFSZ, oldHandler)

        XCTAssertEqual((failure as? ByteSinkError)?.errno, EFBIG)
        XCTAssertNotNil(sink.failed)
        XCTAssertThrowsError(try writer.write(CapturedPacket(timestamp: PacketTimestamp(seconds: 99, nanoseconds: 0), data: frame)))
        try? sink.close()
        let file = try PcapReader.read(path: path)
        XCTAssertFalse(file.truncatedAtEnd)
        XCTAssertEqual(file.packets.count, 6, "the buffer that failed is removed whole; earlier records stay")
    }
}

private func NSTemporaryDirectoryPath() -> String { getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp" }
