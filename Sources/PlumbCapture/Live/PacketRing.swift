// A bounded packet buffer: one contiguous byte arena plus a ring of fixed-size records, so storing a packet is
// one memcpy and a record write — no allocation per packet on the capture hot path. Not thread-safe by itself:
// LiveCapture guards every ring with its lock.

/// Metadata of one stored packet. `offset` locates the bytes in the ring's arena.
struct PacketRecord {
    var seconds: Int64
    var nanoseconds: UInt32
    var capturedLength: UInt32
    var originalLength: UInt32
    var source: UInt32
    var offset: Int
}

final class PacketRing {
    /// What `append` does when the ring is full.
    enum WhenFull {
        /// Refuse the new packet (the caller counts it as dropped): nothing already stored is lost.
        case dropNewest
        /// Evict the oldest packets to make room (a live view that always shows the latest).
        case evictOldest
    }

    /// Packets the ring holds at most (the record storage is rounded up to a power of two).
    let slotCapacity: Int
    private let slotMask: UInt64
    let byteCapacity: Int
    let whenFull: WhenFull
    private let records: UnsafeMutablePointer<PacketRecord>
    private let arena: UnsafeMutableRawPointer

    /// Sequence number of the oldest stored packet; `nextSequence` is the number the next append gets.
    /// Sequences start at 1, so "after 0" means "from the beginning".
    private(set) var firstSequence: UInt64 = 1
    private(set) var nextSequence: UInt64 = 1
    /// Arena offsets: the oldest stored packet's bytes start at `head`; the next packet goes at `tail` (or 0
    /// after a wrap).
    private var head = 0
    private var tail = 0
    /// The newest packets went back to offset 0 while older ones still sit at the end of the arena.
    private var wrapped = false
    /// Packets removed by `evictOldest` over the ring's life.
    private(set) var evicted: UInt64 = 0

    init(slots: Int, bytes: Int, whenFull: WhenFull) {
        // A power of two, so a sequence maps to its slot with a mask instead of a division.
        slotCapacity = max(1, slots)
        var n = 1
        while n < slotCapacity { n <<= 1 }
        slotMask = UInt64(n - 1)
        byteCapacity = max(64, bytes)
        self.whenFull = whenFull
        records = .allocate(capacity: Int(slotMask) + 1)
        arena = .allocate(byteCount: byteCapacity, alignment: 16)
    }

    deinit {
        records.deallocate()
        arena.deallocate()
    }

    var count: Int { Int(nextSequence - firstSequence) }

    /// Arena bytes in use (including the unused end of the arena while wrapped).
    var usedBytes: Int { isEmpty ? 0 : wrapped ? byteCapacity - head + tail : tail - head }
    var isEmpty: Bool { nextSequence == firstSequence }

    /// The record with sequence `seq` (must be stored).
    @inline(__always) func record(_ seq: UInt64) -> PacketRecord {
        records[Int(seq & slotMask)]
    }

    @inline(__always) func bytes(of r: PacketRecord) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: arena + r.offset, count: Int(r.capturedLength))
    }

    /// Stores a packet; returns its sequence, or nil when it was refused (ring full under `.dropNewest`, or a
    /// packet larger than half the arena, which could never fit alongside others).
    @discardableResult
    func append(_ data: UnsafeRawBufferPointer, seconds: Int64, nanoseconds: UInt32, originalLength: Int,
                source: Int) -> UInt64? {
        let length = data.count
        guard length <= byteCapacity / 2 else { return nil }
        var at = reserve(length)
        while at == nil {
            guard whenFull == .evictOldest, !isEmpty else { return nil }
            removeOldest()
            evicted &+= 1
            at = reserve(length)
        }
        let offset = at!
        if length > 0, let base = data.baseAddress { (arena + offset).copyMemory(from: base, byteCount: length) }
        records[Int(nextSequence & slotMask)] = PacketRecord(
            seconds: seconds, nanoseconds: nanoseconds, capturedLength: UInt32(length),
            originalLength: UInt32(clamping: max(originalLength, length)), source: UInt32(source), offset: offset)
        tail = offset + length
        nextSequence &+= 1
        return nextSequence &- 1
    }

    /// Where `length` bytes fit contiguously right now (and a free record slot exists), or nil.
    private func reserve(_ length: Int) -> Int? {
        if count >= slotCapacity { return nil }
        if isEmpty { head = 0; tail = 0; wrapped = false; return length <= byteCapacity ? 0 : nil }
        if !wrapped {
            // Used region [head, tail): room after it, else at the start before head.
            if byteCapacity - tail >= length { return tail }
            if length <= head { wrapped = true; return 0 }
            return nil
        }
        // Wrapped: used region is [head, end of the high part) + [0, tail).
        return head - tail >= length ? tail : nil
    }

    /// Drops the oldest stored packet.
    func removeOldest() {
        guard !isEmpty else { return }
        firstSequence &+= 1
        if isEmpty { head = 0; tail = 0; wrapped = false; return }
        let next = record(firstSequence).offset
        // The oldest packet is now in the low part: the high part is free and the ring is contiguous again.
        if wrapped && next < head { wrapped = false }
        head = next
    }

    /// Drops every packet with a sequence <= `seq` (a consumer acknowledged them).
    func discard(through seq: UInt64) {
        while !isEmpty && firstSequence <= seq { removeOldest() }
    }
}
