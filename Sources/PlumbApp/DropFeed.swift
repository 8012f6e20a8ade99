import PlumbKernel
import PlumbModel
import PlumbSystem

/// The drops the TUI shows: new drops since the last call, which the TUI counts into its window (`DropWindow`:
/// the events log, the Drops tab, the badges and the doctor's live evidence). The live one wraps PlumbKernel's
/// `DropWatcher`; tests pass recorded drops.
public protocol DropFeed: AnyObject {
    /// "bpf" or "tracepoint".
    var mode: String { get }
    /// Why drops are host-wide (the tracepoint fallback), nil with BPF.
    var note: String? { get }
    /// Drops lost on the way (ring buffer full, reader behind).
    var lost: UInt64 { get }
    /// Drops since the last call; never blocks.
    func takeNew() -> [PacketDrop]
    /// Drops the kernel tallied since the last call (while `tallying`); never blocks.
    func takeTallies() -> [DropTally]
    /// Tally drops in the kernel (the TUI while its Drops tab is closed: only counts and the newest drop of each
    /// namespace × interface × reason × location are shown) or send each one (the Drops tab's top 5-tuples).
    var tallying: Bool { get set }
    /// CLOCK_MONOTONIC now in nanoseconds (the drops' clock): the TUI's window moves with it.
    var nowNanos: UInt64 { get }
    func stop()
    /// Readable when new drops arrived (the TUI polls it with the keyboard, so an idle screen with no drops in
    /// its window never wakes for the feed); nil: the reader must poll on a timer.
    var wakeDescriptor: Int32? { get }
    /// Empties `wakeDescriptor` after it woke the reader.
    func drainWake()
}

extension DropFeed {
    public func takeTallies() -> [DropTally] { [] }
    public var tallying: Bool { get { false } set {} }
    public var nowNanos: UInt64 { DropWatcher.monotonicNanos() }
    public var wakeDescriptor: Int32? { nil }
    public func drainWake() {}
}

/// The kernel's drops through `DropWatcher` (BPF, or the tracepoint fallback).
public final class LiveDropFeed: DropFeed {
    private let watcher: DropWatcher
    /// Written by the watcher's thread after each batch of drops.
    private let wake: WakePipe?

    /// Starts watching; throws (one line) when neither BPF nor the tracepoint can be used.
    public init() throws {
        let pipe = try? WakePipe()
        wake = pipe
        var onDrops: (@Sendable () -> Void)?
        if let pipe { onDrops = { pipe.wake() } }
        // The TUI counts drops as it takes them (its own window): the watcher's log of recent drops, which
        // only questions about past drops read, would copy up to 100,000 drops a second for nobody.
        var options = DropWatcher.Options()
        options.logCapacity = 1
        // A lone drop reaches the pane within half a second (a backlog wakes the reader at once): the TUI
        // summarises drops once a second, and ten wake-ups a second were a tenth of an idle TUI's CPU.
        options.pollMillis = 500
        watcher = try DropWatcher.start(options, onDrops: onDrops)
    }

    public var mode: String { watcher.mode.rawValue }
    public var note: String? {
        watcher.attributes ? nil : "host-wide: no namespaces or interfaces (BPF: \(watcher.fallbackReason ?? "not used"))"
    }
    public var lost: UInt64 { watcher.counters.lost }
    public func takeNew() -> [PacketDrop] { (try? watcher.waitForNew(timeoutMillis: 0)) ?? [] }
    public func takeTallies() -> [DropTally] { watcher.takeTallies() }
    public var tallying = false {
        didSet { if tallying != oldValue { watcher.tally(tallying) } }
    }
    public func stop() { watcher.stopSoon() }
    public var wakeDescriptor: Int32? { wake?.readDescriptor }
    public func drainWake() { wake?.drain() }
}
