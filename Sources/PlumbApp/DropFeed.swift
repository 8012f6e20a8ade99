import PlumbKernel
import PlumbModel

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
}

/// The kernel's drops through `DropWatcher` (BPF, or the tracepoint fallback).
public final class LiveDropFeed: DropFeed {
    private let watcher: DropWatcher

    /// Starts watching; throws (one line) when neither BPF nor the tracepoint can be used.
    public init() throws {
        watcher = try DropWatcher.start()
    }

    public var mode: String { watcher.mode.rawValue }
    public var note: String? {
        watcher.attributes ? nil : "host-wide: no namespaces or interfaces (BPF: \(watcher.fallbackReason ?? "not used"))"
    }
    public var lost: UInt64 { watcher.counters.lost }
    public func takeNew() -> [PacketDrop] { (try? watcher.waitForNew(timeoutMillis: 0)) ?? [] }
    public func recent(millis: Int) -> [PacketDrop] { watcher.drops(DropQuery(lastMillis: millis)) }
    public func stop() { watcher.stop() }
}
