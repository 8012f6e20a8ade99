import CLinuxShims

/// An epoll instance (level-triggered, input only) that reports a caller's token per ready descriptor. The
/// watched descriptors stay owned by the caller; closing one removes it from the set.
public struct Epoll: ~Copyable, Sendable {
    private let fd: FileDescriptor

    public init() throws(SystemError) {
        let raw = plumb_epoll_create()
        if raw < 0 { throw SystemError("epoll_create1", "EPOLL_CLOEXEC") }
        fd = FileDescriptor(owning: raw)
    }

    /// Watches descriptor `raw` for input; `token` comes back from `wait`.
    public borrowing func add(_ raw: Int32, token: UInt64) throws(SystemError) {
        if plumb_epoll_add(fd.rawValue, raw, token) != 0 { throw SystemError("epoll_ctl", "EPOLL_CTL_ADD fd \(raw)") }
    }

    /// Waits up to `timeoutMillis` (EINTR retried) and fills `tokens` with those of ready descriptors: their
    /// count, 0 on timeout.
    public borrowing func wait(into tokens: inout [UInt64], timeoutMillis: Int32) throws(SystemError) -> Int {
        let n = plumb_epoll_wait(fd.rawValue, &tokens, Int32(tokens.count), timeoutMillis)
        if n < 0 { throw SystemError("epoll_wait", "fd \(fd.rawValue)") }
        return Int(n)
    }
}
