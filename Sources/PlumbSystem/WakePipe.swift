/// A pipe that wakes a thread blocked in poll(2) on `readDescriptor`: `wake()` writes a byte (a full pipe is
/// already awake, so it never blocks), `drain()` empties it after waking. Both ends are non-blocking.
public final class WakePipe: Sendable {
    private let readEnd: FileDescriptor
    private let writeEnd: FileDescriptor

    public init() throws(SystemError) {
        let pipe = try PipeDescriptors()
        try pipe.readEnd.setNonBlocking()
        try pipe.writeEnd.setNonBlocking()
        readEnd = pipe.readEnd
        writeEnd = pipe.writeEnd
    }

    /// Poll this for input to learn of a `wake()`.
    public var readDescriptor: Int32 { readEnd.rawValue }

    public func wake() {
        var one: UInt8 = 1
        _ = try? writeEnd.write(UnsafeRawBufferPointer(start: &one, count: 1))
    }

    /// Reads every pending wake-up byte.
    public func drain() {
        while let bytes = try? readEnd.read(upTo: 64), !bytes.isEmpty {}
    }
}
