import Glibc

/// Waits until one of several descriptors has input, a timeout passes, or a signal interrupts the wait (the
/// TUI's loop must see SIGWINCH at once: curses then has the new size queued as a key). One poll(2) over the
/// descriptors, which stay their owners'; the loop that owns the waiting calls this, not the terminal.
public enum InputWait {
    public enum Outcome: Equatable, Sendable {
        /// The positions (in the array given) of the descriptors with input.
        case ready(Set<Int>)
        case timedOut
        /// A signal arrived first.
        case interrupted
    }

    /// `timeoutMillis` -1 waits without limit. A negative descriptor is skipped, as poll(2) does.
    public static func wait(for descriptors: [Int32], timeoutMillis: Int32) throws(SystemError) -> Outcome {
        var fds = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let n = poll(&fds, nfds_t(fds.count), timeoutMillis)
        if n < 0 {
            if errno == EINTR { return .interrupted }
            throw SystemError("poll", "\(descriptors.count) descriptors")
        }
        if n == 0 { return .timedOut }
        return .ready(Set(fds.indices.filter { fds[$0].revents != 0 }))
    }
}
