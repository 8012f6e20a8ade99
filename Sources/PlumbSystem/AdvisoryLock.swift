import Foundation
import Glibc

/// A shared or exclusive advisory lock (flock(2)) on a file, held while this value lives, taken with a bounded
/// wait. The kernel drops it when the process ends, however it ends (kill -9 included), which is what crash
/// recovery needs: a lock that can be taken means that nobody who held it is still running. (`FileLock` is the
/// exclusive, self-removing kind; this file stays, since holders come and go while others hold it shared.)
public final class AdvisoryLock: @unchecked Sendable {
    private let fd: FileDescriptor
    public let path: String
    public let exclusive: Bool

    private init(fd: consuming FileDescriptor, path: String, exclusive: Bool) {
        self.fd = fd; self.path = path; self.exclusive = exclusive
    }

    /// Takes the lock on `path` (created 0600 when missing), shared or exclusive, waiting up to `timeout`
    /// seconds for holders of the other kind. Returns nil when the wait timed out.
    public static func acquire(_ path: String, exclusive: Bool, timeout: Double) throws(SystemError) -> AdvisoryLock? {
        let fd = try FileDescriptor.open(path, O_RDWR | O_CREAT | O_NOFOLLOW, mode: 0o600)
        let deadline = Date().addingTimeInterval(timeout)
        while flock(fd.rawValue, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            guard code == EWOULDBLOCK else { throw SystemError("flock", path, errno: code) }
            if Date() >= deadline { return nil }
            usleep(5_000)
        }
        return AdvisoryLock(fd: fd, path: path, exclusive: exclusive)
    }
}
