// Where capture writers put their bytes. A protocol so that tests write to memory and Plumb writes to a file
// or a pipe (e.g. live into `wireshark -k -i -`) with the same writer code.

#if canImport(Glibc)
import Glibc
import PlumbSystem
#elseif canImport(Darwin)
import Darwin
#endif

public protocol ByteSink {
    func write(_ bytes: [UInt8]) throws
}

public struct ByteSinkError: Error, CustomStringConvertible, Equatable {
    public var operation: String
    public var path: String
    public var errno: Int32

    public var description: String {
        "\(operation) \(path): \(String(cString: strerror(errno)))"
    }
}

/// Collects everything in memory (tests, small exports).
public final class MemorySink: ByteSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public func write(_ bytes: [UInt8]) throws { self.bytes += bytes }
}

/// Writes to a file descriptor through a buffer, so a writer emitting one small record per packet does not
/// cost one system call per packet. `close()` flushes and, for files, `fsync`s so a capture that Plumb says it
/// saved survives a crash right after.
public final class FileSink: ByteSink {
    public let path: String
    /// The descriptor written to: `owned`'s number, or the caller's (-1 once closed).
    private var fd: Int32
    /// Set when the sink opened the file itself: dropping it closes the file.
    private var owned: FileDescriptor?
    private let ownsDescriptor: Bool
    /// Raw buffer rather than an Array: the capture writers fill records in place (`withSpace`), one memcpy
    /// per packet, with no uniqueness or capacity checks per byte.
    private let storage: UnsafeMutableRawPointer
    private var used = 0
    private let bufferSize: Int
    /// File offset up to which every byte was written: always the end of a whole record, because the buffer
    /// only ever holds whole records (each `write` call is one record or header).
    public private(set) var committedBytes = 0
    /// Set after a failed write: the file was cut back to `committedBytes` and takes no more writes.
    public private(set) var failed: ByteSinkError?

    /// Creates `path` as a private file (mode 0600, owned by `owner`: the user who ran sudo, by default),
    /// never through a symbolic link; an existing file is refused unless `overwrite` (see
    /// `FileDescriptor.createPrivate`, which throws `PrivateFileError`).
    public init(path: String, overwrite: Bool = false, owner: FileOwner = .invokingUser(),
                bufferSize: Int = 64 * 1024) throws {
        let file = try FileDescriptor.createPrivate(path, overwrite: overwrite, owner: owner)
        self.path = path
        self.fd = file.rawValue
        self.owned = .some(file)
        self.ownsDescriptor = true
        self.bufferSize = bufferSize
        storage = .allocate(byteCount: max(1, bufferSize), alignment: 8)
    }

    /// Wraps an existing descriptor (stdout, a pipe). It is not closed by `close()`; pass `bufferSize: 0` to
    /// forward every write immediately, as a live viewer at the other end of a pipe wants.
    public init(fileDescriptor: Int32, bufferSize: Int = 0) {
        self.path = "fd \(fileDescriptor)"
        self.fd = fileDescriptor
        self.owned = nil
        self.ownsDescriptor = false
        self.bufferSize = bufferSize
        storage = .allocate(byteCount: max(1, bufferSize), alignment: 8)
    }

    deinit {
        // Best effort for a sink that was never closed; errors cannot be reported from here.
        if fd >= 0 { try? close() }
        storage.deallocate()
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            try withSpace(raw.count) { p in
                if raw.count > 0 { p.copyMemory(from: raw.baseAddress!, byteCount: raw.count) }
            }
        }
    }

    /// Appends one record of exactly `count` bytes, written in place by `fill`. Records larger than the buffer
    /// go out in their own write.
    @inline(__always)
    public func withSpace(_ count: Int, _ fill: (UnsafeMutableRawPointer) -> Void) throws {
        guard fd >= 0 else { throw ByteSinkError(operation: "write (closed)", path: path, errno: EBADF) }
        if let failed { throw failed }
        if used + count > bufferSize {
            try flush()
            if count > bufferSize {
                let big = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 8)
                defer { big.deallocate() }
                fill(big)
                try writeCommitted(UnsafeRawBufferPointer(start: big, count: count))
                return
            }
        }
        fill(storage + used)
        used += count
    }

    /// Room for one record of `count` bytes, to be filled completely by the caller before the sink is used
    /// again; nil when the record is larger than the whole buffer (use `write`). The per-packet path of live
    /// captures: no closure, no copy besides the caller's own.
    @inline(__always)
    public func reserve(_ count: Int) throws -> UnsafeMutableRawPointer? {
        if used + count > bufferSize {
            guard fd >= 0 else { throw ByteSinkError(operation: "write (closed)", path: path, errno: EBADF) }
            try flush()
            if count > bufferSize { return nil }
        }
        if let failed { throw failed }
        let p = storage + used
        used += count
        return p
    }

    public func flush() throws {
        if let failed { throw failed }
        guard used > 0 else { return }
        defer { used = 0 }
        try writeCommitted(UnsafeRawBufferPointer(start: storage, count: used))
    }

    /// Writes whole records; on failure (a full disk) cuts an owned regular file back to the last complete
    /// record, so the file on disk stays valid, and refuses further writes.
    private func writeCommitted(_ bytes: UnsafeRawBufferPointer) throws {
        do {
            try writeAll(bytes)
            committedBytes += bytes.count
        } catch let e as ByteSinkError {
            failed = e
            if ownsDescriptor && isRegularFile {
                _ = ftruncate(fd, off_t(committedBytes))
                _ = lseek(fd, off_t(committedBytes), SEEK_SET)
            }
            throw e
        }
    }

    private var isRegularFile: Bool {
        var st = stat()
        return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Flushes, `fsync`s (files only: a pipe cannot be synced) and closes an owned descriptor. Idempotent.
    public func close() throws {
        guard fd >= 0 else { return }
        defer {
            owned = nil  // closes an owned file
            fd = -1
        }
        try flush()
        // Devices and pipes (/dev/null, a FIFO) cannot be synced; only files are.
        if ownsDescriptor && isRegularFile && fsync(fd) != 0 {
            throw ByteSinkError(operation: "fsync", path: path, errno: errno)
        }
    }

    private func writeAll(_ raw: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < raw.count {
            let n = systemWrite(fd, raw.baseAddress! + done, raw.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw ByteSinkError(operation: "write", path: path, errno: errno)
            }
            done += n
        }
    }
}

// The sink's own `write` method shadows the C function inside the class, hence this name.
@inline(__always) private func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }
