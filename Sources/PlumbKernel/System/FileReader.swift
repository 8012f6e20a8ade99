import Glibc
import PlumbSystem

/// Small, allocation-light file reads for /proc and /sys, where one `read` per file is the whole cost.
/// Every function returns nil instead of throwing: files under /proc vanish while being read, and that is normal.
enum FileReader {
    /// Reads a whole file relative to `dirfd` (AT_FDCWD for absolute paths) into bytes.
    static func readBytes(_ path: String, dirfd: Int32 = AT_FDCWD, limit: Int = 1 << 20) -> [UInt8]? {
        guard let file = FileDescriptor.openIfPresent(path, O_RDONLY, relativeTo: dirfd) else { return nil }
        return readAll(file, limit: limit)
    }

    /// Reads to EOF (or `limit`) straight into one growing buffer: a helper's multi-megabyte output (20,000
    /// iptables rules) is copied once, not once into a scratch buffer and again on every array growth. realloc
    /// grows big blocks with mremap, without copying.
    static func readAll(_ file: borrowing FileDescriptor, limit: Int = 64 << 20) -> [UInt8]? {
        var capacity = 1 << 16, count = 0
        guard var buf = malloc(capacity)?.assumingMemoryBound(to: UInt8.self) else { return nil }
        defer { free(buf) }
        while count < limit {
            if capacity - count < 1 << 15 {
                guard let bigger = realloc(buf, capacity * 2) else { return nil }
                buf = bigger.assumingMemoryBound(to: UInt8.self)
                capacity *= 2
            }
            guard let n = try? file.read(into: buf + count, count: min(capacity - count, limit - count)) else { return nil }
            if n == 0 { break }
            count += n
        }
        return Array(UnsafeBufferPointer(start: buf, count: count))
    }

    /// Reads to EOF, handing each chunk to `body` as it arrives (the buffer is reused for the next one).
    static func readChunks(_ file: borrowing FileDescriptor, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1 << 16) { buf in
            while true {
                guard let n = try? file.read(into: buf.baseAddress!, count: buf.count), n > 0 else { return }
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
        guard let file = FileDescriptor.openIfPresent(path, O_RDONLY | O_DIRECTORY, relativeTo: dirfd) else { return nil }
        // fdopendir owns the descriptor from here: closedir closes it.
        let raw = file.take()
        guard let dir = fdopendir(raw) else { try? FileDescriptor(owning: raw).close(); return nil }
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
