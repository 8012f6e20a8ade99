import Glibc

/// The netns cookie: a 64-bit number the kernel gives each network namespace and never reuses within a boot
/// (Linux 5.14+). nsfs inodes, the `net:[ID]` everyone shows, are reused once a namespace is freed, so the
/// cookie is what tells "the namespace I read" from "a newcomer at the same path".
public enum NamespaceCookie {
    /// SO_NETNS_COOKIE from <asm-generic/socket.h> (Glibc's module does not export it).
    static let option: Int32 = 71

    /// The cookie of the namespace socket `fd` was opened in: one getsockopt, no namespace entered.
    public static func of(socket fd: Int32) -> UInt64? {
        var cookie: UInt64 = 0
        var len = socklen_t(MemoryLayout<UInt64>.size)
        guard getsockopt(fd, SOL_SOCKET, option, &cookie, &len) == 0, len == MemoryLayout<UInt64>.size else { return nil }
        return cookie
    }

    /// The cookie of the calling thread's network namespace (a throwaway socket opened here).
    public static func current() -> UInt64? {
        // SOCK_CLOEXEC is O_CLOEXEC on Linux; Glibc's module does not export the former.
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | O_CLOEXEC, 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return of(socket: fd)
    }
}
