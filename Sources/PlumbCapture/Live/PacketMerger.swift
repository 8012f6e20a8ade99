// Merges the per-source buffers of a multi-source capture into one time-ordered stream.
//
// Each source delivers its own packets in time order, but a source hands over a kernel block only when it is
// full or its timeout expires, so one source can lag another by up to about twice the pcap timeout. The merger
// therefore only releases packets older than a watermark (now minus that lag): every packet stamped before
// the watermark has already reached its source buffer, so a k-way merge up to it is exactly time-ordered.
// At the end of a capture everything left is released (watermark nil).

enum PacketMerger {
    struct Result: Equatable {
        var moved = 0
        /// The output refused a packet (full, `.dropNewest`): the rest waits in the inputs.
        var outputFull = false
    }

    /// Moves packets from `inputs` to `output` in (timestamp, input index) order while the earliest waiting
    /// packet is stamped at or before `watermark` (nil: no bound), moving at most `limit`.
    static func merge(_ inputs: [PacketRing], into output: PacketRing, through watermark: PacketTimestamp?,
                      limit: Int = .max) -> Result {
        var result = Result()
        while result.moved < limit {
            var best = -1
            var bestRecord = PacketRecord(seconds: 0, nanoseconds: 0, capturedLength: 0, originalLength: 0, source: 0, offset: 0)
            for (i, ring) in inputs.enumerated() where !ring.isEmpty {
                let r = ring.record(ring.firstSequence)
                if best < 0 || (r.seconds, r.nanoseconds) < (bestRecord.seconds, bestRecord.nanoseconds) {
                    best = i; bestRecord = r
                }
            }
            guard best >= 0 else { break }
            if let w = watermark, (bestRecord.seconds, bestRecord.nanoseconds) > (w.seconds, w.nanoseconds) { break }
            let ring = inputs[best]
            let stored = output.append(ring.bytes(of: bestRecord), seconds: bestRecord.seconds,
                                       nanoseconds: bestRecord.nanoseconds,
                                       originalLength: Int(bestRecord.originalLength), source: Int(bestRecord.source))
            if stored == nil && output.whenFull == .dropNewest { result.outputFull = true; break }
            ring.removeOldest()
            result.moved += 1
        }
        return result
    }
}
