import Glibc

/// read/write/poll/fcntl on an owned descriptor. Each retries EINTR, so callers never see it.
extension FileDescriptor {
    /// read(2) into `count` bytes at `buffer`: the number read, 0 at end of file.
    @inline(__always)
    public borrowing func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(SystemError) -> Int {
        while true {
            let n = Glibc.read(rawValue, buffer, count)
            if n >= 0 { return n }
            if errno != EINTR { throw SystemError("read", "fd \(rawValue)") }
        }
    }

    public borrowing func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        return try read(into: base, count: buffer.count)
    }

    /// One read(2) of up to `count` bytes into a new array (empty at end of file).
    public borrowing func read(upTo count: Int) throws(SystemError) -> [UInt8] {
        var failure: SystemError?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buf, initialized in
            do throws(SystemError) { initialized = try read(into: UnsafeMutableRawBufferPointer(buf)) } catch {
                failure = error; initialized = 0
            }
        }
        if let failure { throw failure }
        return bytes
    }

    /// recv(2) with MSG_DONTWAIT: the number read, or nil when nothing is waiting (EAGAIN).
    public borrowing func receiveNow(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int? {
        while true {
            let n = recv(rawValue, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
            if n >= 0 { return n }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            throw SystemError("recv", "fd \(rawValue)")
        }
    }

    /// write(2) once: the number of bytes the kernel took.
    public borrowing func write(_ buffer: UnsafeRawBufferPointer) throws(SystemError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        while true {
            let n = Glibc.write(rawValue, base, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw SystemError("write", "fd \(rawValue)") }
        }
    }

    /// Writes all of `buffer`, however many write(2) calls that takes.
    public borrowing func writeAll(_ buffer: UnsafeRawBufferPointer) throws(SystemError) {
        var off = 0
        while off < buffer.count {
            off += try write(UnsafeRawBufferPointer(rebasing: buffer[off...]))
        }
    }

    public borrowing func writeAll(_ bytes: [UInt8]) throws(SystemError) {
        // withUnsafeBytes rethrows untyped errors: carry the typed one out by hand.
        let failure = bytes.withUnsafeBytes { b -> SystemError? in
            do throws(SystemError) { try writeAll(b); return nil } catch { return error }
        }
        if let failure { throw failure }
    }

    /// lseek(2) to an absolute offset.
    public borrowing func seek(to offset: Int) throws(SystemError) {
        if lseek(rawValue, off_t(offset), SEEK_SET) < 0 { throw SystemError("lseek", "fd \(rawValue)") }
    }

    /// poll(2) on this descriptor alone: the returned events (0 on timeout).
    public borrowing func poll(_ events: Int16, timeoutMillis: Int32) throws(SystemError) -> Int16 {
        var p = pollfd(fd: rawValue, events: events, revents: 0)
        while true {
            let n = Glibc.poll(&p, 1, timeoutMillis)
            if n >= 0 { return n == 0 ? 0 : p.revents }
            if errno != EINTR { throw SystemError("poll", "fd \(rawValue)") }
        }
    }

    /// Sets O_NONBLOCK.
    public borrowing func setNonBlocking() throws(SystemError) {
        let flags = fcntl(rawValue, F_GETFL)
        if flags < 0 || fcntl(rawValue, F_SETFL, flags | O_NONBLOCK) < 0 {
            throw SystemError("fcntl", "F_SETFL O_NONBLOCK of fd \(rawValue)")
        }
    }

    /// fcntl(F_SETPIPE_SZ): the pipe's buffer size (pages are used only as data arrives).
    public borrowing func setPipeSize(_ bytes: Int32) throws(SystemError) {
        // F_SETPIPE_SZ is F_LINUX_SPECIFIC_BASE + 7, which Glibc's module does not export.
        if fcntl(rawValue, 1031, bytes) < 0 { throw SystemError("fcntl", "F_SETPIPE_SZ of fd \(rawValue)") }
    }
}
