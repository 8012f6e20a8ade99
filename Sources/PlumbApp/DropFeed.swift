import PlumbKernel
import PlumbModel
import PlumbSystem

/// The drops the TUI shows: new drops since the last call (for the events log) and the recent ones (for the
/// Drops tab, the badges and the doctor's live evidence). The live one wraps PlumbKernel's `DropWatcher`;
/// tests pass recorded drops.
public protocol DropFeed: AnyObject {
    /// "bpf" or "tracepoint".
    var mode: String { get }
    /// Why drops are host-wide (the tracepoint fallback), nil with BPF.
    var note: String? { get }
    /// Drops lost on the way (ring buffer full, reader behind).
    var lost: UInt64 { get }
    /// Drops since the last call; never blocks.
    func takeNew() -> [PacketDrop]
    /// Drops of the last `millis` milliseconds, oldest first.
    func recent(millis: Int) -> [PacketDrop]
    func stop()
    /// Readable when new drops arrived (the TUI polls it with the keyboard, so an idle screen with no drops in
    /// its window never wakes for the feed); nil: the reader must poll on a timer.
    var wakeDescriptor: Int32? { get }
    /// Empties `wakeDescriptor` after it woke the reader.
    func drainWake()
}

extension DropFeed {
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
        watcher = try DropWatcher.start(onDrops: onDrops)
    }

    public var mode: String { watcher.mode.rawValue }
    public var note: String? {
        watcher.attributes ? nil : "host-wide: no namespaces or interfaces (BPF: \(watcher.fallbackReason ?? "not used"))"
    }
    public var lost: UInt64 { watcher.counters.lost }
    public func takeNew() -> [PacketDrop] { (try? watcher.waitForNew(timeoutMillis: 0)) ?? [] }
    public func recent(millis: Int) -> [PacketDrop] { watcher.drops(DropQuery(lastMillis: millis)) }
    public func stop() { watcher.stop() }
    public var wakeDescriptor: Int32? { wake?.readDescriptor }
    public func drainWake() { wake?.drain() }
}
