import Glibc

/// An open file descriptor that this value owns. It is closed exactly once: when the value ends, or by
/// `close()`; `take()` hands the number on to an owner outside Swift (a child's stdio, a C library that closes
/// it). Code reads the number with `rawValue` while it borrows the value. This `deinit` is the one place in
/// Plumb's Swift code that calls close(2).
public struct FileDescriptor: ~Copyable, Sendable {
    public let rawValue: Int32

    /// Takes ownership of `raw` (an fd nobody else will close).
    public init(owning raw: Int32) { rawValue = raw }

    deinit { _ = Glibc.close(rawValue) }

    /// Gives up ownership without closing: the caller now owns the number.
    public consuming func take() -> Int32 {
        let raw = rawValue
        discard self
        return raw
    }

    /// Closes now and reports a failed close (a write-back error of a file). After a failure the number is
    /// released anyway, as close(2) on Linux always does.
    public consuming func close() throws(SystemError) {
        let raw = rawValue
        discard self
        if Glibc.close(raw) != 0 { throw SystemError("close", "fd \(raw)") }
    }
}

extension FileDescriptor {
    /// open(2)/openat(2) relative to `dirfd` (AT_FDCWD: the working directory, or any absolute path), always
    /// with O_CLOEXEC so spawned tools inherit only the descriptors they are given.
    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0,
                            relativeTo dirfd: Int32 = AT_FDCWD) throws(SystemError) -> FileDescriptor {
        let fd = openat(dirfd, path, flags | O_CLOEXEC, mode)
        if fd < 0 { throw SystemError("open", path) }
        return FileDescriptor(owning: fd)
    }

    /// `open`, or nil when it fails: files under /proc vanish while being read, and that is normal there.
    @inline(__always)
    /// errno is left as open(2) set it, for callers that report it in their own words.
    public static func openIfPresent(_ path: String, _ flags: Int32, mode: mode_t = 0,
                                     relativeTo dirfd: Int32 = AT_FDCWD) -> FileDescriptor? {
        let fd = openat(dirfd, path, flags | O_CLOEXEC, mode)
        return fd < 0 ? nil : FileDescriptor(owning: fd)
    }

    /// fcntl(F_DUPFD_CLOEXEC): a new, owned descriptor for the file behind `raw` (which stays with its owner,
    /// e.g. stdin), numbered at least `minimum`.
    public static func duplicate(_ raw: Int32, atLeast minimum: Int32 = 0) throws(SystemError) -> FileDescriptor {
        let fd = fcntl(raw, F_DUPFD_CLOEXEC, minimum)
        if fd < 0 { throw SystemError("fcntl", "F_DUPFD_CLOEXEC of fd \(raw)") }
        return FileDescriptor(owning: fd)
    }

    /// fstat(2).
    public borrowing func status() throws(SystemError) -> stat {
        var st = stat()
        if fstat(rawValue, &st) != 0 { throw SystemError("fstat", "fd \(rawValue)") }
        return st
    }
}
