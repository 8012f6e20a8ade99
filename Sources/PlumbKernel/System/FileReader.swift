import Glibc

/// Small, allocation-light file reads for /proc and /sys, where one `read` per file is the whole cost.
/// Every function returns nil instead of throwing: files under /proc vanish while being read, and that is normal.
enum FileReader {
    /// Reads a whole file relative to `dirfd` (AT_FDCWD for absolute paths) into bytes.
    static func readBytes(_ path: String, dirfd: Int32 = AT_FDCWD, limit: Int = 1 << 20) -> [UInt8]? {
        let fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { close(fd) }
        return readAll(fd: fd, limit: limit)
    }

    /// Reads to EOF (or `limit`) straight into one growing buffer: a helper's multi-megabyte output (20,000
    /// iptables rules) is copied once, not once into a scratch buffer and again on every array growth. realloc
    /// grows big blocks with mremap, without copying.
    static func readAll(fd: Int32, limit: Int = 64 << 20) -> [UInt8]? {
        var capacity = 1 << 16, count = 0
        guard var buf = malloc(capacity)?.assumingMemoryBound(to: UInt8.self) else { return nil }
        defer { free(buf) }
        while count < limit {
            if capacity - count < 1 << 15 {
                guard let bigger = realloc(buf, capacity * 2) else { return nil }
                buf = bigger.assumingMemoryBound(to: UInt8.self)
                capacity *= 2
            }
            let n = read(fd, buf + count, min(capacity - count, limit - count))
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            count += n
        }
        return Array(UnsafeBufferPointer(start: buf, count: count))
    }

    /// Reads to EOF, handing each chunk to `body` as it arrives (the buffer is reused for the next one).
    static func readChunks(fd: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1 << 16) { buf in
            while true {
                let n = read(fd, buf.baseAddress!, buf.count)
                if n < 0 { if errno == EINTR { continue }; return }
                if n == 0 { return }
                body(UnsafeBufferPointer(start: buf.baseAddress!, count: n))
            }
        }
    }

    static func readString(_ path: String, dirfd: Int32 = AT_FDCWD) -> String? {
        guard let b = readBytes(path, dirfd: dirfd) else { return nil }
        return String(decoding: b, as: UTF8.self)
    }

    /// First line of a small file, trimmed (sysctls, comm).
    static func readLine(_ path: String, dirfd: Int32 = AT_FDCWD) -> String? {
        guard var b = readBytes(path, dirfd: dirfd, limit: 4096) else { return nil }
        if let nl = b.firstIndex(of: UInt8(ascii: "\n")) { b.removeSubrange(nl...) }
        return String(decoding: b, as: UTF8.self)
    }

    static func readInt(_ path: String, dirfd: Int32 = AT_FDCWD) -> Int? {
        readLine(path, dirfd: dirfd).flatMap { Int($0.trimmingSpaces) }
    }

    /// Entry names of a directory (no . and ..), or nil if it cannot be opened.
    static func listDirectory(_ path: String, dirfd: Int32 = AT_FDCWD) -> [String]? {
        let fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { return nil }
        guard let dir = fdopendir(fd) else { close(fd); return nil }
        defer { closedir(dir) }
        var names = [String]()
        while let ent = readdir(dir) {
            let name = withUnsafePointer(to: ent.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            names.append(name)
        }
        return names
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s.removeLast() }
        return String(s)
    }
}

extension String {
    /// A String from a NUL-terminated C buffer (an array filled by a C call).
    init(cBuffer: [CChar]) {
        self = cBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
