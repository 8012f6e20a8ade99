/// An owned descriptor that can sit in a collection or be shared between threads (FileDescriptor itself is
/// noncopyable, and Swift's collections hold copyable values only). Closed when the last reference goes.
public final class SharedFileDescriptor: Sendable {
    private let fd: FileDescriptor

    public init(_ fd: consuming FileDescriptor) { self.fd = fd }

    public var rawValue: Int32 { fd.rawValue }

    /// Lends the descriptor to `body` (for the calls FileDescriptor offers).
    public func withDescriptor<T, E: Error>(_ body: (borrowing FileDescriptor) throws(E) -> T) throws(E) -> T {
        try body(fd)
    }

    /// poll(2) on this descriptor alone: the returned events (0 on timeout).
    public func poll(_ events: Int16, timeoutMillis: Int32) throws(SystemError) -> Int16 {
        try fd.poll(events, timeoutMillis: timeoutMillis)
    }
}
