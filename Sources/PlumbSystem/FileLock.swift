import Glibc

/// An exclusive flock(2) on a lock file, held by this value until `release()` (or its end). Several processes
/// that lock the same path run one at a time, whatever user or state directory they belong to.
///
/// The file is removed on release, so lock files do not pile up. That is safe with the usual check: after
/// flock returns, the path must still name the file that was locked; if a releasing holder unlinked it
/// meanwhile, the lock is on a dead file and is taken again on a fresh one.
public final class FileLock {
    public let path: String
    private var descriptor: FileDescriptor?

    private init(path: String, descriptor: consuming FileDescriptor) {
        self.path = path
        self.descriptor = consume descriptor
    }

    deinit { release() }

    /// Blocks until the lock on `path` is held. The directory is created (0700) when missing.
    public static func acquire(_ path: String) throws(SystemError) -> FileLock {
        try makeDirectory(parentOf: path)
        while true {
            let fd = try FileDescriptor.open(path, O_RDWR | O_CREAT | O_NOFOLLOW, mode: 0o600)
            var rc: Int32
            repeat { rc = flock(fd.rawValue, LOCK_EX) } while rc != 0 && errno == EINTR
            if rc != 0 { throw SystemError("flock", path) }
            let held = try fd.status()
            var now = stat()
            if stat(path, &now) == 0 && now.st_ino == held.st_ino && now.st_dev == held.st_dev {
                return FileLock(path: path, descriptor: fd)
            }
            // Unlinked by the previous holder between our open and our flock: try again on the new file.
        }
    }

    /// Unlinks the file while the lock is still held (a waiter then retries on a new file), then unlocks.
    public func release() {
        guard let fd = descriptor.take() else { return }
        unlink(path)
        _ = consume fd
    }

    private static func makeDirectory(parentOf path: String) throws(SystemError) {
        var parts = path.split(separator: "/", omittingEmptySubsequences: true).dropLast()
        var dir = ""
        while !parts.isEmpty {
            dir += "/" + parts.removeFirst()
            if mkdir(dir, 0o700) != 0 && errno != EEXIST { throw SystemError("mkdir", dir) }
        }
    }
}
