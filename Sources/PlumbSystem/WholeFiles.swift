import Glibc

/// One-shot reads and writes of small files (/proc/sys values, cgroup files): open, one transfer, close.
extension FileDescriptor {
    /// The first `limit` bytes of `path`, or nil when it cannot be opened or read.
    public static func readSmallFile(_ path: String, limit: Int = 4096) -> [UInt8]? {
        guard let fd = openIfPresent(path, O_RDONLY) else { return nil }
        return try? fd.read(upTo: limit)
    }

    /// Writes all of `bytes` to the existing file `path`.
    public static func write(_ bytes: [UInt8], toFile path: String) throws(SystemError) {
        let fd = try open(path, O_WRONLY)
        do { try fd.writeAll(bytes) } catch { throw SystemError("write", path, errno: error.code) }
    }
}
