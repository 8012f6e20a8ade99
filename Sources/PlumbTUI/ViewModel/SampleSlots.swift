import PlumbModel

/// The rate history's storage: one ring of `capacity` samples per link, all in one flat array, and each ring's
/// bookkeeping in another. A second's record writes one sample per link into storage that is already there;
/// with a separate array per link, reading each ring's last sample and header missed the cache three times per
/// link (511 host links every second: a tenth of the idle TUI's work).
struct SampleSlots: Sendable {
    /// One link's ring: where its samples are and which record last saw the link.
    struct Ring: Sendable {
        var id: LinkID
        var count = 0
        /// The oldest sample's position once the ring is full (0 until then).
        var start = 0
        var lastTime = 0.0
        /// The record that last sampled the link.
        var stamp: UInt64 = 0
    }

    let capacity: Int
    private(set) var rings: [Ring] = []
    /// Ring `r`'s physical sample `i` is at `r * capacity + i`.
    private var samples: [LinkSample] = []
    /// Rings of forgotten links, reused first.
    private var free: [Int] = []

    init(capacity: Int) { self.capacity = capacity }

    /// A ring for `id` (empty).
    mutating func add(_ id: LinkID) -> Int {
        if let r = free.popLast() {
            rings[r] = Ring(id: id)
            return r
        }
        rings.append(Ring(id: id))
        samples.append(contentsOf: repeatElement(LinkSample(time: 0, stats: LinkStats()), count: capacity))
        return rings.count - 1
    }

    mutating func remove(_ r: Int) {
        rings[r].count = 0
        free.append(r)
    }

    /// Notes record `stamp` saw ring `r`'s link and appends `sample` unless the last one is as new (the same
    /// snapshot recorded twice); a full ring replaces its oldest sample. A ring whose last sample is older than
    /// `since` (the link missed a read: it was off screen) starts over, so its first rate spans one interval.
    mutating func record(_ sample: LinkSample, in r: Int, stamp: UInt64, since: Double = -.infinity) {
        rings[r].stamp = stamp
        if rings[r].count > 0 && rings[r].lastTime < since {
            rings[r].count = 0
            rings[r].start = 0
        }
        let n = rings[r].count
        if n > 0 && rings[r].lastTime >= sample.time { return }
        rings[r].lastTime = sample.time
        if n < capacity {
            samples[r * capacity + n] = sample
            rings[r].count = n + 1
        } else {
            let s = rings[r].start
            samples[r * capacity + s] = sample
            rings[r].start = s + 1 == capacity ? 0 : s + 1
        }
    }

    /// Ring `r`'s `i`th sample, oldest first.
    func sample(_ r: Int, _ i: Int) -> LinkSample {
        samples[r * capacity + (rings[r].start + i) % capacity]
    }

    func ordered(_ r: Int) -> [LinkSample] { (0..<rings[r].count).map { sample(r, $0) } }
}
